// lc: Least-Connection (net/netfilter/ipvs/ip_vs_lc.c). The available server with the
// smallest overhead (activeconns*256 + inactconns), weights ignored except that 0
// quiesces; the first in pool order wins a tie.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { connOverhead, firstBest, isAvailable } from './pool.js';

export class LeastConnectionScheduler implements Scheduler {
  readonly name = 'lc' as const;
  pick(dests: readonly DestView[], _req?: SchedRequest): DestView | undefined {
    return firstBest(dests, isAvailable, connOverhead, (doh, loh) => doh < loh);
  }
}
