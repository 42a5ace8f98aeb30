// Helpers every scheduler shares: how IPVS reads a destination (weight, availability,
// connection overhead) and how a scheduler notices that its pool changed.
import type { DestView } from './types.js';

/** IPVS keeps weights in an int. */
import { IPVS_WEIGHT_MAX as MAX_WEIGHT } from '../../core/ipvs-limits.js';

/** A weight as IPVS would hold it: an integer in [0, 2^31 - 1]; bad input counts as 0 (quiesced). */
export function sanitizeWeight(w: number): number {
  return Number.isFinite(w) && w > 0 ? Math.min(Math.floor(w), MAX_WEIGHT) : 0;
}

export function weightOf(d: DestView): number {
  return sanitizeWeight(d.weight);
}

function count(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** IPVS activeconns, sanitised. */
export function activeOf(d: DestView): number {
  return count(d.activeConns);
}

/** IPVS IP_VS_DEST_F_OVERLOAD: over its upper threshold. */
export function isOverloaded(d: DestView): boolean {
  return d.overloaded === true;
}

/** May take a new connection: weight > 0 and not overloaded (ip_vs_sh.c is_unavailable(), negated). */
export function isAvailable(d: DestView): boolean {
  return weightOf(d) > 0 && !isOverloaded(d);
}

/**
 * ip_vs_dest_conn_overhead() in include/net/ip_vs.h: "We think the overhead of processing
 * active connections is 256 times higher than that of inactive connections in average."
 */
export function connOverhead(d: DestView): number {
  return count(d.activeConns) * 256 + count(d.inactiveConns);
}

/**
 * The kernel schedulers' scan (fo, ovf, lc): among the servers `eligible` allows, the
 * one whose score `better` prefers to every earlier one; the first in pool order wins
 * a tie, as a strict comparison in C's loops does.
 */
export function firstBest(
  dests: readonly DestView[], eligible: (d: DestView) => boolean, score: (d: DestView) => number,
  better: (candidate: number, best: number) => boolean,
): DestView | undefined {
  let best: DestView | undefined;
  let bestScore = 0;
  for (const d of dests) {
    if (!eligible(d)) continue;
    const sc = score(d);
    if (best === undefined || better(sc, bestScore)) {
      best = d;
      bestScore = sc;
    }
  }
  return best;
}

export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * Indexes of `dests` sorted by id (UTF-16 code unit order, ties by position). Table
 * schedulers build from this order so the table does not depend on the order the
 * engine lists the pool in (types.ts: "Hashing schedulers hash over this
 * order-independently").
 */
export function orderById(dests: readonly { readonly id: string }[]): number[] {
  const idx = dests.map((_, i) => i);
  idx.sort((a, b) => {
    const ia = (dests[a] as { id: string }).id;
    const ib = (dests[b] as { id: string }).id;
    return ia < ib ? -1 : ia > ib ? 1 : a - b;
  });
  return idx;
}

/**
 * Notices membership, order or weight changes between picks, the events IPVS delivers
 * as add_dest/del_dest/upd_dest. Engines may call Scheduler.poolChanged(), but a
 * scheduler must not go wrong when they forget, so pick() checks too (O(n), no
 * allocation unless something changed).
 */
export class PoolTracker {
  #ids: string[] = [];
  #weights: number[] = [];
  #previousIds: readonly string[] = [];
  #dirty = true;

  /** Force the next changed() to report a change. */
  invalidate(): void {
    this.#dirty = true;
  }

  /** True when `dests` differs (ids, order, weights) from the previous call. */
  changed(dests: readonly DestView[]): boolean {
    let diff = this.#dirty || dests.length !== this.#ids.length;
    for (let i = 0; !diff && i < dests.length; i++) {
      const d = dests[i] as DestView;
      diff = d.id !== this.#ids[i] || weightOf(d) !== this.#weights[i];
    }
    if (!diff) return false;
    this.#previousIds = this.#ids;
    this.#ids = dests.map((d) => d.id);
    this.#weights = dests.map(weightOf);
    this.#dirty = false;
    return true;
  }

  /** The ids in the pool before the last reported change. */
  get previousIds(): readonly string[] {
    return this.#previousIds;
  }
}
