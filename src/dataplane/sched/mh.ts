// mh: Maglev Hashing (net/netfilter/ipvs/ip_vs_mh.c; Eisenbud et al., "Maglev", NSDI
// 2016, section 3.4), with ipvsadm's mh-fallback (flag-1) and mh-port (flag-2).
//
// Each server gets a permutation of the table positions from two hashes of its
// identity: offset = h1 % M, skip = h2 % (M - 1) + 1, position j = offset + j*skip.
// Servers take turns claiming their next free preferred position until the M-entry
// table is full (M prime, one of 251 ... 131071; the kernel default is 4093). A server
// claims `turns` positions per round, turns = (last_weight / gcd) >> rshift (at least 1
// for a non-zero weight), where rshift keeps the largest within IP_VS_MH_TAB_BITS bits.
// The client address (and port with mh-port) picks a position. Removing one of N
// servers moves only its ~1/N of clients.
//
// Like the kernel, the table is built from each server's last non-zero weight
// (dest->last_weight), so quiescing a server (weight 0) leaves the table alone: its
// clients get no server, or with mh-fallback another one, and come back when it returns.
//
// Deliberate differences from the kernel, both so the nft engine can render exactly
// what pick() does as `jhash ip saddr [. th sport] mod M seed 0x68616c62 map {...}`:
// - hashes are jhash (hash.ts) instead of hsiphash: the permutation hashes use jhash
//   over the server id with the kernel's two key constants as seeds;
// - mh-fallback walks the table forward from the client's position to the next
//   available server, where the kernel rehashes the client with each offset. Both
//   spread a failed server's positions pseudo-randomly over the others (Maglev tables
//   interleave servers), but ours depends on the position alone, so it fits one map.
import assert from 'node:assert/strict';
import type { DestView, SchedRequest, Scheduler, SchedulerFlags } from './types.js';
import { flowKey, hashBucket, idBytes, jhash } from './hash.js';
import { gcd, isAvailable, orderById, PoolTracker, sanitizeWeight, weightOf } from './pool.js';

/** The table sizes IPVS offers (primes[] in ip_vs_mh.c). */
export const MH_TABLE_SIZES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071] as const;
/**
 * The kernel's default: IP_VS_MH_TAB_SIZE = primes[CONFIG_IP_VS_MH_TAB_INDEX - 8] with
 * the Kconfig default index 12, i.e. 4093. (251 is the smallest choice, index 8.)
 */
export const MH_DEFAULT_TABLE_SIZE = 4093;

/** IP_VS_MH_TAB_BITS = CONFIG_IP_VS_MH_TAB_INDEX / 2 for the index that gives `size`. */
function tableBits(size: number): number {
  return Math.floor((8 + (MH_TABLE_SIZES as readonly number[]).indexOf(size)) / 2);
}
/** generate_hash_secret() key constants, reused as jhash seeds for offset and skip. */
const SEED_OFFSET = 2654435761;
const SEED_SKIP = 2654446892;

/** A server as the table builder sees it: identity and the weight that sets its share. */
export interface MaglevMember {
  readonly id: string;
  readonly weight: number;
}

function fls(x: number): number {
  return 32 - Math.clz32(x);
}

/**
 * ip_vs_mh_permutate() + ip_vs_mh_populate(): the raw lookup table, position -> index
 * into `members` (-1 everywhere when no member has a positive weight). Members are
 * visited in id order, so the table does not depend on the order they are listed in.
 */
export function buildMaglevLookup(members: readonly MaglevMember[], size: number = MH_DEFAULT_TABLE_SIZE): Int32Array {
  assert.ok((MH_TABLE_SIZES as readonly number[]).includes(size), `mh: table size ${size} is not one of ${MH_TABLE_SIZES.join(', ')}`);
  const lookup = new Int32Array(size).fill(-1);
  const weights = members.map((m) => sanitizeWeight(m.weight));
  let g = 0;
  let max = 0;
  for (const w of weights) {
    if (w > 0) g = g > 0 ? gcd(w, g) : w;
    if (w > max) max = w;
  }
  if (g < 1) return lookup;
  const rshift = Math.max(0, fls(max / g) - tableBits(size));
  const setup = orderById(members).map((index) => {
    const key = idBytes((members[index] as MaglevMember).id);
    const w = weights[index] as number;
    const offset = jhash(key, SEED_OFFSET) % size;
    return {
      index,
      skip: (jhash(key, SEED_SKIP) % (size - 1)) + 1,
      perm: offset,
      turns: (w / g) >> rshift || (w !== 0 ? 1 : 0),
    };
  });
  const taken = new Uint8Array(size);
  let n = 0;
  let dtCount = 0;
  for (;;) {
    for (let k = 0; k < setup.length; ) {
      const ds = setup[k]!;
      if (ds.turns < 1) {
        k++;
        continue;
      }
      // A prime size makes every skip coprime with it, so the walk reaches every free slot.
      while (taken[ds.perm] === 1) {
        ds.perm += ds.skip;
        if (ds.perm >= size) ds.perm -= size;
      }
      taken[ds.perm] = 1;
      lookup[ds.perm] = ds.index;
      if (++n === size) return lookup;
      if (++dtCount >= ds.turns) {
        dtCount = 0;
        k++;
      }
    }
  }
}

