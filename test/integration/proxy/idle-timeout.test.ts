import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyEngine } from '../../../src/dataplane/proxy/engine.js';
import { freePort, openSession, rs, service, startBackend, until, within, type Backend } from './helpers.js';

let engine: ProxyEngine;
let a: Backend;
let vport = 0;

before(async () => {
  a = await startBackend('a');
  vport = await freePort();
  engine = new ProxyEngine({ tickMs: 25 });
  await engine.apply({ services: [service(vport, [rs(a)])], timeouts: { tcpMs: 300 } });
});

after(async () => {
  await engine.close();
  await a.close();
});

test('an idle connection is closed after the TCP timeout; a busy one lives on', async () => {
  const idle = await openSession(vport);
  const busy = await openSession(vport);
  const idleClosed = new Promise<number>((r) => { const t0 = Date.now(); idle.socket.on('close', () => r(Date.now() - t0)); });
  let busyClosed = false;
  busy.socket.on('close', () => { busyClosed = true; });
  // Keep one connection talking every 100 ms for 700 ms: more than twice the timeout.
  for (let i = 0; i < 7; i++) {
    assert.equal(await busy.echo(`tick ${i}`), `tick ${i}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const closedAfter = await within(2000, 'idle close', idleClosed);
  assert.ok(closedAfter >= 250 && closedAfter < 700, `idle connection closed after ${closedAfter} ms`);
  assert.equal(busyClosed, false);
  busy.socket.destroy();
  await until(1000, 'all closed', () => engine.snapshot().services[0]!.realServers[0]!.activeConns === 0);
});
