// Addresses, routes and rules as keepalived configures them with netlink: the lines of
// static_ipaddress / virtual_ipaddress / virtual_ipaddress_excluded, static_routes /
// virtual_routes and static_rules / virtual_rules (keepalived/vrrp/vrrp_ipaddress.c,
// vrrp_iproute.c, vrrp_iprule.c). Names of scopes, tables, protocols and route types are
// resolved to their kernel numbers with iproute2's built-in tables.
import type { SourcePos } from '../diagnostics.js';

export type IpFamily = 4 | 6;

/** One address line: `ADDR[/LEN] [brd ADDR|+|-] [dev IF] [scope S] [label L] [peer ADDR] ...`. */
export interface IpAddressEntry {
  pos: SourcePos;
  address: string;
  family: IpFamily;
  /** /32 or /128 when not written; the peer's length when `peer ADDR/LEN` is given. */
  prefixLength: number;
  /** Explicit `brd`, or computed from `brd +` / `brd -`. IPv4 only. */
  broadcast?: string;
  /** `dev IF`; undefined means the instance's interface (VIPs) or default_interface (static). */
  device?: string;
  /** RT scope number (global 0, site 200, link 253, host 254, nowhere 255). IPv4 only. */
  scope?: number;
  /** IPv4 only, at most 15 characters. */
  label?: string;
  peer?: string;
  home: boolean;
  noDad: boolean;
  manageTempAddr: boolean;
  noPrefixRoute: boolean;
  autoJoin: boolean;
  /** Deletion by someone else does not make the instance leave MASTER. */
  noTrack: boolean;
  /** VIPs only: put this address on the instance's VMAC. */
  useVmac: boolean;
  /** Seconds, or 'forever'. Filled for IPv6 as keepalived does: /128 -> 0 (deprecated), else forever. */
  preferredLft?: number | 'forever';
  /** static_ipaddress only. */
  trackGroup?: string;
}

export type RouteType =
  | 'unicast' | 'local' | 'broadcast' | 'anycast' | 'multicast'
  | 'blackhole' | 'unreachable' | 'prohibit' | 'throw' | 'nat';

export interface NextHop {
  via?: string;
  device?: string;
  /** 1..256 as written (the kernel stores weight - 1). */
  weight?: number;
  onlink: boolean;
  realms?: string;
}

/** One `ip route`-style line. */
export interface IpRoute {
  pos: SourcePos;
  family: IpFamily;
  type: RouteType;
  /** `default`, or ADDR/LEN (length filled in when not written). */
  destination: string;
  /** `src ADDR`: preferred source. */
  src?: string;
  /** `from ADDR/LEN`: source-specific routing (IPv6 only). */
  from?: string;
  via?: string;
  device?: string;
  /** Routing table number (main 254 unless given). */
  table: number;
  metric?: number;
  scope?: number;
  protocol?: number;
  tos?: number;
  onlink: boolean;
  /** Route metrics (mtu, hoplimit, advmss, rtt, rttvar, reordering, window, cwnd, ssthresh,
   *  rto_min, initcwnd, initrwnd, quickack, fastopen_no_cookie, expires, pref, congctl,
   *  ttl-propagate, features, realms) as written. */
  metrics: Record<string, string>;
  /** Metrics written with `lock`. */
  locked: string[];
  nexthops: NextHop[];
  noTrack: boolean;
  trackGroup?: string;
}

export type RuleAction = 'table' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';

/** One `ip rule`-style line. */
export interface IpRule {
  pos: SourcePos;
  family: IpFamily;
  from?: string;
  to?: string;
  invert: boolean;
  /** keepalived assigns 16384, 16383, ... (per family) when no preference is given. */
  priority: number;
  action: RuleAction;
  table?: number;
  gotoTarget?: number;
  l3mdev: boolean;
  tos?: number;
  fwmark?: number;
  fwmask?: number;
  realms?: string;
  iif?: string;
  oif?: string;
  suppressPrefixLength?: number;
  suppressIfGroup?: string;
  tunnelId?: string;
  uidRange?: { start: number; end: number };
  protocol?: number;
  ipProto?: string;
  sport?: { start: number; end: number };
  dport?: { start: number; end: number };
  noTrack: boolean;
  trackGroup?: string;
}
