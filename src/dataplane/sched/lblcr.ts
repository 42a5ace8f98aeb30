// lblcr: Locality-Based Least-Connection with Replication
// (net/netfilter/ipvs/ip_vs_lblcr.c): a destination IP maps to a set of servers that
// grows when its members are overloaded and shrinks when it has not changed for the
// expiration time.
//
//   if serverSet[dest_ip] is null then
//           n, serverSet[dest_ip] <- {weighted least-conn node};
//   else
//           n <- {least-conn (alive) node in serverSet[dest_ip]};
//           if (n is null) OR
//              (n.conns>n.weight AND
//               there is a node m with m.conns<m.weight/2) then
//               n <- {weighted least-conn node};
//               add n to serverSet[dest_ip];
//           if |serverSet[dest_ip]| > 1 AND
//               now - serverSet[dest_ip].lastMod > T then
//               m <- {most conn node in serverSet[dest_ip]};
//               remove m from serverSet[dest_ip];
//   if serverSet[dest_ip] changed then
//           serverSet[dest_ip].lastMod <- now;
//   return n;
//
// T is the expiration (net.ipv4.vs.lblcr_expiration, default 24 h); time is req.now.
// Servers that leave the pool leave every set (the kernel keeps them in the set while
// they sit in its trash list, where they cannot be chosen either).
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { addrKey } from '../../core/address.js';
import { localityOverloaded } from './lblc.js';
import { LocalityGc, type LocalityOptions } from './locality-gc.js';
import { connOverhead, weightOf } from './pool.js';
import { weightedLeastConnection } from './wlc.js';

interface LblcrEntry {
  destAddr: string;
  /** Server ids, newest first (list_add_rcu adds at the head). */
  set: string[];
  lastmod: number;
  lastuse: number;
}

export interface LblcrSnapshotEntry {
  readonly destAddr: string;
  readonly set: readonly string[];
  readonly lastmod: number;
  readonly lastuse: number;
}

/** ip_vs_dest_set_min(): the weighted least-connection available member. */
function setMin(members: readonly DestView[]): DestView | undefined {
  return weightedLeastConnection(members);
}

/** ip_vs_dest_set_max(): the weighted most-connection member with weight > 0. */
function setMax(members: readonly DestView[]): DestView | undefined {
  let most: DestView | undefined;
  let moh = 0;
  for (const d of members) {
    if (weightOf(d) <= 0) continue;
    const doh = connOverhead(d);
    // moh/mw < doh/dw ==> moh*dw < doh*mw, where mw,dw>0
    if (most === undefined || moh * weightOf(d) < doh * weightOf(most)) {
      most = d;
      moh = doh;
    }
  }
  return most;
}

export class LocalityReplicatedScheduler implements Scheduler {
  readonly name = 'lblcr' as const;
  readonly #table = new Map<string, LblcrEntry>();
  readonly #gc: LocalityGc<LblcrEntry>;

  constructor(options: LocalityOptions = {}) {
    this.#gc = new LocalityGc(options);
  }

  pick(dests: readonly DestView[], req: SchedRequest): DestView | undefined {
    const now = req.now;
    this.#gc.advance(this.#table, now);
    const key = addrKey(req.destAddr);
    const en = this.#table.get(key);
    if (en === undefined) {
      const dest = weightedLeastConnection(dests);
      if (dest === undefined) return undefined;
      this.#table.set(key, { destAddr: req.destAddr, set: [dest.id], lastmod: now, lastuse: now });
      return dest;
    }
    en.lastuse = now;
    const byId = new Map(dests.map((d) => [d.id, d] as const));
    // Not a modification in IPVS terms (the kernel's set still holds the trashed dest),
    // so lastmod stays.
    if (en.set.some((id) => !byId.has(id))) en.set = en.set.filter((id) => byId.has(id));
    const members = en.set.map((id) => byId.get(id) as DestView);
    const dest = setMin(members);
    // More than one destination + enough time passed by: drop the most loaded.
    if (en.set.length > 1 && now > en.lastmod + this.#gc.expirationMs) {
      const m = setMax(members);
      if (m !== undefined) {
        en.set = en.set.filter((id) => id !== m.id);
        en.lastmod = now;
      }
    }
    if (dest !== undefined && !localityOverloaded(dest, dests)) return dest;
    const chosen = weightedLeastConnection(dests);
    if (chosen === undefined) return undefined;
    if (!en.set.includes(chosen.id)) {
      en.set.unshift(chosen.id);
      en.lastmod = now;
    }
    return chosen;
  }

  /** The cache: destination address -> server set, with modification and use times. */
  snapshot(): LblcrSnapshotEntry[] {
    return [...this.#table.values()].map((e) => ({ destAddr: e.destAddr, set: [...e.set], lastmod: e.lastmod, lastuse: e.lastuse }));
  }
}
