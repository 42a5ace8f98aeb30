import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyEngine } from '../../../src/dataplane/proxy/engine.js';
import { freePort, openSession, rs, service, startBackend, until, whoAnswers, type Backend } from './helpers.js';

let engine: ProxyEngine;
let a: Backend;
let b: Backend;
let vport = 0;

before(async () => {
  [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
  vport = await freePort();
  engine = new ProxyEngine({ tickMs: 50 });
  await engine.apply({ services: [service(vport, [rs(a), rs(b)])] });
});

after(async () => {
  await engine.close();
  await Promise.all([a.close(), b.close()]);
});

const destOf = (port: number) => engine.snapshot().services[0]!.realServers.find((d) => d.port === port);

test('weight 0: the established connection keeps working, new connections avoid the server', async () => {
  const s = await openSession(vport);
  assert.equal(s.name, 'a');
  const r = await engine.apply({ services: [service(vport, [rs(a, 0), rs(b)])] });
  assert.deepEqual(r.updated, [`TCP:127.0.0.1:${vport}`]);
  for (let i = 0; i < 20; i++) assert.equal(await whoAnswers(vport), 'b');
  assert.equal(await s.echo('draining but alive'), 'draining but alive');
  const d = destOf(a.port)!;
  assert.deepEqual([d.weight, d.activeConns, d.draining], [0, 1, false]);

  // Removed from the configuration: still drains, listed as draining, then forgotten.
  await engine.apply({ services: [service(vport, [rs(b)])] });
  assert.equal(await s.echo('removed but alive'), 'removed but alive');
  assert.equal(destOf(a.port)!.draining, true);
  for (let i = 0; i < 5; i++) assert.equal(await whoAnswers(vport), 'b');
  s.socket.end();
  await until(2000, 'drained server forgotten', () => destOf(a.port) === undefined);
  assert.equal(a.accepted, 1);
});
