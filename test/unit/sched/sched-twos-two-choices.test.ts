import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PowerOfTwoScheduler, twoDraws } from '../../../src/dataplane/sched/twos.js';
import { dest, pool, prng, req, tally } from './fixture.js';

/** The two weighted draws ip_vs_twos_schedule() makes, recomputed from the same random number. */
function drawsFor(weights: readonly number[], random: number): [number, number] {
  const total = weights.reduce((a, b) => a + b, 0) + 1;
  const pickOne = (u: number): number => {
    let r = u % total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r <= 0) return i;
    }
    return weights.length - 1;
  };
  const [u1, u2] = twoDraws(random);
  return [pickOne(u1), pickOne(u2)];
}

test('twos picks the less loaded (overhead/weight) of its two weighted draws, over 5000 picks', () => {
  const s = new PowerOfTwoScheduler();
  const p = pool(1, 2, 3, 4);
  const weights = p.map((d) => d.weight);
  const rnd = prng(7);
  let differentDraws = 0;
  for (let i = 0; i < 5000; i++) {
    for (const d of p) {
      d.activeConns = Math.floor(rnd() * 10);
      d.inactiveConns = Math.floor(rnd() * 100);
    }
    const random = rnd();
    const [i1, i2] = drawsFor(weights, random);
    const c1 = p[i1]!;
    const c2 = p[i2]!;
    const oh = (d: typeof c1): number => d.activeConns * 256 + d.inactiveConns;
    const want = oh(c2) / c2.weight < oh(c1) / c1.weight ? c2 : c1;
    assert.equal(s.pick(p, req({ random }))?.id, want.id, `pick ${i}`);
    if (i1 !== i2) differentDraws++;
  }
  assert.ok(differentDraws > 3000, `the two draws differ most of the time (${differentDraws})`);
});

test('twos draws servers in proportion to weight; with equal load it keeps the first draw', () => {
  const s = new PowerOfTwoScheduler();
  const p = pool(1, 3, 6);
  const rnd = prng(11);
  const t = tally(Array.from({ length: 10000 }, () => s.pick(p, req({ random: rnd() }))?.id));
  // All idle: overheads are equal, choice1 stays, so shares follow the (w_i + [i = 0]) / 11 draw.
  const want = [2 / 11, 3 / 11, 6 / 11];
  p.forEach((d, i) => assert.ok(Math.abs((t.get(d.id) ?? 0) / 10000 - want[i]!) < 0.02, `${d.id}: ${t.get(d.id)}`));
});

test('twos prefers the idle server of two whenever both are drawn', () => {
  const s = new PowerOfTwoScheduler();
  const busy = dest('busy', 1, 50);
  const idle = dest('idle', 1, 0);
  const rnd = prng(3);
  for (let i = 0; i < 2000; i++) {
    const random = rnd();
    const [i1, i2] = drawsFor([1, 1], random);
    const got = s.pick([busy, idle], req({ random }))?.id;
    assert.equal(got, i1 === 0 && i2 === 0 ? 'busy' : 'idle');
  }
});

test('twos skips unavailable servers and works without req.random', () => {
  const s = new PowerOfTwoScheduler();
  const p = [dest('q', 0), dest('o', 5, 0, 0, true), dest('ok', 1, 9)];
  for (let i = 0; i < 200; i++) assert.equal(s.pick(p, req())?.id, 'ok');
  assert.equal(s.pick(p.slice(0, 2), req()), undefined);
  assert.equal(s.pick([], req({ random: 0.5 })), undefined);
  // The internal stream is not stuck on one value.
  const t = tally(Array.from({ length: 1000 }, () => s.pick(pool(1, 1, 1), req())?.id));
  assert.equal(t.size, 3);
});
