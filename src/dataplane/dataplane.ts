// The one interface every dataplane engine implements (the userspace proxy in proxy/,
// the nftables engine in nft/), as MetalLB's Protocol interface fronts bgp and layer2.
// The daemon hands it the whole desired state; the engine applies only the difference
// and reports what it did. Snapshots carry the counters ipvsadm shows, so `halb ctl
// list` renders the same data whatever the engine.

import { HalbError, PermissionError, SysError } from '../core/errors.js';
import type { IpvsStats } from '../core/ipvs-types.js';
import type { DesiredState, L4Protocol } from './model.js';
import type { Scheduler, SchedulerFlags, SchedulerName } from './sched/types.js';
import type { SchedStore } from './sched/store.js';

export interface Dataplane {
  /** Engine name for dumps: 'proxy', 'nft' or 'ipvs'. */
  readonly engine: string;
  /**
   * Make `desired` the running state, touching only what differs from the last apply():
   * an unchanged service keeps its listener and connections; a real server that left the
   * pool, or whose weight is 0, drains. Rejects (with DesiredStateError) only when
   * `desired` itself is invalid, before changing anything; per-service failures such as a
   * VIP that is not local yet are reported in the result and retried later.
   */
  apply(desired: DesiredState): Promise<ApplyReport>;
  /**
   * The daemon saw `address` appear on an interface (VRRP became MASTER): services on it
   * that could not listen yet try again. Engines that need no local address do nothing.
   */
  addressAvailable(address: string): Promise<ApplyReport>;
  /** Counters and state as ipvsadm -Ln / --stats / --rate (and -Lnc with `connections`). */
  snapshot(opts?: SnapshotOptions): DataplaneSnapshot;
  /**
   * Bring what snapshot() returns up to date where the engine collects it from elsewhere
   * (worker processes, the kernel); call before a listing that must be exact, e.g. -Lnc.
   */
  refresh(opts?: SnapshotOptions): Promise<void>;
  /** Subscribe to per-real-server connection outcomes (for passive ejection). Returns an unsubscribe function. */
  onBackendEvent(cb: (ev: BackendEvent) => void): () => void;
  /** Stop listening and drop every connection. */
  close(): Promise<void>;
}

/**
 * Builds the scheduler a service names; the daemon passes createScheduler from
 * sched/index.ts. `store` holds rr/wrr's position (the proxy shares it across processes).
 */
export type SchedulerFactory = (name: SchedulerName, flags: SchedulerFlags, store?: SchedStore) => Scheduler;

export interface ServiceFailure {
  readonly service: string;
  readonly error: HalbError;
}

export interface ApplyReport {
  /** Service keys (model.serviceKey) by outcome. */
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly updated: readonly string[];
  readonly unchanged: readonly string[];
  /** Services that could not listen; AddressNotAvailableError ones wait for addressAvailable(). */
  readonly failed: readonly ServiceFailure[];
}

/** Listening on a VIP that is not on any local interface (yet): errno EADDRNOTAVAIL. */
export class AddressNotAvailableError extends SysError {
  readonly address: string;
  readonly port: number;
  readonly protocol: L4Protocol;
  constructor(protocol: L4Protocol, address: string, port: number, options?: { cause?: unknown }) {
    super('bind', `cannot listen on ${protocol} ${address}:${port}: address not available on this host ` +
      '(waiting for the VIP; or set net.ipv4.ip_nonlocal_bind / net.ipv6.ip_nonlocal_bind = 1)', 'EADDRNOTAVAIL', options);
    this.address = address;
    this.port = port;
    this.protocol = protocol;
  }
}

/** Map a listen/bind failure to the typed error the daemon reports. */
export function listenError(protocol: L4Protocol, address: string, port: number, err: unknown): HalbError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRNOTAVAIL') return new AddressNotAvailableError(protocol, address, port, { cause: err });
  if (code === 'EACCES' && port < 1024) {
    return new PermissionError('CAP_NET_BIND_SERVICE', `cannot listen on ${protocol} ${address}:${port}: ports below 1024 need CAP_NET_BIND_SERVICE (or net.ipv4.ip_unprivileged_port_start)`, { cause: err });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new SysError('listen', `cannot listen on ${protocol} ${address}:${port}: ${msg}`, code, { cause: err });
}

