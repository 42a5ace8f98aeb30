// sed: Shortest Expected Delay (net/netfilter/ipvs/ip_vs_sed.c). The expected delay on
// server i is (Ci + 1) / Ui with Ci its active connections and Ui its weight; only
// active connections count. Compared as cross products like wlc; first wins a tie.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { activeOf } from './pool.js';
import { leastWeighted } from './wlc.js';

/** ip_vs_sed_dest_overhead(): activeconns + 1, the incoming job included. */
export function expectedDelayOverhead(d: DestView): number {
  return activeOf(d) + 1;
}

export class ShortestExpectedDelayScheduler implements Scheduler {
  readonly name = 'sed' as const;
  pick(dests: readonly DestView[], _req?: SchedRequest): DestView | undefined {
    return leastWeighted(dests, expectedDelayOverhead);
  }
}
