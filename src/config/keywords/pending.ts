// What keepalived only settles once the whole file is read (vrrp_complete_instance(),
// init_global_data()): which values were written and which are still "unset". Kept
// beside the model, keyed by the model objects, so the model stays plain JSON data and
// validate-vrrp.ts can fill in the derived defaults.
import type { SourcePos } from '../diagnostics.js';
import type { GlobalDefs } from '../model/global.js';
import type { IpFamily } from '../model/ip.js';
import type { GarpGroup } from '../model/trackers.js';
import type { SyncGroup, VrrpInstance, VrrpState } from '../model/vrrp.js';

export interface InstancePending {
  state?: VrrpState;
  priorityGiven: boolean;
  version?: 2 | 3;
  /** From the first VIP, the source address, a peer or mcast_dst_ip. */
  family?: IpFamily;
  strictMode?: boolean;
  accept?: boolean;
  garpLowerPrioDelayMs?: number;
  garpLowerPrioRepeat?: number;
  lowerPrioNoAdvert?: boolean;
  higherPrioSendAdvert?: boolean;
  smtpAlert?: boolean;
  notifyPriorityChanges?: boolean;
  /** advert_int as written, in microseconds (keepalived's TIMER_HZ units). */
  advertIntUs?: number;
  srcIpFromConfig: boolean;
  /** Where `interface` was written (host checks report there, as keepalived does). */
  interfacePos?: SourcePos;
  /** vmac_xmit_base given (it needs use_vmac, which may come later in the block). */
  vmacXmitBase: boolean;
  authType?: 'PASS' | 'AH';
  /** auth_pass, already truncated to 8 characters. */
  authPass?: string;
  /** Where a `unicast_peer { }` block was written (possibly empty). */
  unicastPeerPos?: SourcePos;
  downTimerAdverts?: number;
}

export interface GroupPending {
  smtpAlert?: boolean;
  notifyPriorityChanges?: boolean;
}

export interface GlobalPending {
  lowerPrioDelaySet: boolean;
  lowerPrioRepeatSet: boolean;
}

const instances = new WeakMap<VrrpInstance, InstancePending>();
const groups = new WeakMap<SyncGroup, GroupPending>();
const globals = new WeakMap<GlobalDefs, GlobalPending>();

export function instancePending(v: VrrpInstance): InstancePending {
  let p = instances.get(v);
  if (p === undefined) {
    p = { priorityGiven: false, srcIpFromConfig: false, vmacXmitBase: false };
    instances.set(v, p);
  }
  return p;
}

export function groupPending(g: SyncGroup): GroupPending {
  let p = groups.get(g);
  if (p === undefined) {
    p = {};
    groups.set(g, p);
  }
  return p;
}

export function globalPending(g: GlobalDefs): GlobalPending {
  let p = globals.get(g);
  if (p === undefined) {
    p = { lowerPrioDelaySet: false, lowerPrioRepeatSet: false };
    globals.set(g, p);
  }
  return p;
}

const garpPositions = new WeakMap<GarpGroup, Map<string, SourcePos>>();

/** Where each interface of a garp_group was named (host checks report there). */
export function garpInterfacePos(g: GarpGroup): Map<string, SourcePos> {
  let m = garpPositions.get(g);
  if (m === undefined) {
    m = new Map();
    garpPositions.set(g, m);
  }
  return m;
}