export type BackendEventKind =
  /** The connection to the real server was established. */
  | 'connected'
  /** The real server answered the connect with a reset (ECONNREFUSED). */
  | 'connect-refused'
  /** The connect did not complete within the connect timeout. */
  | 'connect-timeout'
  /** Any other connect failure (EHOSTUNREACH, ENETUNREACH, ...). */
  | 'connect-error'
  /** An established connection was reset by the real server. */
  | 'reset'
  /** UDP: the real server's host answered with ICMP port unreachable. */
  | 'unreachable';

export interface BackendEvent {
  readonly kind: BackendEventKind;
  /** serviceKey of the virtual service. */
  readonly service: string;
  /** endpointKey of the real server. */
  readonly realServer: string;
  /** errno text when the kind comes from an error. */
  readonly code?: string;
  /** The engine Clock's monotonic ms. */
  readonly at: number;
  /** True when the client connection was retried on another real server. */
  readonly retried?: boolean;
}

export interface SnapshotOptions {
  /** Include the connection table (ipvsadm -Lnc); costs one entry per connection. */
  readonly connections?: boolean;
}

/** IPVS's per-service / per-destination counters and estimated rates (ipvsadm --stats / --rate). */
export type StatsSnapshot = IpvsStats;

export interface RealServerSnapshot {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  /** Weight as the scheduler sees it (0 when quiesced or inhibited). */
  readonly weight: number;
  /** ipvsadm's Forward column: NAT (and the proxy's full NAT) is Masq, DR Route, TUN Tunnel. */
  readonly forward: 'Masq' | 'Route' | 'Tunnel' | 'Local';
  readonly activeConns: number;
  readonly inactiveConns: number;
  readonly persistConns: number;
  readonly overloaded: boolean;
  /** Left the pool but still carries connections (ipvsadm no longer lists it). */
  readonly draining: boolean;
  readonly sorry: boolean;
  readonly stats: StatsSnapshot;
}

export type ListenerState = 'listening' | 'waiting-for-address' | 'failed';

export interface ServiceSnapshot {
  readonly key: string;
  readonly protocol: L4Protocol;
  /** A firewall-mark service (ipvs engine): listed as `FWM  N`; address is '0.0.0.0' or '::'. */
  readonly fwmark?: number;
  /** ipvs engine: one-packet scheduling (`ops`) and the persistence engine (`pe NAME`). */
  readonly onePacket?: boolean;
  readonly persistenceEngine?: string;
  readonly address: string;
  readonly port: number;
  readonly scheduler: SchedulerName;
  readonly schedulerFlags: SchedulerFlags;
  readonly persistence?: { readonly timeoutMs: number; readonly granularity: number };
  readonly listener: ListenerState;
  readonly listenError?: string;
  readonly quorumUp: boolean;
  readonly sorryActive: boolean;
  readonly stats: StatsSnapshot;
  readonly realServers: readonly RealServerSnapshot[];
}

/** ipvsadm -Lnc states; TEMPLATE rows are persistence templates (NONE in ipvsadm). */
export type ConnState = 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT' | 'CLOSE_WAIT' | 'CLOSE' | 'UDP' | 'NONE' | IpvsOnlyState;

/**
 * The rest of IPVS's own state names (the kernel's TCP and SCTP tables, as
 * /proc/net/ip_vs_conn and `ipvsadm -Lnc` print them); only the ipvs engine reports them.
 */
export const IPVS_ONLY_STATES = [
  'SYN_SENT', 'TIME_WAIT', 'LAST_ACK', 'LISTEN', 'SYNACK',
  'INIT1', 'INIT', 'COOKIE_SENT', 'COOKIE_REPLIED', 'COOKIE_WAIT', 'COOKIE_ECHOED',
  'SHUTDOWN_SENT', 'SHUTDOWN_RECEIVED', 'SHUTDOWN_ACK_SENT', 'REJECTED', 'CLOSED',
] as const;
export type IpvsOnlyState = (typeof IPVS_ONLY_STATES)[number];

export interface ConnectionSnapshot {
  /** IP for the template of a fwmark service (ipvs engine). */
  readonly protocol: L4Protocol | 'IP';
  readonly state: ConnState;
  /** Time left before the idle (or template) timeout. */
  readonly expiresInMs: number;
  readonly clientAddress: string;
  /** 0 for persistence templates. */
  readonly clientPort: number;
  readonly virtual: string;
  readonly destination: string;
}

export interface DataplaneSnapshot {
  readonly engine: string;
  /** Wall-clock ms when taken (for dumps). */
  readonly takenAt: number;
  readonly services: readonly ServiceSnapshot[];
  /** Sum over every service, as /proc/net/ip_vs_stats. */
  readonly totals: StatsSnapshot;
  readonly connections?: readonly ConnectionSnapshot[];
}
