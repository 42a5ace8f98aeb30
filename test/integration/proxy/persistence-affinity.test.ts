import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyEngine } from '../../../src/dataplane/proxy/engine.js';
import { freePort, openSession, rs, service, startBackend, until, whoAnswers, type Backend } from './helpers.js';

let engine: ProxyEngine;
let backends: Backend[] = [];
let vport = 0;
let vport24 = 0;
const TIMEOUT = 400;

before(async () => {
  backends = await Promise.all(['a', 'b', 'c'].map((n) => startBackend(n)));
  [vport, vport24] = [await freePort(), await freePort()];
  engine = new ProxyEngine({ tickMs: 25 });
  await engine.apply({
    services: [
      service(vport, backends.map((b) => rs(b)), { persistence: { timeoutMs: TIMEOUT } }),
      service(vport24, backends.map((b) => rs(b)), { persistence: { timeoutMs: 60_000, granularity: 24 } }),
    ],
  });
});

after(async () => {
  await engine.close();
  await Promise.all(backends.map((b) => b.close()));
});

test('a persistent client stays on one real server; another client address gets its own', async () => {
  const first = await whoAnswers(vport, '127.0.0.1', '127.0.0.11');
  for (let i = 0; i < 20; i++) assert.equal(await whoAnswers(vport, '127.0.0.1', '127.0.0.11'), first);
  const other = await whoAnswers(vport, '127.0.0.1', '127.0.0.12');
  assert.notEqual(other, first, 'rr gives the next client the next server');
  for (let i = 0; i < 5; i++) assert.equal(await whoAnswers(vport, '127.0.0.1', '127.0.0.12'), other);
  const d = engine.snapshot().services[0]!.realServers.find((x) => x.key.endsWith(`:${backends.find((b) => b.name === first)!.port}`))!;
  assert.equal(d.persistConns, 1);
});

test('the template outlives an open connection, and expires a timeout after the last one', async () => {
  const session = await openSession(vport, '127.0.0.1');
  const pinned = session.name;
  // Longer than the timeout while the connection stays open: still pinned.
  await new Promise((r) => setTimeout(r, TIMEOUT * 2));
  assert.equal(await whoAnswers(vport), pinned);
  assert.equal(await session.echo('still here'), 'still here');
  session.socket.destroy();
  const conns = engine.snapshot({ connections: true }).connections!;
  assert.ok(conns.some((c) => c.state === 'NONE' && c.clientAddress === '127.0.0.1'), 'template listed as ipvsadm -Lnc does');
  // After the timeout (plus a sweep) the template is gone and rr moves on.
  await until(TIMEOUT * 6, 'template expiry', () =>
    !engine.snapshot({ connections: true }).connections!.some((c) => c.state === 'NONE' && c.clientAddress === '127.0.0.1'));
  const next = await whoAnswers(vport);
  assert.notEqual(next, pinned);
});

test('granularity 24 puts 127.0.0.21 and 127.0.0.22 behind one template', async () => {
  const a = await whoAnswers(vport24, '127.0.0.1', '127.0.0.21');
  for (let i = 0; i < 5; i++) {
    assert.equal(await whoAnswers(vport24, '127.0.0.1', '127.0.0.22'), a);
    assert.equal(await whoAnswers(vport24, '127.0.0.1', '127.0.0.23'), a);
  }
});
