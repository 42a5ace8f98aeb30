// The engine-neutral desired state the daemon hands a dataplane (proxy or nftables),
// and the pure helpers every engine shares: canonical keys, validation, the pool as
// IPVS would hold it (health, inhibit_on_failure, quorum and sorry server folded in),
// and the difference between two desired states that apply() acts on.
//
// The daemon computes health and quorum; the dataplane only turns them into pool
// membership the way keepalived's check/ipwrapper.c drives IPVS: a dead real server is
// removed (or kept with weight 0 under inhibit_on_failure); while quorum is lost and a
// sorry server is set, every real server leaves the pool and the sorry server alone
// takes new connections.

import { isIP } from 'node:net';
import { canonicalAddress as canonicalText } from '../core/address.js';
import { HalbError } from '../core/errors.js';
import type { IpvsTunnel } from '../core/ipvs-types.js';
import type { SchedulerFlags, SchedulerName } from './sched/types.js';

/** SCTP only reaches the ipvs engine (config-to-desired keeps it from the others). */
export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';

/**
 * lb_kind / lvs_method: how a real server is reached. NAT rewrites the destination (the
 * reply must come back through the director); DR keeps the packet and changes only the
 * destination MAC (the real server holds the VIP and answers the client itself); TUN
 * encapsulates in IP-in-IP. The proxy engine carries every kind as full NAT.
 */
export type ForwardingMethod = 'NAT' | 'DR' | 'TUN';

/** ipvsadm's Forward column for each method. */
export const FORWARD_COLUMN = { NAT: 'Masq', DR: 'Route', TUN: 'Tunnel' } as const satisfies Record<ForwardingMethod, string>;

/** Idle timeouts as `ipvsadm --set tcp tcpfin udp` keeps them, in ms. */
export interface IdleTimeouts {
  /** Established TCP connection without traffic. */
  readonly tcpMs: number;
  /** TCP connection after a FIN in either direction (IPVS FIN_WAIT/CLOSE_WAIT). */
  readonly tcpFinMs: number;
  /** UDP flow without traffic. */
  readonly udpMs: number;
}

/** IPVS's defaults (ip_vs_proto_tcp.c / ip_vs_proto_udp.c): 15 min, 2 min, 5 min. */
export const IPVS_DEFAULT_TIMEOUTS: IdleTimeouts = { tcpMs: 900_000, tcpFinMs: 120_000, udpMs: 300_000 };

/** keepalived: `persistence_timeout` given without a value means 360 s. */
export const DEFAULT_PERSISTENCE_TIMEOUT_MS = 360_000;

export interface RealServerSpec {
  readonly address: string;
  readonly port: number;
  /** Configured weight; 0 quiesces the server (established connections finish, no new ones). */
  readonly weight: number;
  /** The daemon's verdict from the health checkers. */
  readonly healthy: boolean;
  /** inhibit_on_failure: when unhealthy, keep it in the pool with weight 0 instead of removing it. */
  readonly inhibitOnFailure?: boolean;
  /** uthreshold: no new connections once active+inactive reaches this (0 = no limit). */
  readonly upperThreshold?: number;
  /** lthreshold: new connections again once below this (0 = below 3/4 of uthreshold, as IPVS). */
  readonly lowerThreshold?: number;
  /** lvs_method of this real server; defaults to the service's `forwarding`. */
  readonly forwarding?: ForwardingMethod;
  /** TUN's encapsulation when not plain ipip (the ipvs engine sends it; the others have no tunnels). */
  readonly tunnel?: IpvsTunnel;
}

export interface SorryServerSpec {
  readonly address: string;
  readonly port: number;
  /** sorry_server_inhibit: while quorum is up keep it in the pool with weight 0 instead of removing it. */
  readonly inhibit?: boolean;
  /** lvs_method of the sorry server; defaults to the service's `forwarding`. */
  readonly forwarding?: ForwardingMethod;
  readonly tunnel?: IpvsTunnel;
}

export interface PersistenceSpec {
  /** Template lifetime after the last new connection of the client (persistence_timeout). */
  readonly timeoutMs: number;
  /**
   * persistence_granularity as a prefix length: clients whose addresses agree on the first
   * `granularity` bits share one template. Defaults to 32 (IPv4) / 128 (IPv6). keepalived's
   * dotted IPv4 mask is converted to its prefix length by the config layer.
   */
  readonly granularity?: number;
}

