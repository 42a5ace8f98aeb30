// twos: Power of Two Choices (net/netfilter/ipvs/ip_vs_twos.c). Draw two servers at
// random, each with probability proportional to its weight, and keep the one with the
// lower overhead/weight (choice2 only wins when strictly less loaded).
//
// The kernel draws two prandom_u32() values; the engine gives us one number in [0,1)
// (req.random), so the first draw is its top 32 bits and the second is those bits put
// through murmur3's fmix32 finaliser, a bijection that decorrelates them. Without
// req.random an internal xorshift32 stream (fixed seed) stands in, so the scheduler
// stays deterministic and never reads a global random source.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { connOverhead, isAvailable, weightOf } from './pool.js';

function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Two u32 draws from one uniform number in [0,1). */
export function twoDraws(random: number): [number, number] {
  const r = Number.isFinite(random) && random >= 0 && random < 1 ? random : 0;
  const r1 = Math.floor(r * 0x1_0000_0000) >>> 0;
  return [r1, fmix32((r1 + 0x9e3779b9) | 0)];
}

export class PowerOfTwoScheduler implements Scheduler {
  readonly name = 'twos' as const;
  #state = 0x2545f491;

  pick(dests: readonly DestView[], req: SchedRequest): DestView | undefined {
    let total = 0;
    for (const d of dests) if (isAvailable(d)) total += weightOf(d);
    if (total === 0) return undefined;
    // "Add 1 to total_weight so that the random weights are inclusive from 0 to
    // total_weight": the first server gets one extra slot, as in the kernel.
    total += 1;
    const [u1, u2] = twoDraws(req.random ?? this.#next());
    let rw1 = u1 % total;
    let rw2 = u2 % total;
    let choice1: DestView | undefined;
    let choice2: DestView | undefined;
    for (const d of dests) {
      if (!isAvailable(d)) continue;
      const w = weightOf(d);
      rw1 -= w;
      rw2 -= w;
      if (rw1 <= 0 && choice1 === undefined) choice1 = d;
      if (rw2 <= 0 && choice2 === undefined) choice2 = d;
      if (choice1 !== undefined && choice2 !== undefined) break;
    }
    if (choice1 === undefined || choice2 === undefined) return choice1 ?? choice2;
    // (weight2 * overhead1) > (weight1 * overhead2): choice2 is strictly less loaded.
    return weightOf(choice2) * connOverhead(choice1) > weightOf(choice1) * connOverhead(choice2) ? choice2 : choice1;
  }

  /** xorshift32, scaled to [0,1). */
  #next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x | 0;
    return (x >>> 0) / 0x1_0000_0000;
  }
}
