// sed: Shortest Expected Delay (net/netfilter/ipvs/ip_vs_sed.c). The expected delay on
// server i is (Ci + 1) / Ui with Ci its active connections and Ui its weight; only
// active connections count. Compared as cross products like wlc; first wins a tie.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { activeOf, isAvailable, isOverloaded, weightOf } from './pool.js';

/** ip_vs_sed_dest_overhead(): activeconns + 1, the incoming job included. */
export function expectedDelayOverhead(d: DestView): number {
  return activeOf(d) + 1;
}

export class ShortestExpectedDelayScheduler implements Scheduler {
  readonly name = 'sed' as const;
  pick(dests: readonly DestView[], _req?: SchedRequest): DestView | undefined {
    let least: DestView | undefined;
    let loh = 0;
    for (const d of dests) {
      if (least === undefined) {
        if (isAvailable(d)) {
          least = d;
          loh = expectedDelayOverhead(d);
        }
        continue;
      }
      if (isOverloaded(d)) continue;
      const doh = expectedDelayOverhead(d);
      if (loh * weightOf(d) > doh * weightOf(least)) {
        least = d;
        loh = doh;
      }
    }
    return least;
  }
}
