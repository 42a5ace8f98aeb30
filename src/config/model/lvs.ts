// The LVS side of the model: virtual_server_group, virtual_server, real_server, the
// sorry server and the top-level SSL block (keepalived's check/check_data.h). Values are
// effective ones: what a real server or checker does not set is inherited from its
// virtual server, and keepalived's defaults fill the rest (docs/config-defaults.md).
// Plain JSON data; durations in milliseconds.
import type { IpvsTunnel } from '../../core/ipvs-types.js';
import type { SourcePos } from '../diagnostics.js';
import type { Family as IpFamily, ScriptSpec } from '../readers.js';
import type { Checker } from './checkers.js';

export type * from './checkers.js';

/** The schedulers keepalived 2.2.7 accepts (its lvs_schedulers[] table). */
export const LVS_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'sh', 'mh', 'dh', 'fo', 'ovf', 'lblcr', 'sed', 'nq'] as const;
export type LvsScheduler = (typeof LVS_SCHEDULERS)[number];

export type LvsProtocol = 'TCP' | 'UDP' | 'SCTP';

/** lvs_method / lb_kind: masquerading, direct routing, tunnelling. */
export type LvsMethod = 'NAT' | 'DR' | 'TUN';

/** lvs_method TUN's options: IPVS's own vocabulary. */
export type TunnelOptions = IpvsTunnel;

export interface Forwarding {
  readonly method: LvsMethod;
  /** Present when method is TUN. */
  readonly tunnel?: TunnelOptions;
}

/**
 * ipvsadm -b flags. keepalived stores flag-1/sh-fallback/mh-fallback in one kernel bit
 * and flag-2/sh-port/mh-port in another; they stay separate here so the dataplane sees
 * what was written. sh-* apply only with `sh`, mh-* only with `mh`.
 */
export interface SchedulerFlags {
  flag1: boolean;
  flag2: boolean;
  flag3: boolean;
  shPort: boolean;
  shFallback: boolean;
  mhPort: boolean;
  mhFallback: boolean;
  /** `ops`: one-packet scheduling (UDP only; cleared for TCP/SCTP as keepalived does). */
  onePacket: boolean;
}

/** One line of a virtual_server_group. */
export type VsgEntry =
  | {
    readonly kind: 'range';
    readonly pos: SourcePos;
    readonly family: IpFamily;
    /** First and last address; equal for a single address. */
    readonly start: string;
    readonly end: string;
    /** 0 when not given (only valid for persistent services). */
    readonly port: number;
  }
  | {
    readonly kind: 'fwmark';
    readonly pos: SourcePos;
    readonly fwmark: number;
    /** `fwmark N inet|inet6`; absent when no family was given. */
    readonly family?: IpFamily;
  };

export interface VirtualServerGroup {
  readonly pos: SourcePos;
  readonly name: string;
  readonly entries: VsgEntry[];
}

/** How the virtual server is keyed: `ADDR PORT`, `fwmark N` or `group NAME`. */
export type VsKey =
  | { readonly kind: 'addr'; readonly addr: string; readonly family: IpFamily; readonly port: number }
  | { readonly kind: 'fwmark'; readonly fwmark: number }
  | { readonly kind: 'group'; readonly group: string };

/** Timing a real server hands down to its checkers (all values effective after inheritance). */
export interface CheckerDefaults {
  delayLoopMs: number;
  connectTimeoutMs: number;
  /** Absent: each checker uses its own default (1; DNS 3; MISC 0). */
  retry?: number;
  /** Absent: each checker uses its own default (1 s; HTTP/SSL 3 s; DNS delay_loop). */
  delayBeforeRetryMs?: number;
  /** Absent: each checker waits a random time up to its delay_loop. */
  warmupMs?: number;
}

export interface SorryServer {
  readonly pos: SourcePos;
  addr: string;
  family: IpFamily;
  /** Given, else the service's port (address services); 0 = none (fwmark services). */
  port: number;
  forwarding: Forwarding;
  /** sorry_server_inhibit. */
  inhibitOnFailure: boolean;
}

export interface RealServer extends CheckerDefaults {
  readonly pos: SourcePos;
  addr: string;
  family: IpFamily;
  /** Given, else the service's port (address services); 0 = none (fwmark services). */
  port: number;
  /** IPVS weight (0..2147483647); defaults to the virtual server's `weight`, itself 1. */
  weight: number;
  forwarding: Forwarding;
  /** uthreshold: maximum connections (0 = no limit). */
  upperThreshold: number;
  /** lthreshold: connections below which the server takes new ones again. */
  lowerThreshold: number;
  inhibitOnFailure: boolean;
  alpha: boolean;
  smtpAlert: boolean;
  virtualhost?: string;
  snmpName?: string;
  notifyUp?: ScriptSpec;
  notifyDown?: ScriptSpec;
  /** The real server is alive only when every checker is up. */
  checkers: Checker[];
}

/** keepalived defaults a validation pass fills in (and reports), kept so tools can show them. */
export type LvsDefaulted = 'protocol' | 'scheduler' | 'method';

/** What a virtual_server block sets that the parser's draft and the model share as is. */
export interface VsSettings {
  /** Absent for fwmark services, where IPVS ignores it. */
  protocol?: LvsProtocol;
  /** 0 = not persistent. */
  persistenceTimeoutMs: number;
  /** Prefix length clients are grouped by (from a netmask for IPv4); absent = /32 or /128. */
  persistenceGranularity?: number;
  persistenceEngine?: string;
  haSuspend: boolean;
  alpha: boolean;
  omega: boolean;
  quorum: number;
  hysteresis: number;
  quorumUp?: ScriptSpec;
  quorumDown?: ScriptSpec;
  /** Default weight of the real servers. */
  weight: number;
  virtualhost?: string;
  snmpName?: string;
  inhibitOnFailure: boolean;
}

export interface VirtualServer extends CheckerDefaults, VsSettings {
  readonly pos: SourcePos;
  readonly key: VsKey;
  /** keepalived's label (FMT_VS): `[192.0.2.1]:tcp:80`, `FWM 5`, `[group]:0`. */
  label: string;
  /** Address family: the VIP's, `ip_family`, or taken from the real servers (fwmark). */
  family?: IpFamily;
  scheduler: LvsScheduler;
  flags: SchedulerFlags;
  /** Default forwarding of the real servers (lvs_method / lb_kind), NAT if unset. */
  forwarding: Forwarding;
  smtpAlert: boolean;
  sorryServer?: SorryServer;
  realServers: RealServer[];
  /** Which of protocol / scheduler / method keepalived's defaults supplied. */
  defaulted: LvsDefaulted[];
}

/** The top-level `SSL { }` block: client context for SSL_GET (generated when absent). */
export interface SslConfig {
  readonly pos: SourcePos;
  password?: string;
  ca?: string;
  certificate?: string;
  key?: string;
}
