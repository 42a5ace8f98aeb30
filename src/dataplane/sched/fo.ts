// fo: Weighted Fail Over (net/netfilter/ipvs/ip_vs_fo.c). Every new connection goes to
// the available server with the highest weight; the first in pool order wins a tie.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { isOverloaded, weightOf } from './pool.js';

export class WeightedFailoverScheduler implements Scheduler {
  readonly name = 'fo' as const;
  pick(dests: readonly DestView[], _req?: SchedRequest): DestView | undefined {
    let best: DestView | undefined;
    let hw = 0;
    for (const d of dests) {
      const w = weightOf(d);
      if (!isOverloaded(d) && w > hw) {
        best = d;
        hw = w;
      }
    }
    return best;
  }
}
