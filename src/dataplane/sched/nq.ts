// nq: Never Queue (net/netfilter/ipvs/ip_vs_nq.c). The first idle available server
// (no active connections) if there is one; otherwise the sed choice,
// (activeconns + 1) / weight, compared as cross products.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { activeOf, isAvailable, weightOf } from './pool.js';
import { expectedDelayOverhead } from './sed.js';

export class NeverQueueScheduler implements Scheduler {
  readonly name = 'nq' as const;
  pick(dests: readonly DestView[], _req?: SchedRequest): DestView | undefined {
    let least: DestView | undefined;
    let loh = 0;
    for (const d of dests) {
      if (!isAvailable(d)) continue;
      // "return the server directly if it is idle"
      if (activeOf(d) === 0) return d;
      const doh = expectedDelayOverhead(d);
      if (least === undefined || loh * weightOf(d) > doh * weightOf(least)) {
        least = d;
        loh = doh;
      }
    }
    return least;
  }
}
