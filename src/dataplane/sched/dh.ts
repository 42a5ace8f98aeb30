// dh: Destination Hashing (net/netfilter/ipvs/ip_vs_dh.c). A 256-bucket table assigns
// the servers round-robin (weights play no part in the table); the destination address
// picks the bucket. The server in the bucket is used only if it is available:
// there is no fallback in IPVS dh.
//
// Buckets come from jhash (see hash.ts) so the nft engine can render the same table as
// `jhash ip daddr mod 256 seed 0x68616c62 map { ... }`.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { flowKey, hashBucket } from './hash.js';
import { isAvailable, orderById, PoolTracker } from './pool.js';

/** IP_VS_DH_TAB_SIZE (CONFIG_IP_VS_DH_TAB_BITS = 8). */
export const DH_TABLE_SIZE = 256;

/** ip_vs_dh_reassign(): bucket i holds the i-th server (by id order), cycling; -1 when the pool is empty. */
export function buildDestHashTable(dests: readonly { readonly id: string }[]): Int32Array {
  const table = new Int32Array(DH_TABLE_SIZE).fill(-1);
  const order = orderById(dests);
  if (order.length === 0) return table;
  for (let i = 0; i < DH_TABLE_SIZE; i++) table[i] = order[i % order.length] as number;
  return table;
}

/** The bucket a destination address falls in. */
export function destHashBucket(destAddr: string): number {
  return hashBucket(flowKey(destAddr), DH_TABLE_SIZE);
}

/** What pick() returns per bucket right now (index into dests, -1 for none): the table the nft engine renders. */
export function destHashEffectiveTable(dests: readonly DestView[]): Int32Array {
  return buildDestHashTable(dests).map((i) => (i >= 0 && isAvailable(dests[i] as DestView) ? i : -1));
}

export class DestinationHashScheduler implements Scheduler {
  readonly name = 'dh' as const;
  #table: Int32Array = new Int32Array(DH_TABLE_SIZE).fill(-1);
  readonly #pool = new PoolTracker();

  poolChanged(dests: readonly DestView[]): void {
    this.#pool.invalidate();
    this.#sync(dests);
  }

  pick(dests: readonly DestView[], req: SchedRequest): DestView | undefined {
    this.#sync(dests);
    const i = this.#table[destHashBucket(req.destAddr)] as number;
    const d = i >= 0 ? dests[i] : undefined;
    return d !== undefined && isAvailable(d) ? d : undefined;
  }

  #sync(dests: readonly DestView[]): void {
    if (this.#pool.changed(dests)) this.#table = buildDestHashTable(dests);
  }
}
