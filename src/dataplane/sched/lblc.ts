// lblc: Locality-Based Least-Connection (net/netfilter/ipvs/ip_vs_lblc.c), for cache
// clusters: keep sending a destination IP to the same server.
//
//   if cachenode[dest_ip] is null then
//           n, cachenode[dest_ip] <- {weighted least-conn node};
//   else
//           n <- cachenode[dest_ip];
//           if (n is dead) OR
//              (n.conns>n.weight AND
//               there is a node m with m.conns<m.weight/2) then
//             n, cachenode[dest_ip] <- {weighted least-conn node};
//   return n;
//
// "dead" is: gone from the pool, weight 0, or (our common rule; the kernel checks only
// the first two here) flagged overloaded. Entries expire by locality-gc.ts, with time
// taken from req.now.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { addrKey } from '../../core/address.js';
import { LocalityGc, type LocalityOptions } from './locality-gc.js';
import { activeOf, isAvailable, weightOf } from './pool.js';
import { weightedLeastConnection } from './wlc.js';

/**
 * is_overloaded() in ip_vs_lblc.c/ip_vs_lblcr.c: the server has more active connections
 * than its weight and some server in the pool is below half of its own weight.
 */
export function localityOverloaded(dest: DestView, dests: readonly DestView[]): boolean {
  if (activeOf(dest) <= weightOf(dest)) return false;
  return dests.some((d) => activeOf(d) * 2 < weightOf(d));
}

interface LblcEntry {
  destAddr: string;
  destId: string;
  lastuse: number;
}

export interface LblcSnapshotEntry {
  readonly destAddr: string;
  readonly destId: string;
  readonly lastuse: number;
}

export class LocalityLeastConnectionScheduler implements Scheduler {
  readonly name = 'lblc' as const;
  readonly #table = new Map<string, LblcEntry>();
  readonly #gc: LocalityGc<LblcEntry>;

  constructor(options: LocalityOptions = {}) {
    this.#gc = new LocalityGc(options);
  }

  pick(dests: readonly DestView[], req: SchedRequest): DestView | undefined {
    this.#gc.advance(this.#table, req.now);
    const key = addrKey(req.destAddr);
    const en = this.#table.get(key);
    if (en !== undefined) {
      en.lastuse = req.now;
      const cached = dests.find((d) => d.id === en.destId);
      if (cached !== undefined && isAvailable(cached) && !localityOverloaded(cached, dests)) return cached;
    }
    const dest = weightedLeastConnection(dests);
    if (dest === undefined) return undefined;
    // ip_vs_lblc_new(): keep the entry if it already names this server, else replace it.
    if (en === undefined || en.destId !== dest.id) {
      this.#table.delete(key);
      this.#table.set(key, { destAddr: req.destAddr, destId: dest.id, lastuse: req.now });
    }
    return dest;
  }

  /** The cache: destination address -> server id, with its last use. */
  snapshot(): LblcSnapshotEntry[] {
    return [...this.#table.values()].map((e) => ({ destAddr: e.destAddr, destId: e.destId, lastuse: e.lastuse }));
  }
}
