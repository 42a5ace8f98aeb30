import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Scheduler } from '../../../src/dataplane/sched/types.js';
import { LeastConnectionScheduler } from '../../../src/dataplane/sched/lc.js';
import { WeightedLeastConnectionScheduler } from '../../../src/dataplane/sched/wlc.js';
import { ShortestExpectedDelayScheduler } from '../../../src/dataplane/sched/sed.js';
import { NeverQueueScheduler } from '../../../src/dataplane/sched/nq.js';
import { dest, pool, prng, req, type MutableDest } from './fixture.js';

/** Index of the smallest cost among usable servers; the first wins a tie. */
function argmin(p: readonly MutableDest[], cost: (d: MutableDest) => number): number {
  let best = -1;
  p.forEach((d, i) => {
    if (d.weight <= 0 || d.overloaded === true) return;
    if (best < 0 || cost(d) < cost(p[best]!)) best = i;
  });
  return best;
}

/**
 * Drive `s` for `n` picks over a pool whose connections open (on the chosen server) and
 * close (at random), checking every choice against `expected`.
 */
function simulate(s: Scheduler, expected: (p: MutableDest[]) => number, seed: number, n = 2000): void {
  const rnd = prng(seed);
  const p = pool(1, 3, 2, 5, 0, 4);
  p[5]!.overloaded = true;
  for (const d of p) {
    d.activeConns = Math.floor(rnd() * 20);
    d.inactiveConns = Math.floor(rnd() * 300);
  }
  for (let i = 0; i < n; i++) {
    const want = expected(p);
    const got = s.pick(p, req());
    assert.equal(got?.id, p[want]?.id, `pick ${i}: ${JSON.stringify(p)}`);
    if (got === undefined) continue;
    const chosen = p.find((d) => d.id === got.id)!;
    chosen.activeConns++;
    // Some connection somewhere finishes, or goes idle.
    const other = p[Math.floor(rnd() * p.length)]!;
    const r = rnd();
    if (r < 0.4 && other.activeConns > 0) other.activeConns--;
    else if (r < 0.7 && other.activeConns > 0) {
      other.activeConns--;
      other.inactiveConns++;
    } else if (other.inactiveConns > 0) other.inactiveConns--;
    if (i % 500 === 250) p[5]!.overloaded = !p[5]!.overloaded;
  }
}

const overhead = (d: MutableDest): number => d.activeConns * 256 + d.inactiveConns;

test('lc picks the least overhead (activeconns*256 + inactconns), weights ignored', () => {
  simulate(new LeastConnectionScheduler(), (p) => argmin(p, overhead), 1);
});

test('wlc picks the least overhead/weight', () => {
  simulate(new WeightedLeastConnectionScheduler(), (p) => argmin(p, (d) => overhead(d) / d.weight), 2);
});

test('sed picks the least (activeconns + 1)/weight, inactive connections ignored', () => {
  simulate(new ShortestExpectedDelayScheduler(), (p) => argmin(p, (d) => (d.activeConns + 1) / d.weight), 3);
});

test('nq picks the first idle server, else the sed choice', () => {
  const expected = (p: MutableDest[]): number => {
    const idle = p.findIndex((d) => d.weight > 0 && d.overloaded !== true && d.activeConns === 0);
    return idle >= 0 ? idle : argmin(p, (d) => (d.activeConns + 1) / d.weight);
  };
  simulate(new NeverQueueScheduler(), expected, 4);
});

test('one active connection outweighs 255 inactive ones in lc/wlc, not 256', () => {
  const lc = new LeastConnectionScheduler();
  const wlc = new WeightedLeastConnectionScheduler();
  const a = dest('a', 1, 1, 0);
  const b = dest('b', 1, 0, 255);
  assert.equal(lc.pick([a, b], req())?.id, 'b');
  assert.equal(wlc.pick([a, b], req())?.id, 'b');
  b.inactiveConns = 257;
  assert.equal(lc.pick([a, b], req())?.id, 'a');
  assert.equal(wlc.pick([a, b], req())?.id, 'a');
  // A tie goes to the first in pool order.
  b.inactiveConns = 256;
  assert.equal(lc.pick([a, b], req())?.id, 'a');
  assert.equal(lc.pick([b, a], req())?.id, 'b');
});

test('sed and nq differ exactly where nq prefers an idle slow server', () => {
  const fast = dest('fast', 10, 1);
  const slow = dest('slow', 1, 0);
  // sed: (1+1)/10 = 0.2 < (0+1)/1 = 1 -> fast; nq: slow is idle -> slow.
  assert.equal(new ShortestExpectedDelayScheduler().pick([fast, slow], req())?.id, 'fast');
  assert.equal(new NeverQueueScheduler().pick([fast, slow], req())?.id, 'slow');
});

test('least-connection family returns undefined when nothing can take a connection', () => {
  for (const s of [new LeastConnectionScheduler(), new WeightedLeastConnectionScheduler(), new ShortestExpectedDelayScheduler(), new NeverQueueScheduler()]) {
    assert.equal(s.pick([], req()), undefined, s.name);
    assert.equal(s.pick([dest('a', 0), dest('b', 2, 0, 0, true)], req()), undefined, s.name);
  }
});
