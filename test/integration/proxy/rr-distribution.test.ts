import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyEngine } from '../../../src/dataplane/proxy/engine.js';
import { freePort, inParallel, rs, service, startBackend, whoAnswers, within, type Backend } from './helpers.js';

let engine: ProxyEngine;
let backends: Backend[] = [];
let vport = 0;

before(async () => {
  backends = await Promise.all(['a', 'b', 'c'].map((n) => startBackend(n)));
  vport = await freePort();
  engine = new ProxyEngine({ tickMs: 50 });
  await engine.apply({ services: [service(vport, backends.map((b) => rs(b)), { scheduler: 'rr' })] });
});

after(async () => {
  await engine.close();
  await Promise.all(backends.map((b) => b.close()));
});

test('rr spreads 1,200 real connections exactly evenly, in turn', async () => {
  const N = 1200;
  const order: string[] = [];
  // Sequential first round: the order itself is round robin.
  for (let i = 0; i < 6; i++) order.push(await whoAnswers(vport));
  assert.deepEqual(order, ['a', 'b', 'c', 'a', 'b', 'c']);
  const counts = new Map<string, number>();
  await within(20_000, '1,200 connections', inParallel(N - 6, 16, async () => {
    const who = await whoAnswers(vport);
    counts.set(who, (counts.get(who) ?? 0) + 1);
  }));
  for (const who of order) counts.set(who, (counts.get(who) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries([...counts].sort()), { a: N / 3, b: N / 3, c: N / 3 });
  assert.deepEqual(backends.map((b) => b.accepted), [N / 3, N / 3, N / 3]);

  const snap = engine.snapshot();
  const svc = snap.services[0]!;
  assert.equal(svc.stats.conns, N);
  assert.deepEqual(svc.realServers.map((d) => d.stats.conns), [N / 3, N / 3, N / 3]);
  assert.equal(snap.totals.conns, N);
});
