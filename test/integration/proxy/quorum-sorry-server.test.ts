import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyEngine } from '../../../src/dataplane/proxy/engine.js';
import type { VirtualServiceSpec } from '../../../src/dataplane/model.js';
import { freePort, openSession, rs, service, startBackend, whoAnswers, type Backend } from './helpers.js';

let engine: ProxyEngine;
let a: Backend;
let b: Backend;
let sorry: Backend;
let vport = 0;

before(async () => {
  [a, b, sorry] = await Promise.all([startBackend('a'), startBackend('b'), startBackend('sorry')]);
  vport = await freePort();
  engine = new ProxyEngine({ tickMs: 50 });
});

after(async () => {
  await engine.close();
  await Promise.all([a.close(), b.close(), sorry.close()]);
});

const svc = (quorumUp: boolean, healthyB = true, inhibit = false): VirtualServiceSpec =>
  service(vport, [rs(a, 1, { healthy: quorumUp }), rs(b, 1, { healthy: healthyB && quorumUp })], {
    quorumUp, sorryServer: { address: '127.0.0.1', port: sorry.port, inhibit },
  });

test('quorum lost: new connections go to the sorry server; regained: back to the real servers', async () => {
  await engine.apply({ services: [svc(true)] });
  const held = await openSession(vport);
  assert.equal(held.name, 'a');

  await engine.apply({ services: [svc(false)] });
  for (let i = 0; i < 6; i++) assert.equal(await whoAnswers(vport), 'sorry');
  let snap = engine.snapshot().services[0]!;
  assert.equal(snap.sorryActive, true);
  assert.deepEqual(snap.realServers.filter((d) => !d.draining).map((d) => [d.port, d.weight, d.sorry]), [[sorry.port, 1, true]]);
  // The connection made before quorum was lost drains on its real server.
  assert.equal(await held.echo('ping'), 'ping');

  await engine.apply({ services: [svc(true)] });
  const back = new Set<string>();
  for (let i = 0; i < 6; i++) back.add(await whoAnswers(vport));
  assert.deepEqual([...back].sort(), ['a', 'b']);
  snap = engine.snapshot().services[0]!;
  assert.equal(snap.sorryActive, false);
  assert.equal(snap.realServers.some((d) => d.sorry && !d.draining), false);
  held.socket.destroy();
});

test('sorry_server_inhibit: the sorry server stays listed with weight 0 while quorum is up', async () => {
  await engine.apply({ services: [svc(true, true, true)] });
  const s = engine.snapshot().services[0]!.realServers.find((d) => d.sorry)!;
  assert.deepEqual([s.weight, s.draining], [0, false]);
  for (let i = 0; i < 4; i++) assert.notEqual(await whoAnswers(vport), 'sorry');
});