/** The position of a client: `jhash ip saddr [. th sport] mod size seed HASH_SEED`. */
export function maglevBucket(
  req: Pick<SchedRequest, 'clientAddr' | 'clientPort'>,
  size: number = MH_DEFAULT_TABLE_SIZE,
  flags: SchedulerFlags = {},
): number {
  return hashBucket(flowKey(req.clientAddr, flags.port === true ? req.clientPort : undefined), size);
}

/** The server (index into dests, or -1) for a client at `position` of `lookup`. */
export function maglevResolve(lookup: Int32Array, dests: readonly DestView[], position: number, fallback: boolean): number {
  const first = lookup[position] as number;
  if (first < 0) return -1;
  if (isAvailable(dests[first] as DestView)) return first;
  if (!fallback) return -1;
  for (let off = 1; off < lookup.length; off++) {
    const i = lookup[(position + off) % lookup.length] as number;
    if (i >= 0 && isAvailable(dests[i] as DestView)) return i;
  }
  return -1;
}

/**
 * The table pick() uses right now, position -> index into `dests` or -1: what the nft
 * engine renders into its map. The table is built from `lastWeights` (id -> last
 * non-zero weight, see MaglevScheduler.lastWeights()) where given, else from the
 * current weights; then each position resolves by availability and mh-fallback.
 */
export function buildMaglevTable(
  dests: readonly DestView[],
  size: number = MH_DEFAULT_TABLE_SIZE,
  flags: SchedulerFlags = {},
  lastWeights?: ReadonlyMap<string, number>,
): Int32Array {
  const lookup = buildMaglevLookup(
    dests.map((d) => ({ id: d.id, weight: lastWeights?.get(d.id) ?? weightOf(d) })),
    size,
  );
  return lookup.map((_, p) => maglevResolve(lookup, dests, p, flags.fallback === true));
}

export interface MaglevOptions {
  /** One of MH_TABLE_SIZES; default 4093, as the kernel. */
  readonly tableSize?: number;
}

export class MaglevScheduler implements Scheduler {
  readonly name = 'mh' as const;
  readonly #flags: SchedulerFlags;
  readonly #size: number;
  // dest->last_weight: "keep the last_weight with latest non-0 weight" (ip_vs_ctl.c).
  readonly #lastWeight = new Map<string, number>();
  #lookup: Int32Array;
  readonly #pool = new PoolTracker();

  constructor(flags: SchedulerFlags = {}, options: MaglevOptions = {}) {
    this.#flags = { ...flags };
    this.#size = options.tableSize ?? MH_DEFAULT_TABLE_SIZE;
    this.#lookup = buildMaglevLookup([], this.#size);
  }

  get tableSize(): number {
    return this.#size;
  }

  poolChanged(dests: readonly DestView[]): void {
    this.#pool.invalidate();
    this.#sync(dests);
  }

  pick(dests: readonly DestView[], req: SchedRequest): DestView | undefined {
    this.#sync(dests);
    const i = maglevResolve(this.#lookup, dests, maglevBucket(req, this.#size, this.#flags), this.#flags.fallback === true);
    return i >= 0 ? dests[i] : undefined;
  }

  /** The last non-zero weight of each server in the pool, as the table was built from. */
  lastWeights(): ReadonlyMap<string, number> {
    return new Map(this.#lastWeight);
  }

  /** buildMaglevTable() for this scheduler's pool, flags and weight history. */
  table(dests: readonly DestView[]): Int32Array {
    this.#sync(dests);
    return this.#lookup.map((_, p) => maglevResolve(this.#lookup, dests, p, this.#flags.fallback === true));
  }

  #sync(dests: readonly DestView[]): void {
    if (!this.#pool.changed(dests)) return;
    const present = new Set<string>();
    for (const d of dests) {
      present.add(d.id);
      const w = weightOf(d);
      // A server added with weight 0 has last_weight 0; later zeros keep the old value.
      if (!this.#lastWeight.has(d.id) || w !== 0) this.#lastWeight.set(d.id, w);
    }
    for (const id of [...this.#lastWeight.keys()]) if (!present.has(id)) this.#lastWeight.delete(id);
    this.#lookup = buildMaglevLookup(
      dests.map((d) => ({ id: d.id, weight: this.#lastWeight.get(d.id) ?? 0 })),
      this.#size,
    );
  }
}