export interface VirtualServiceSpec {
  /** Ignored by IPVS for a fwmark service. */
  readonly protocol: L4Protocol;
  /**
   * A firewall-mark service (ipvsadm -f): packets carrying the mark, whatever their
   * address and port. `address` is then '0.0.0.0' or '::' (only its family counts) and
   * `port` 0. Only the ipvs engine carries them.
   */
  readonly fwmark?: number;
  /** `ops`: one-packet scheduling (each UDP datagram scheduled alone); ipvs engine only. */
  readonly onePacket?: boolean;
  /** persistence_engine (e.g. "sip"); ipvs engine only. */
  readonly persistenceEngine?: string;
  /** The VIP, IPv4 or IPv6 (the service key uses its canonical form). */
  readonly address: string;
  readonly port: number;
  readonly scheduler: SchedulerName;
  readonly schedulerFlags?: SchedulerFlags;
  readonly persistence?: PersistenceSpec;
  readonly sorryServer?: SorryServerSpec;
  /** Quorum as the daemon computes it (sum of alive weights vs quorum ± hysteresis). */
  readonly quorumUp: boolean;
  /** Overrides of the global idle timeouts for this service. */
  readonly timeouts?: Partial<IdleTimeouts>;
  /** Proxy engines: give up on a real server that has not answered the connect after this long. */
  readonly connectTimeoutMs?: number;
  /** lb_kind: the default forwarding method of the real servers; NAT when absent. */
  readonly forwarding?: ForwardingMethod;
  readonly realServers: readonly RealServerSpec[];
}

export interface DesiredState {
  readonly services: readonly VirtualServiceSpec[];
  /** Global idle timeouts (IPVS keeps them per network namespace); defaults to IPVS's. */
  readonly timeouts?: Partial<IdleTimeouts>;
}

/** One member of a service's pool as IPVS would list it. */
export interface PoolEntry {
  /** `addr:port`, IPv6 in brackets: the identity engines keep state under. */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  readonly sorry: boolean;
}

