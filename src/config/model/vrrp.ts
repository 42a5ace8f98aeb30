// VRRP instances and sync groups, with keepalived's defaults filled in once
// validateVrrp() has run (see docs/config-defaults.md). Static addresses, routes and
// rules reuse the line types of model/ip.ts; trackers live in model/trackers.ts.
import type { SourcePos } from '../diagnostics.js';
import type { ScriptSpec } from '../readers.js';
import type { IpAddressEntry, IpFamily, IpRoute, IpRule } from './ip.js';
import type { TrackSet } from './trackers.js';

export type * from './ip.js';
export type * from './trackers.js';

export type StaticAddress = IpAddressEntry;
export type StaticRoute = IpRoute;
export type StaticRule = IpRule;

export type VrrpState = 'MASTER' | 'BACKUP';

/** Notify scripts of an instance or sync group (fire-and-forget, no timeout). */
export interface NotifySet {
  master?: ScriptSpec;
  backup?: ScriptSpec;
  fault?: ScriptSpec;
  stop?: ScriptSpec;
  /** `notify_deleted CMD`; instances only. */
  deleted?: ScriptSpec;
  /** `notify CMD`: called with TYPE NAME STATE PRIORITY appended. */
  generic?: ScriptSpec;
  /** Instances only. */
  masterRxLowerPri?: ScriptSpec;
  /** `notify_deleted` given: report DELETED rather than FAULT when the instance is removed. */
  reportDeleted: boolean;
}

/** `vrrp_sync_group NAME { ... }`. */
export interface SyncGroup {
  name: string;
  pos: SourcePos;
  /** Instance names from `group { }`, unknown ones removed by validation. */
  members: string[];
  track: TrackSet;
  notify: NotifySet;
  smtpAlert: boolean;
  notifyPriorityChanges: boolean;
  /** `sync_group_tracking_weight` (or deprecated `global_tracking`): members may keep weighted trackers. */
  trackingWeight: boolean;
}

export interface UnicastPeer {
  pos: SourcePos;
  address: string;
  minTtl: number;
  maxTtl: number;
}

export interface VrrpAuth {
  type: 'PASS' | 'AH';
  /** At most 8 characters (keepalived truncates). */
  password: string;
}

/** Gratuitous ARP / unsolicited NA timing of one instance. */
export interface GarpSettings {
  masterDelayMs: number;
  masterRepeat: number;
  /** 0 = no periodic refresh. */
  masterRefreshMs: number;
  masterRefreshRepeat: number;
  lowerPrioDelayMs: number;
  lowerPrioRepeat: number;
  /** `garp_extra_if [all] S`: periodic GARPs on the other VIP interfaces. */
  extraIfIntervalMs?: number;
  extraIfAll: boolean;
}

/** `use_vmac [[name] IFNAME] [MAC] [netlink_notify_msg] [group G]`. */
export interface VmacSettings {
  name?: string;
  mac?: string;
  netlinkNotifyMsg: boolean;
  group?: string;
  /** `vmac_xmit_base`: adverts on the base interface. */
  xmitBase: boolean;
}

/** `use_ipvlan [[name] IF] [ADDR] [bridge|private|vepa] [group G]`. */
export interface IpvlanSettings {
  name?: string;
  address?: string;
  mode: 'bridge' | 'private' | 'vepa';
  group?: string;
}

/** `vrrp_instance NAME { ... }`. */
export interface VrrpInstance {
  name: string;
  pos: SourcePos;
  /** Initial state; MASTER when priority is 255 and no state was given. */
  state: VrrpState;
  /** undefined when omitted or refused (loopback). */
  interface?: string;
  /** 1..255; 0 only alongside the error "the virtual router id must be set". */
  vrid: number;
  /** Base priority 1..255 (255 = address owner). */
  priority: number;
  /** v2: whole seconds; v3: centiseconds. */
  advertIntMs: number;
  version: 2 | 3;
  /** Family of the adverts: from the VIPs, else the source / peers, else IPv4. */
  family: IpFamily;
  nopreempt: boolean;
  preemptDelayMs: number;
  downTimerAdverts: number;
  strictMode: boolean;
  accept: boolean;
  dontTrackPrimary: boolean;
  skipCheckAdvAddr: boolean;
  lowerPrioNoAdvert: boolean;
  higherPrioSendAdvert: boolean;
  /** mcast_src_ip / unicast_src_ip. */
  srcIp?: string;
  trackSrcIp: boolean;
  mcastDstIp?: string;
  unicastPeers: UnicastPeer[];
  /** unicast_ttl; only meaningful with peers. */
  unicastTtl?: number;
  /** A unicast keyword was used (unicast_peer, unicast_src_ip, unicast_fault_no_peer, ...). */
  unicastConfigured: boolean;
  unicastFaultNoPeer: boolean;
  checkUnicastSrc: boolean;
  vrf?: string;
  auth?: VrrpAuth;
  /** `no_virtual_ipaddress` (keepalived > 2.2.7): zero VIPs allowed, e.g. cloud floating IPs via notify scripts. */
  allowNoVips: boolean;
  /** virtual_ipaddress: one family, sent in adverts. */
  vips: IpAddressEntry[];
  /** virtual_ipaddress_excluded: not advertised, families may mix. */
  evips: IpAddressEntry[];
  virtualRoutes: IpRoute[];
  virtualRules: IpRule[];
  promoteSecondaries: boolean;
  track: TrackSet;
  notify: NotifySet;
  smtpAlert: boolean;
  notifyPriorityChanges: boolean;
  garp: GarpSettings;
  vmac?: VmacSettings;
  /** `use_vmac_addr`: VMACs for VIPs on other interfaces. */
  useVmacAddr: boolean;
  ipvlan?: IpvlanSettings;
  kernelRxBufSize?: number;
  debug: number;
  /** `owner_ignore_adverts` (keepalived > 2.2.7): a priority-255 owner ignores received adverts. */
  ownerIgnoreAdverts: boolean;
  /** `timer_expired_backup [PRIO]` (keepalived > 2.2.7): with nopreempt, go back to BACKUP if we ran late. */
  timerExpiredBackup?: number;
  v3ChecksumAsV2: boolean;
  oldUnicastChecksum?: 'config' | 'never';
  linkbeatUsePolling: boolean;
  /** Deprecated `lvs_sync_daemon_interface IF`. */
  lvsSyncDaemonInterface?: string;
  /** Name of the sync group this instance belongs to (filled by validation). */
  syncGroup?: string;
}
