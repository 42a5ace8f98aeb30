// The contract between the IPVS-style schedulers and the engines that use them
// (the userspace proxy and the nftables renderer). Schedulers are pure: they see a
// snapshot of the pool and a description of the new connection, and return the
// chosen destination. The engine owns connection counters and feeds them back.

export type SchedulerName =
  | 'rr' | 'wrr' | 'lc' | 'wlc' | 'lblc' | 'lblcr' | 'dh' | 'sh'
  | 'sed' | 'nq' | 'fo' | 'ovf' | 'mh' | 'twos';

/** Scheduler flags as keepalived/ipvsadm name them (ipvsadm -b). */
export interface SchedulerFlags {
  /** sh/mh: include the source port in the hash (flag-2 for sh, mh-port). */
  port?: boolean;
  /** sh/mh: when the hashed server is unavailable, fall back to another (flag-1, sh-fallback, mh-fallback). */
  fallback?: boolean;
}

/** One real server as a scheduler sees it. `weight` 0 means quiesced: never chosen for new connections. */
export interface DestView {
  /** Stable identity, e.g. "192.0.2.10:80". Hashing schedulers hash over this order-independently. */
  readonly id: string;
  readonly weight: number;
  /** Established connections (IPVS activeconns). */
  readonly activeConns: number;
  /** Connections not established or closing (IPVS inactconns). */
  readonly inactiveConns: number;
  /** Set when the server is over its upper threshold (uthreshold) and must not get new connections. */
  readonly overloaded?: boolean;
}

/** The new connection being scheduled. */
export interface SchedRequest {
  readonly clientAddr: string;
  readonly clientPort: number;
  /** Destination (virtual) address; dh/lblc/lblcr key on it. */
  readonly destAddr: string;
  readonly destPort: number;
  /** Monotonic ms from the engine's Clock; lblc/lblcr expire their tables with it. */
  readonly now: number;
  /** A random number in [0,1) supplied by the engine (twos); keeps schedulers deterministic in tests. */
  readonly random?: number;
}

export interface Scheduler {
  readonly name: SchedulerName;
  /**
   * Choose a destination among `dests` (the current pool, in configuration order),
   * or undefined when none may take a new connection.
   */
  pick(dests: readonly DestView[], req: SchedRequest): DestView | undefined;
  /** Called when the pool's membership or weights change, so tables (mh, wrr) can be rebuilt. */
  poolChanged?(dests: readonly DestView[]): void;
}
