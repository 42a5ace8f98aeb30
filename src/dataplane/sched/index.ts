// The scheduler registry: names as keepalived's lb_algo / ipvsadm -s spell them, and a
// factory. Both engines build schedulers here. The table helpers (sh, dh, mh) are
// exported so the nftables engine renders exactly what pick() would choose:
//
//   sh: sourceHashEffectiveTable(dests, flags)  map over `jhash ip saddr [. th sport] mod 256 seed HASH_SEED`
//   dh: destHashEffectiveTable(dests)           map over `jhash ip daddr mod 256 seed HASH_SEED`
//   mh: MaglevScheduler#table(dests), or buildMaglevTable(dests, size, flags, lastWeights),
//       map over `jhash ip saddr [. th sport] mod <size> seed HASH_SEED`
//
// Each table maps a bucket to an index into `dests`, -1 meaning "no server" (drop).
import type { Scheduler, SchedulerFlags, SchedulerName } from './types.js';
import type { SchedStore } from './store.js';
import { DestinationHashScheduler } from './dh.js';
import { WeightedFailoverScheduler } from './fo.js';
import { LocalityLeastConnectionScheduler } from './lblc.js';
import { LocalityReplicatedScheduler } from './lblcr.js';
import { LeastConnectionScheduler } from './lc.js';
import { MaglevScheduler } from './mh.js';
import { NeverQueueScheduler } from './nq.js';
import { WeightedOverflowScheduler } from './ovf.js';
import { RoundRobinScheduler } from './rr.js';
import { ShortestExpectedDelayScheduler } from './sed.js';
import { SourceHashScheduler } from './sh.js';
import { PowerOfTwoScheduler } from './twos.js';
import { WeightedLeastConnectionScheduler } from './wlc.js';
import { WeightedRoundRobinScheduler } from './wrr.js';

export type * from './types.js';
export { LocalStore, SCHED_STORE_WORDS, poolFingerprint, type SchedStore } from './store.js';
export { HASH_SEED, flowKey, hashBucket, jhash, reciprocalScale } from './hash.js';
export { addrKey, ipBytes } from '../../core/address.js';
export { connOverhead, isAvailable, weightOf } from './pool.js';
export { RoundRobinScheduler } from './rr.js';
export { WeightedRoundRobinScheduler, type WrrSnapshot } from './wrr.js';
export { LeastConnectionScheduler } from './lc.js';
export { WeightedLeastConnectionScheduler, weightedLeastConnection } from './wlc.js';
export { ShortestExpectedDelayScheduler } from './sed.js';
export { NeverQueueScheduler } from './nq.js';
export { WeightedFailoverScheduler } from './fo.js';
export { WeightedOverflowScheduler } from './ovf.js';
export { PowerOfTwoScheduler, twoDraws } from './twos.js';
export { LocalityLeastConnectionScheduler, type LblcSnapshotEntry } from './lblc.js';
export { LocalityReplicatedScheduler, type LblcrSnapshotEntry } from './lblcr.js';
export { CHECK_EXPIRE_INTERVAL_MS, DEFAULT_EXPIRATION_MS, ENTRY_TIMEOUT_MS, type LocalityOptions } from './locality-gc.js';
export {
  DH_TABLE_SIZE, DestinationHashScheduler, buildDestHashTable, destHashBucket, destHashEffectiveTable,
} from './dh.js';
export {
  SH_TABLE_SIZE, SourceHashScheduler, buildSourceHashTable, sourceHashBucket, sourceHashEffectiveTable, sourceHashResolve,
} from './sh.js';
export {
  MH_DEFAULT_TABLE_SIZE, MH_TABLE_SIZES, MaglevScheduler, buildMaglevLookup, buildMaglevTable, maglevBucket, maglevResolve,
  type MaglevMember, type MaglevOptions,
} from './mh.js';

/** Every scheduler name, in ipvsadm(8)'s order. */
export const SCHEDULER_NAMES: readonly SchedulerName[] = [
  'rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos',
];

const NAMES: ReadonlySet<string> = new Set(SCHEDULER_NAMES);

export function isSchedulerName(s: string): s is SchedulerName {
  return NAMES.has(s);
}

/**
 * A fresh scheduler; `flags` matter to sh and mh only. rr and wrr keep their position in
 * `store` (their own by default; the proxy passes one shared by all its processes).
 */
export function createScheduler(name: SchedulerName, flags: SchedulerFlags = {}, store?: SchedStore): Scheduler {
  switch (name) {
    case 'rr': return new RoundRobinScheduler(store);
    case 'wrr': return new WeightedRoundRobinScheduler(store);
    case 'lc': return new LeastConnectionScheduler();
    case 'wlc': return new WeightedLeastConnectionScheduler();
    case 'lblc': return new LocalityLeastConnectionScheduler();
    case 'lblcr': return new LocalityReplicatedScheduler();
    case 'dh': return new DestinationHashScheduler();
    case 'sh': return new SourceHashScheduler(flags);
    case 'sed': return new ShortestExpectedDelayScheduler();
    case 'nq': return new NeverQueueScheduler();
    case 'fo': return new WeightedFailoverScheduler();
    case 'ovf': return new WeightedOverflowScheduler();
    case 'mh': return new MaglevScheduler(flags);
    case 'twos': return new PowerOfTwoScheduler();
    default: {
      const never: never = name;
      throw new TypeError(`unknown scheduler ${String(never)}`);
    }
  }
}
