// wlc: Weighted Least-Connection (net/netfilter/ipvs/ip_vs_wlc.c), the keepalived
// default. Load is overhead/weight with overhead = activeconns*256 + inactconns;
// IPVS compares the cross products "h1*w2 > h2*w1" to stay in integers, and so do we,
// which also fixes the tie rule: the first server in pool order wins a tie.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { connOverhead, isAvailable, isOverloaded, weightOf } from './pool.js';

/**
 * The least overhead/weight destination, compared as IPVS does ("h1*w2 > h2*w1"), the
 * first in pool order winning a tie: wlc with connOverhead, sed with its expected delay,
 * and lblc/lblcr's set minimum all use it.
 */
export function leastWeighted(dests: readonly DestView[], overhead: (d: DestView) => number): DestView | undefined {
  let least: DestView | undefined;
  let loh = 0;
  for (const d of dests) {
    if (least === undefined) {
      if (isAvailable(d)) {
        least = d;
        loh = overhead(d);
      }
      continue;
    }
    // IPVS skips only overloaded dests here: a weight-0 dest can never win the
    // comparison because loh * 0 > doh * lw is false.
    if (isOverloaded(d)) continue;
    const doh = overhead(d);
    if (loh * weightOf(d) > doh * weightOf(least)) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

/** The wlc choice over `dests`; also __ip_vs_lblc_schedule()/__ip_vs_lblcr_schedule(). */
export function weightedLeastConnection(dests: readonly DestView[]): DestView | undefined {
  return leastWeighted(dests, connOverhead);
}

export class WeightedLeastConnectionScheduler implements Scheduler {
  readonly name = 'wlc' as const;
  pick(dests: readonly DestView[], _req?: SchedRequest): DestView | undefined {
    return weightedLeastConnection(dests);
  }
}
