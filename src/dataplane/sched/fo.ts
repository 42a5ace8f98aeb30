// fo: Weighted Fail Over (net/netfilter/ipvs/ip_vs_fo.c). Every new connection goes to
// the available server with the highest weight; the first in pool order wins a tie.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { firstBest, isOverloaded, weightOf } from './pool.js';

export class WeightedFailoverScheduler implements Scheduler {
  readonly name = 'fo' as const;
  pick(dests: readonly DestView[], _req?: SchedRequest): DestView | undefined {
    // The kernel starts from weight 0 and takes only a strictly higher one.
    return firstBest(dests, (d) => !isOverloaded(d) && weightOf(d) > 0, weightOf, (w, hw) => w > hw);
  }
}
