import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DestView } from '../../../src/dataplane/sched/types.js';
import { WeightedRoundRobinScheduler } from '../../../src/dataplane/sched/wrr.js';
import { req } from './fixture.js';

/**
 * A line-by-line port of ip_vs_wrr_schedule() and ip_vs_wrr_dest_changed(), without the
 * shortcuts our scheduler takes, to check that they never change a decision or the state.
 */
class KernelWrr {
  cl = -1;
  cw = 0;
  mw = 0;
  di = 1;
  #sig = '';

  pick(dests: readonly DestView[]): DestView | undefined {
    const sig = JSON.stringify(dests.map((d) => [d.id, d.weight]));
    if (sig !== this.#sig) {
      this.#sig = sig;
      let g = 0;
      let max = 0;
      for (const d of dests) {
        if (d.weight > 0) g = g > 0 ? gcdOf(d.weight, g) : d.weight;
        if (d.weight > max) max = d.weight;
      }
      this.cl = -1;
      this.di = g || 1;
      this.mw = max - (this.di - 1);
      if (this.cw > this.mw || !this.cw) this.cw = this.mw;
      else if (this.di > 1) this.cw = Math.floor(this.cw / this.di) * this.di + 1;
    }
    let dest = this.cl;
    if (this.mw === 0) return undefined;
    const last = dest;
    let stop: number | null = null;
    let lastPass = false;
    let restarted = false;
    for (;;) {
      for (dest = dest + 1; dest < dests.length; dest++) {
        const d = dests[dest]!;
        if (d.overloaded !== true && d.weight >= this.cw) {
          this.cl = dest;
          return d;
        }
        if (dest === stop) {
          this.cl = dest;
          return undefined;
        }
      }
      dest = -1;
      this.cw -= this.di;
      if (this.cw <= 0) {
        this.cw = this.mw;
        if (lastPass || last === -1) {
          this.cl = dest;
          return undefined;
        }
        restarted = true;
      }
      lastPass = this.cw <= this.di;
      if (lastPass && restarted && last !== -1) stop = last;
    }
  }
}

function gcdOf(a: number, b: number): number {
  return b === 0 ? a : gcdOf(b, a % b);
}

const step = fc.record({
  weights: fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(0, 10, 20, 30)), { minLength: 0, maxLength: 6 }),
  overloaded: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  changeWeights: fc.boolean(),
  picks: fc.integer({ min: 1, max: 12 }),
});

test('wrr makes exactly the kernel walk\'s choices and ends in its state, across weight and overload changes', () => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 20 }), (steps) => {
      const ours = new WeightedRoundRobinScheduler();
      const ref = new KernelWrr();
      let dests: DestView[] = [];
      for (const s of steps) {
        if (s.changeWeights || dests.length === 0) {
          dests = s.weights.map((w, i) => ({ id: `d${i}`, weight: w, activeConns: 0, inactiveConns: 0 }));
        }
        dests = dests.map((d, i) => ({ ...d, overloaded: s.overloaded[i] }));
        for (let k = 0; k < s.picks; k++) {
          assert.equal(ours.pick(dests, req())?.id, ref.pick(dests)?.id);
          assert.deepEqual(ours.snapshot(), { cl: ref.cl, cw: ref.cw, mw: ref.mw, di: ref.di });
        }
      }
    }),
    { numRuns: 1000 },
  );
});

test('wrr stays fast where the kernel walk is long: weights 1 and 10^9', () => {
  const s = new WeightedRoundRobinScheduler();
  const dests: DestView[] = [
    { id: 'big', weight: 1_000_000_000, activeConns: 0, inactiveConns: 0, overloaded: true },
    { id: 'small', weight: 1, activeConns: 0, inactiveConns: 0 },
  ];
  for (let i = 0; i < 1000; i++) assert.equal(s.pick(dests, req())?.id, 'small');
  dests[1] = { ...dests[1]!, overloaded: true };
  for (let i = 0; i < 1000; i++) assert.equal(s.pick(dests, req()), undefined);
});
