// sh: Source Hashing (net/netfilter/ipvs/ip_vs_sh.c), with ipvsadm's sh-fallback
// (flag-1) and sh-port (flag-2).
//
// A 256-bucket table is filled by walking the servers and giving each `weight`
// consecutive buckets (a quiesced server still gets one, since the kernel's
// "++d_count >= weight" is true at once), cycling until the table is full. So weights
// set the share only while they sum to at most 256; as in IPVS, large weights let the
// first servers take the whole table. The client address (and source port with
// sh-port) picks the bucket. If that server is unavailable (weight 0 or overloaded):
// without sh-fallback there is no server; with it, ip_vs_sh_get_fallback() probes
// buckets (ihash + roffset) & 255 for roffset = ihash, ihash+1, ... (mod 256) and
// stops at the first available server. The probe depends only on the first bucket,
// which is what lets the nft engine render the result as one map.
//
// Buckets come from jhash (see hash.ts): `jhash ip saddr [. th sport] mod 256 seed 0x68616c62`.
import type { DestView, SchedRequest, Scheduler, SchedulerFlags } from './types.js';
import { flowKey, hashBucket } from './hash.js';
import { isAvailable, orderById, PoolTracker, weightOf } from './pool.js';

/** IP_VS_SH_TAB_SIZE (CONFIG_IP_VS_SH_TAB_BITS = 8). */
export const SH_TABLE_SIZE = 256;

/** ip_vs_sh_reassign(): bucket -> index into dests (-1 when the pool is empty). */
export function buildSourceHashTable(dests: readonly DestView[]): Int32Array {
  const table = new Int32Array(SH_TABLE_SIZE).fill(-1);
  const order = orderById(dests);
  if (order.length === 0) return table;
  let p = 0;
  let count = 0;
  for (let i = 0; i < SH_TABLE_SIZE; i++) {
    const di = order[p] as number;
    table[i] = di;
    // "Don't move to next dest until filling weight"
    if (++count >= weightOf(dests[di] as DestView)) {
      p = (p + 1) % order.length;
      count = 0;
    }
  }
  return table;
}

/** The first bucket of a client: ip_vs_sh_hashkey(addr, port, 0). */
export function sourceHashBucket(req: Pick<SchedRequest, 'clientAddr' | 'clientPort'>, flags: SchedulerFlags = {}): number {
  return hashBucket(flowKey(req.clientAddr, flags.port === true ? req.clientPort : undefined), SH_TABLE_SIZE);
}

/** The server (index into dests, or -1) for a client whose first bucket is `ihash`. */
export function sourceHashResolve(table: Int32Array, dests: readonly DestView[], ihash: number, fallback: boolean): number {
  const first = table[ihash] as number;
  if (first < 0) return -1;
  if (isAvailable(dests[first] as DestView)) return first;
  if (!fallback) return -1;
  for (let offset = 0; offset < SH_TABLE_SIZE; offset++) {
    const roffset = (offset + ihash) % SH_TABLE_SIZE;
    // ip_vs_sh_hashkey(addr, port, roffset) == (roffset + ihash) & IP_VS_SH_TAB_MASK
    const i = table[(roffset + ihash) % SH_TABLE_SIZE] as number;
    if (i < 0) return -1;
    if (isAvailable(dests[i] as DestView)) return i;
  }
  return -1;
}

/** What pick() returns per first bucket right now: the map the nft engine renders. */
export function sourceHashEffectiveTable(dests: readonly DestView[], flags: SchedulerFlags = {}): Int32Array {
  const table = buildSourceHashTable(dests);
  return table.map((_, b) => sourceHashResolve(table, dests, b, flags.fallback === true));
}

export class SourceHashScheduler implements Scheduler {
  readonly name = 'sh' as const;
  readonly #flags: SchedulerFlags;
  #table: Int32Array = new Int32Array(SH_TABLE_SIZE).fill(-1);
  readonly #pool = new PoolTracker();

  constructor(flags: SchedulerFlags = {}) {
    this.#flags = { ...flags };
  }

  poolChanged(dests: readonly DestView[]): void {
    this.#pool.invalidate();
    this.#sync(dests);
  }

  pick(dests: readonly DestView[], req: SchedRequest): DestView | undefined {
    this.#sync(dests);
    const i = sourceHashResolve(this.#table, dests, sourceHashBucket(req, this.#flags), this.#flags.fallback === true);
    return i >= 0 ? dests[i] : undefined;
  }

  #sync(dests: readonly DestView[]): void {
    if (this.#pool.changed(dests)) this.#table = buildSourceHashTable(dests);
  }
}
