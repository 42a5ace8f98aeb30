import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WeightedRoundRobinScheduler } from '../../../src/dataplane/sched/wrr.js';
import { ids, pool, req, tally } from './fixture.js';

test('wrr with weights 4,3,2 follows IPVS interleaving: A A B A B C A B C', () => {
  const s = new WeightedRoundRobinScheduler();
  const p = pool(4, 3, 2);
  const [A, B, C] = p.map((d) => d.id) as [string, string, string];
  const cycle = [A, A, B, A, B, C, A, B, C];
  const got = ids(Array.from({ length: 9 * 120 }, () => s.pick(p, req())));
  got.forEach((id, i) => assert.equal(id, cycle[i % 9], `pick ${i}`));
});

test('wrr is exactly proportional to weights over whole cycles', () => {
  for (const weights of [[5, 1], [3, 3, 3], [7, 2, 0, 4], [100, 50, 25], [1, 2, 3, 4, 5]]) {
    const s = new WeightedRoundRobinScheduler();
    const p = pool(...weights);
    const total = weights.reduce((x, y) => x + y, 0);
    // One IPVS cycle is sum(weights)/gcd picks; run a multiple of the sum, >= 1000 picks.
    const rounds = Math.ceil(1000 / total);
    const t = tally(ids(Array.from({ length: rounds * total }, () => s.pick(p, req()))));
    p.forEach((d, i) => assert.equal(t.get(d.id) ?? 0, rounds * weights[i]!, `${weights} -> ${d.id}`));
  }
});

test('wrr with a common divisor uses it as the step (100,50 -> A A B)', () => {
  const s = new WeightedRoundRobinScheduler();
  const p = pool(100, 50);
  const got = ids(Array.from({ length: 6 }, () => s.pick(p, req())));
  assert.deepEqual(got, [p[0]!.id, p[0]!.id, p[1]!.id, p[0]!.id, p[0]!.id, p[1]!.id]);
  // mw = max - (di - 1), so the last pass runs with cw = 1.
  assert.deepEqual(s.snapshot(), { cl: 1, cw: 1, mw: 51, di: 50 });
});

test('wrr skips overloaded servers without changing the others\' order, and returns undefined when all are', () => {
  const s = new WeightedRoundRobinScheduler();
  const p = pool(2, 1);
  p[0]!.overloaded = true;
  const got = ids(Array.from({ length: 4 }, () => s.pick(p, req())));
  assert.deepEqual(got, [p[1]!.id, p[1]!.id, p[1]!.id, p[1]!.id]);
  p[1]!.overloaded = true;
  assert.equal(s.pick(p, req()), undefined);
  assert.equal(s.pick(pool(0, 0), req()), undefined);
  assert.equal(s.pick([], req()), undefined);
});

test('wrr restarts from the head with the new weights after a weight change', () => {
  const s = new WeightedRoundRobinScheduler();
  const p = pool(1, 1, 1);
  s.pick(p, req());
  s.pick(p, req());
  p[2]!.weight = 2;
  // ip_vs_wrr_dest_changed(): cl back to the head, mw = 2, cw (1) kept since di = 1.
  const got = ids(Array.from({ length: 8 }, () => s.pick(p, req())));
  const [A, B, C] = p.map((d) => d.id);
  assert.deepEqual(got, [A, B, C, C, A, B, C, C]);
});
