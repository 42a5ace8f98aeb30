// lc: Least-Connection (net/netfilter/ipvs/ip_vs_lc.c). The available server with the
// smallest overhead (activeconns*256 + inactconns), weights ignored except that 0
// quiesces; the first in pool order wins a tie.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { connOverhead, isAvailable } from './pool.js';

export class LeastConnectionScheduler implements Scheduler {
  readonly name = 'lc' as const;
  pick(dests: readonly DestView[], _req?: SchedRequest): DestView | undefined {
    let least: DestView | undefined;
    let loh = 0;
    for (const d of dests) {
      if (!isAvailable(d)) continue;
      const doh = connOverhead(d);
      if (least === undefined || doh < loh) {
        least = d;
        loh = doh;
      }
    }
    return least;
  }
}
