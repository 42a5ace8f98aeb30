// ovf: Weighted Overflow (net/netfilter/ipvs/ip_vs_ovf.c). All connections go to the
// highest-weight server until its active connections exceed its weight, then overflow
// to the next highest. As in the kernel, a server is skipped only when
// activeconns > weight, so it still takes the connection that brings it to
// activeconns == weight + 1. The first in pool order wins a tie.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { activeOf, firstBest, isOverloaded, weightOf } from './pool.js';

export class WeightedOverflowScheduler implements Scheduler {
  readonly name = 'ovf' as const;
  pick(dests: readonly DestView[], _req?: SchedRequest): DestView | undefined {
    return firstBest(dests, (d) => !isOverloaded(d) && activeOf(d) <= weightOf(d) && weightOf(d) !== 0,
      weightOf, (w, hw) => w > hw);
  }
}
