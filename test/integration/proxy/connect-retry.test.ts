import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ProxyEngine } from '../../../src/dataplane/proxy/engine.js';
import type { BackendEvent } from '../../../src/dataplane/dataplane.js';
import { freePort, rs, service, startBackend, startBlackhole, until, whoAnswers, within, type Backend, type Blackhole } from './helpers.js';

let engine: ProxyEngine;
let good: Backend;
let hole: Blackhole;
let refusedPort = 0;
let vRefused = 0;
let vTimeout = 0;
let vNone = 0;
const events: BackendEvent[] = [];

before(async () => {
  good = await startBackend('good');
  hole = await startBlackhole();
  refusedPort = await freePort(); // nothing listens there: ECONNREFUSED
  [vRefused, vTimeout, vNone] = [await freePort(), await freePort(), await freePort()];
  engine = new ProxyEngine({ tickMs: 25 });
  engine.onBackendEvent((ev) => events.push(ev));
  await engine.apply({
    services: [
      service(vRefused, [rs({ port: refusedPort }), rs(good)]),
      service(vTimeout, [rs(hole), rs(good)], { connectTimeoutMs: 200 }),
      service(vNone, [rs({ port: refusedPort })]),
    ],
  });
});

after(async () => {
  await engine.close();
  await Promise.all([good.close(), hole.close()]);
});

test('a refused connect is retried on another real server, invisibly to the client', async () => {
  for (let i = 0; i < 10; i++) assert.equal(await whoAnswers(vRefused), 'good');
  const refused = events.filter((e) => e.kind === 'connect-refused' && e.service === `TCP:127.0.0.1:${vRefused}`);
  // rr counts attempts: each client connection lands on the dead port, then on the next
  // server, which leaves the pointer so that the next connection starts at the dead port again.
  assert.equal(refused.length, 10);
  assert.ok(refused.every((e) => e.realServer === `127.0.0.1:${refusedPort}` && e.code === 'ECONNREFUSED' && e.retried === true));
  const connected = events.filter((e) => e.kind === 'connected' && e.service === `TCP:127.0.0.1:${vRefused}`);
  assert.equal(connected.length, 10);
  assert.equal(connected.filter((e) => e.retried).length, 10);
  const svcOf = () => engine.snapshot().services.find((s) => s.port === vRefused)!;
  await until(2000, 'connections closed', () => svcOf().realServers.every((d) => d.activeConns + d.inactiveConns === 0));
  const svc = svcOf();
  assert.equal(svc.stats.conns, 10, 'one client connection counts once for the service');
  assert.deepEqual(svc.realServers.map((d) => [d.port, d.stats.conns, d.activeConns + d.inactiveConns]), [[refusedPort, 10, 0], [good.port, 10, 0]]);
});

test('a connect that times out is retried on another real server', async () => {
  const t0 = Date.now();
  assert.equal(await within(5000, 'timeout retry', whoAnswers(vTimeout)), 'good');
  const took = Date.now() - t0;
  assert.ok(took >= 190, `answered after ${took} ms: the first attempt should have waited for the timeout`);
  const ev = events.find((e) => e.kind === 'connect-timeout');
  assert.ok(ev);
  assert.deepEqual([ev.realServer, ev.code, ev.retried], [`127.0.0.1:${hole.port}`, 'ETIMEDOUT', true]);
});

test('with no server left to try, the client is reset', async () => {
  const outcome = await within(3000, 'reset', new Promise<string>((resolve) => {
    const s = net.connect({ port: vNone, host: '127.0.0.1' });
    let data = 0;
    s.on('data', (d: Buffer) => { data += d.length; });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    s.on('close', () => resolve(`closed with ${data} bytes`));
  }));
  assert.equal(outcome, 'ECONNRESET');
});