/** The desired state is produced by our own daemon; a bad one is a bug upstream, refused whole. */
export class DesiredStateError extends HalbError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('HALB_ERR_CONFIG', `invalid dataplane state: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/** Canonical text of an address: IPv4 dotted quad, IPv6 as RFC 5952. Throws on non-addresses. */
export function canonicalAddress(address: string): string {
  const c = isIP(address) !== 0 ? canonicalText(address) : undefined;
  if (c === undefined) throw new DesiredStateError([`'${address}' is not an IP address`]);
  return c;
}

export function endpointKey(address: string, port: number): string {
  const a = canonicalAddress(address);
  return isIP(a) === 6 ? `[${a}]:${port}` : `${a}:${port}`;
}

/** `TCP:[2001:db8::1]:80`: a service's identity; a listener lives exactly as long as its key. */
export function serviceKey(svc: Pick<VirtualServiceSpec, 'protocol' | 'address' | 'port'> & { readonly fwmark?: number | undefined }): string {
  if (svc.fwmark !== undefined) return `FWM:${svc.fwmark}${isIP(svc.address) === 6 ? ':v6' : ''}`;
  return `${svc.protocol}:${endpointKey(svc.address, svc.port)}`;
}

/** The forwarding method of `rs` (a real or sorry server of `svc`), or of the service itself. */
export function forwardingOf(svc: VirtualServiceSpec, rs?: { readonly forwarding?: ForwardingMethod }): ForwardingMethod {
  return rs?.forwarding ?? svc.forwarding ?? 'NAT';
}

export function effectiveTimeouts(state: DesiredState, svc: VirtualServiceSpec): IdleTimeouts {
  return { ...IPVS_DEFAULT_TIMEOUTS, ...state.timeouts, ...svc.timeouts };
}

/** Prefix length a template is keyed on, defaulted per family. */
export function persistencePrefix(svc: VirtualServiceSpec): number {
  const max = isIP(svc.address) === 6 ? 128 : 32;
  return svc.persistence?.granularity ?? max;
}

const validPort = (p: number): boolean => Number.isInteger(p) && p >= 1 && p <= 65535;
const validCount = (n: number | undefined): boolean => n === undefined || (Number.isInteger(n) && n >= 0);

/** Every problem in `state`, empty when it can be applied. */
export function validateDesired(state: DesiredState): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const svc of state.services) {
    const where = `${svc.protocol} ${svc.address}:${svc.port}`;
    if (svc.protocol !== 'TCP' && svc.protocol !== 'UDP' && svc.protocol !== 'SCTP') problems.push(`${where}: protocol must be TCP, UDP or SCTP`);
    if (isIP(svc.address) === 0) { problems.push(`${where}: '${svc.address}' is not an IP address`); continue; }
    if (svc.fwmark !== undefined) {
      if (!(Number.isInteger(svc.fwmark) && svc.fwmark >= 1 && svc.fwmark <= 0xffffffff)) problems.push(`${where}: fwmark must be 1..4294967295`);
    } else if (!validPort(svc.port)) problems.push(`${where}: port must be 1..65535`);
    const key = serviceKey(svc);
    if (seen.has(key)) problems.push(`${where}: duplicate virtual service ${key}`);
    seen.add(key);
    const max = isIP(svc.address) === 6 ? 128 : 32;
    const g = svc.persistence?.granularity;
    if (g !== undefined && !(Number.isInteger(g) && g >= 0 && g <= max)) problems.push(`${where}: persistence granularity must be a prefix length 0..${max}`);
    if (svc.persistence && !(svc.persistence.timeoutMs > 0)) problems.push(`${where}: persistence timeout must be > 0`);
    if (svc.connectTimeoutMs !== undefined && !(svc.connectTimeoutMs > 0)) problems.push(`${where}: connect timeout must be > 0`);
    for (const [name, v] of Object.entries(svc.timeouts ?? {})) {
      if (!(typeof v === 'number' && v > 0)) problems.push(`${where}: timeout ${name} must be > 0`);
    }
    const rsSeen = new Set<string>();
    const family = isIP(svc.address);
    for (const rs of [...svc.realServers, ...(svc.sorryServer ? [svc.sorryServer] : [])]) {
      const rw = `${where} -> ${rs.address}:${rs.port}`;
      if (isIP(rs.address) === 0) { problems.push(`${rw}: not an IP address`); continue; }
      if (isIP(rs.address) !== family) problems.push(`${rw}: real server family differs from the virtual service (full NAT keeps families apart, as IPVS NAT does)`);
      // A fwmark service's real servers may leave the port out (0: the packet's own).
      if (!validPort(rs.port) && !(svc.fwmark !== undefined && rs.port === 0)) problems.push(`${rw}: port must be 1..65535`);
      if (rs === svc.sorryServer) continue;
      const r = rs as RealServerSpec;
      if (!(Number.isInteger(r.weight) && r.weight >= 0)) problems.push(`${rw}: weight must be an integer >= 0`);
      if (!validCount(r.upperThreshold) || !validCount(r.lowerThreshold)) problems.push(`${rw}: thresholds must be integers >= 0`);
      const k = endpointKey(rs.address, rs.port);
      if (rsSeen.has(k)) problems.push(`${rw}: duplicate real server`);
      rsSeen.add(k);
    }
  }
  for (const [name, v] of Object.entries(state.timeouts ?? {})) {
    if (!(typeof v === 'number' && v > 0)) problems.push(`timeout ${name} must be > 0`);
  }
  return problems;
}

/**
 * The pool IPVS would hold for `svc`, in configuration order (the sorry server last).
 * keepalived: a failed real server is removed, or set to weight 0 with inhibit_on_failure;
 * on quorum loss with a sorry server, the sorry server is added (weight 1) and the alive
 * real servers are cleared the same way; sorry_server_inhibit keeps the sorry server at
 * weight 0 while quorum is up.
 */
export function poolOf(svc: VirtualServiceSpec): PoolEntry[] {
  const pool: PoolEntry[] = [];
  const sorryActive = !svc.quorumUp && svc.sorryServer !== undefined;
  for (const rs of svc.realServers) {
    const inhibit = rs.inhibitOnFailure === true;
    if (sorryActive || !rs.healthy) {
      if (!inhibit) continue;
    }
    pool.push({
      key: endpointKey(rs.address, rs.port),
      address: canonicalAddress(rs.address),
      port: rs.port,
      weight: sorryActive || !rs.healthy ? 0 : rs.weight,
      upperThreshold: rs.upperThreshold ?? 0,
      lowerThreshold: rs.lowerThreshold ?? 0,
      sorry: false,
    });
  }
  const s = svc.sorryServer;
  if (s && (sorryActive || s.inhibit === true)) {
    const key = endpointKey(s.address, s.port);
    const weight = sorryActive ? 1 : 0;
    const same = pool.findIndex((p) => p.key === key);
    // One destination per address:port, as in IPVS: a sorry server that is also a real
    // server is the same destination, taking the larger weight.
    if (same >= 0) {
      const prev = pool[same]!;
      pool[same] = { ...prev, weight: Math.max(prev.weight, weight), sorry: true };
    } else {
      pool.push({ key, address: canonicalAddress(s.address), port: s.port, weight, upperThreshold: 0, lowerThreshold: 0, sorry: true });
    }
  }
  return pool;
}

export interface PoolDiff {
  readonly added: readonly PoolEntry[];
  /** Left the pool: established connections drain, no new ones. */
  readonly removed: readonly PoolEntry[];
  /** Still in the pool with another weight or threshold. */
  readonly updated: readonly PoolEntry[];
}

export function diffPools(prev: readonly PoolEntry[], next: readonly PoolEntry[]): PoolDiff {
  const before = new Map(prev.map((p) => [p.key, p]));
  const after = new Set(next.map((p) => p.key));
  const added: PoolEntry[] = [];
  const updated: PoolEntry[] = [];
  for (const p of next) {
    const b = before.get(p.key);
    if (!b) added.push(p);
    else if (b.weight !== p.weight || b.upperThreshold !== p.upperThreshold || b.lowerThreshold !== p.lowerThreshold || b.sorry !== p.sorry) updated.push(p);
  }
  const removed = prev.filter((p) => !after.has(p.key));
  return { added, removed, updated };
}

export interface ServiceChange {
  readonly key: string;
  readonly prev: VirtualServiceSpec;
  readonly next: VirtualServiceSpec;
  readonly schedulerChanged: boolean;
  readonly persistenceChanged: boolean;
  /** Timeouts, connect timeout, quorum, sorry-server settings or forwarding methods differ (pool effects are in `pool`). */
  readonly settingsChanged: boolean;
  readonly pool: PoolDiff;
}

export interface DesiredDiff {
  readonly added: readonly VirtualServiceSpec[];
  /** Listener closes; established connections finish. */
  readonly removed: readonly VirtualServiceSpec[];
  /** Same key: the listener and its connections stay; only what changed is touched. */
  readonly changed: readonly ServiceChange[];
  readonly unchanged: readonly VirtualServiceSpec[];
}

const sameFlags = (a: SchedulerFlags | undefined, b: SchedulerFlags | undefined): boolean =>
  (a?.port === true) === (b?.port === true) && (a?.fallback === true) === (b?.fallback === true);

const samePersistence = (a: VirtualServiceSpec, b: VirtualServiceSpec): boolean =>
  (a.persistence === undefined) === (b.persistence === undefined) &&
  (a.persistence === undefined || (a.persistence.timeoutMs === b.persistence?.timeoutMs && persistencePrefix(a) === persistencePrefix(b)));

function sameSettings(pa: DesiredState, a: VirtualServiceSpec, pb: DesiredState, b: VirtualServiceSpec): boolean {
  const ta = effectiveTimeouts(pa, a);
  const tb = effectiveTimeouts(pb, b);
  const sa = a.sorryServer;
  const sb = b.sorryServer;
  const fa = [forwardingOf(a), ...a.realServers.map((r) => forwardingOf(a, r)), forwardingOf(a, sa)].join();
  const fb = [forwardingOf(b), ...b.realServers.map((r) => forwardingOf(b, r)), forwardingOf(b, sb)].join();
  return fa === fb && ta.tcpMs === tb.tcpMs && ta.tcpFinMs === tb.tcpFinMs && ta.udpMs === tb.udpMs &&
    a.connectTimeoutMs === b.connectTimeoutMs && a.quorumUp === b.quorumUp &&
    (sa === undefined) === (sb === undefined) &&
    (sa === undefined || (endpointKey(sa.address, sa.port) === endpointKey(sb!.address, sb!.port) && (sa.inhibit === true) === (sb!.inhibit === true)));
}

/** What apply() must do to go from `prev` (undefined: nothing running) to `next`. Pure. */
export function diffDesired(prev: DesiredState | undefined, next: DesiredState): DesiredDiff {
  const before = new Map((prev?.services ?? []).map((s) => [serviceKey(s), s]));
  const prevState = prev ?? { services: [] };
  const added: VirtualServiceSpec[] = [];
  const changed: ServiceChange[] = [];
  const unchanged: VirtualServiceSpec[] = [];
  const kept = new Set<string>();
  for (const svc of next.services) {
    const key = serviceKey(svc);
    const old = before.get(key);
    if (!old) { added.push(svc); continue; }
    kept.add(key);
    const schedulerChanged = old.scheduler !== svc.scheduler || !sameFlags(old.schedulerFlags, svc.schedulerFlags) ||
      (old.onePacket === true) !== (svc.onePacket === true) || old.persistenceEngine !== svc.persistenceEngine;
    const persistenceChanged = !samePersistence(old, svc);
    const settingsChanged = !sameSettings(prevState, old, next, svc);
    const pool = diffPools(poolOf(old), poolOf(svc));
    const poolSame = pool.added.length === 0 && pool.removed.length === 0 && pool.updated.length === 0 &&
      poolOf(old).map((p) => p.key).join() === poolOf(svc).map((p) => p.key).join();
    if (!schedulerChanged && !persistenceChanged && !settingsChanged && poolSame) unchanged.push(svc);
    else changed.push({ key, prev: old, next: svc, schedulerChanged, persistenceChanged, settingsChanged, pool });
  }
  const removed = [...before].filter(([k]) => !kept.has(k)).map(([, s]) => s);
  return { added, removed, changed, unchanged };
}
