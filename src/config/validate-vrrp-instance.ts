// Completing one vrrp_instance once the whole file is read, as keepalived's
// vrrp_complete_instance() does (keepalived/vrrp/vrrp.c, Debian 2.2.7): derive the
// defaults that depend on other keywords or on global_defs, and report, with
// keepalived's words and without a line (it names none), what it fixes up.
import type { Diagnostics } from './diagnostics.js';
import type { GlobalDefs } from './model/global.js';
import type { KeepalivedConfig } from './model/index.js';
import type { VrrpInstance } from './model/vrrp.js';
import { instancePending, type InstancePending } from './keywords/pending.js';

const TIMER_HZ = 1_000_000;
const TIMER_CENTI_HZ = 10_000;
/** RFC 5798 §5.2.6: Priority 255 is the IP address owner. */
const VRRP_PRIO_OWNER = 255;

/** C's %f. */
function f6(v: number): string {
  return v.toFixed(6);
}

/** advert_int in keepalived's microseconds, rounded per version as keepalived does. */
function advertInterval(v: VrrpInstance, us: number, diag: Diagnostics): number {
  const n = v.name;
  if (v.version === 2) {
    // RFC 3768 §5.3.7: the Advertisement interval is in seconds (8 bits).
    if (us >= 256 * TIMER_HZ) {
      diag.error(undefined, `(${n}) VRRPv2 advertisement interval ${(us / TIMER_HZ).toFixed(2)}s is out of range. Must be less than 256s. Setting to 255s`);
      return 255 * TIMER_HZ;
    }
    if (us % TIMER_HZ !== 0) {
      diag.error(undefined, `(${n}) VRRPv2 advertisement interval ${f6(us / TIMER_HZ)}s must be an integer. rounding`);
      const r = us + TIMER_HZ / 2 - ((us + TIMER_HZ / 2) % TIMER_HZ);
      return r === 0 ? TIMER_HZ : r;
    }
    return us;
  }
  // RFC 5798 §5.2.7: Max Adver Int is a 12-bit field in centiseconds.
  if (us >= 4096 * TIMER_CENTI_HZ) {
    diag.error(undefined, `(${n}) VRRPv3 advertisement interval ${(us / TIMER_HZ).toFixed(2)}s is out of range. Must be less than 40.96s. Setting to 40.95s`);
    return 4095 * TIMER_CENTI_HZ;
  }
  if (us % TIMER_CENTI_HZ !== 0) {
    diag.error(undefined, `(${n}) VRRPv3 advertisement interval ${f6(us / TIMER_HZ)}s must be in units of 10ms - rounding`);
    const r = us + TIMER_CENTI_HZ / 2 - ((us + TIMER_CENTI_HZ / 2) % TIMER_CENTI_HZ);
    return r === 0 ? TIMER_CENTI_HZ : r;
  }
  return us;
}

function authentication(v: VrrpInstance, pend: InstancePending, diag: Diagnostics): void {
  const n = v.name;
  delete v.auth;
  if (pend.authType === undefined) return;
  if (v.strictMode) diag.error(undefined, `(${n}) Strict mode does not support authentication. Ignoring.`);
  else if (v.version === 3) diag.error(undefined, `(${n}) VRRP version 3 does not support authentication. Ignoring.`);
  else if (pend.authPass === undefined || pend.authPass === '') diag.error(undefined, `(${n}) Authentication specified but no password given. Ignoring`);
  else if (v.family === 6 && pend.authType === 'AH') diag.error(undefined, `(${n}) Cannot use AH authentication with IPv6. ignoring`);
  else {
    if (pend.authType === 'AH' && v.state === 'MASTER' && v.priority !== VRRP_PRIO_OWNER) {
      // An AH backup needs an advert's sequence number before it may take over.
      diag.error(undefined, `(${n}) Initial state master is incompatible with AH authentication - clearing`);
      v.state = 'BACKUP';
    }
    v.auth = { type: pend.authType, password: pend.authPass };
  }
}

/** keepalived's chk_min_cfg(): false when the instance cannot run at all. */
function minimalConfig(v: VrrpInstance, pend: InstancePending, diag: Diagnostics): boolean {
  if (v.vrid === 0) {
    diag.error(undefined, `(${v.name}) the virtual router id must be set`);
    return false;
  }
  // keepalived 2.2.7's -t wants an interface even for unicast; with a configured source
  // address and peers the daemon can find it, so we accept that form.
  if (v.interface === undefined && !(v.unicastPeers.length > 0 && pend.srcIpFromConfig)) {
    diag.error(undefined, `(${v.name}) Unknown interface!`);
    return false;
  }
  return true;
}

function strictAndPreempt(v: VrrpInstance, pend: InstancePending, g: GlobalDefs, diag: Diagnostics): void {
  const n = v.name;
  if (v.priority === VRRP_PRIO_OWNER && v.nopreempt) {
    diag.error(undefined, `(${n}) nopreempt is incompatible with priority ${VRRP_PRIO_OWNER}. resetting nopreempt`);
    v.nopreempt = false;
  }
  if (v.state === 'MASTER') {
    if (v.nopreempt) {
      diag.error(undefined, `(${n}) Warning - nopreempt will not work with initial state MASTER - clearing`);
      v.nopreempt = false;
    }
    if (v.preemptDelayMs > 0) {
      diag.error(undefined, `(${n}) Warning - preempt delay will not work with initial state MASTER - clearing`);
      v.preemptDelayMs = 0;
    }
  }
  if (v.preemptDelayMs > 0 && v.strictMode) {
    diag.error(undefined, `(${n}) preempt_delay is incompatible with strict mode - resetting`);
    v.preemptDelayMs = 0;
  }
  if (v.preemptDelayMs > 0 && v.nopreempt) {
    diag.error(undefined, `(${n}) preempt_delay is incompatible with nopreempt mode - resetting`);
    v.preemptDelayMs = 0;
  }
  v.downTimerAdverts = pend.downTimerAdverts ?? g.vrrpDownTimerAdverts;
  if (v.strictMode && v.downTimerAdverts !== 3) {
    diag.error(undefined, `(${n}) down_timer_adverts is incompatible with strict mode - resetting`);
    v.downTimerAdverts = 3;
  }
  // RFC 5798 §6.1 Accept_Mode defaults to False; keepalived defaults it on unless strict.
  v.accept = pend.accept ?? !v.strictMode;
  if (v.accept && v.priority !== VRRP_PRIO_OWNER && v.strictMode && v.version === 2) {
    diag.error(undefined, `(${n}) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting`);
    v.accept = false;
  }
  const strictFix = <T>(given: T | undefined, strictValue: T, dflt: T, msg: string): T => {
    if (given === undefined) return v.strictMode ? strictValue : dflt;
    if (v.strictMode && given !== strictValue) {
      diag.error(undefined, `(${n}) ${msg}`);
      return strictValue;
    }
    return given;
  };
  v.garp.lowerPrioRepeat = strictFix(pend.garpLowerPrioRepeat, 0, g.vrrpGarpLowerPrioRepeat, 'Strict mode requires no repeat garps. resetting');
  v.garp.lowerPrioDelayMs = strictFix(pend.garpLowerPrioDelayMs, 0, g.vrrpGarpLowerPrioDelayMs, 'Strict mode requires no repeat garp delay. resetting');
  v.lowerPrioNoAdvert = strictFix(pend.lowerPrioNoAdvert, true, g.vrrpLowerPrioNoAdvert, 'Strict mode requires no lower priority advert. resetting');
  v.higherPrioSendAdvert = strictFix(pend.higherPrioSendAdvert, false, g.vrrpHigherPrioSendAdvert, 'strict mode requires higher_prio_send_advert to be clear. resetting');
}

function vmacChecks(v: VrrpInstance, pend: InstancePending, diag: Diagnostics): void {
  const n = v.name;
  if (pend.vmacXmitBase && v.vmac === undefined) diag.error(undefined, `(${n}) vmac_xmit_base is only valid with a vmac`);
  if (v.vmac !== undefined && v.strictMode && v.vmac.xmitBase) {
    diag.error(undefined, `(${n}) xmit_base is incompatible with strict mode - resetting`);
    v.vmac.xmitBase = false;
  }
  if (v.promoteSecondaries && (v.vmac !== undefined || v.ipvlan !== undefined)) {
    diag.error(undefined, `(${n}) promote_secondaries is automatically set for vmacs - ignoring`);
    v.promoteSecondaries = false;
  }
  if (v.ipvlan !== undefined && v.family === 4 && v.ipvlan.address === undefined) {
    diag.error(undefined, `(${n}) IPv4 ipvlan requires a source ip address to be configured. setting instance to fault state`);
  }
}

/** Weighted trackers are ignored for address owners and, without sync_group_tracking_weight, in sync groups. */
function trackerWeights(cfg: KeepalivedConfig, v: VrrpInstance, diag: Diagnostics): void {
  const n = v.name;
  if (v.interface !== undefined) {
    const own = v.track.interfaces.find((t) => t.name === v.interface);
    if (own !== undefined) {
      diag.error(undefined, `(${n}) Ignoring track_interface ${own.name} since own interface`);
      v.track.interfaces = v.track.interfaces.filter((t) => t !== own);
    }
  }
  const group = cfg.syncGroups.find((g) => g.name === v.syncGroup);
  const syncNoWeight = group !== undefined && !group.trackingWeight;
  if (!syncNoWeight && v.priority !== VRRP_PRIO_OWNER) return;
  const why = syncNoWeight ? 'SYNC group' : 'address_owner';
  v.track.interfaces = v.track.interfaces.filter((t) => {
    if (t.weight === 0) return true;
    diag.error(undefined, `(${n}) ignoring ${t.name} tracked interface ${syncNoWeight ? 'weight ' : ''}due to ${syncNoWeight ? 'SYNC group' : 'address owner'}`);
    t.weight = 0;
    return syncNoWeight;
  });
  v.track.scripts = v.track.scripts.filter((t) => {
    if (t.weight === 0) return true;
    diag.error(undefined, `(${n}) ignoring tracked script ${t.name} with weights due to ${why}`);
    return false;
  });
  v.track.files = v.track.files.filter((t) => {
    if (t.weight === 0) return true;
    if (t.weight === 1) {
      // 1 is a track_file's default weight: keep the file, unweighted.
      diag.error(undefined, `(${n}) ignoring weight from tracked file ${t.name} due to ${why}. specify weight 0`);
      t.weight = 0;
      return true;
    }
    diag.error(undefined, `(${n}) ignoring tracked file ${t.name} with weight ${t.weight} due to ${why}`);
    return false;
  });
  v.track.bfds = v.track.bfds.filter((t) => {
    if (t.weight === 0) return true;
    diag.error(undefined, `(${n}) ignoring tracked bfd ${t.name} with weight ${t.weight} due to ${why}`);
    return false;
  });
}

/**
 * Complete one instance. Returns false when keepalived would refuse to start VRRP
 * (no VRID, no interface, no VIP where one is required).
 */
export function completeInstance(cfg: KeepalivedConfig, v: VrrpInstance, diag: Diagnostics): boolean {
  const g = cfg.global;
  const pend = instancePending(v);
  const n = v.name;
  v.strictMode = pend.strictMode ?? g.vrrpStrict;
  v.family = pend.family ?? 4;
  let version = pend.version;
  if (v.family === 6) {
    if (version === 2 && v.strictMode) {
      diag.error(undefined, `(${n}) cannot use IPv6 with VRRP version 2; setting version 3`);
      version = 3;
    } else version ??= 3;
  }
  v.version = version ?? g.vrrpVersion;
  if (v.vips.length === 0 && !v.allowNoVips) {
    if (v.version === 3 || v.family === 6 || v.strictMode) {
      diag.error(undefined, `(${n}) No VIP specified; at least one is required`);
      return false;
    }
    diag.error(undefined, `(${n}) No VIP specified; at least one is sensible`);
  }
  // keepalived: no priority means 255 (address owner) for state MASTER, else 100.
  if (!pend.priorityGiven) v.priority = pend.state === 'MASTER' ? VRRP_PRIO_OWNER : 100;
  if (pend.state === undefined) v.state = v.priority === VRRP_PRIO_OWNER ? 'MASTER' : 'BACKUP';
  else {
    v.state = pend.state;
    if (v.strictMode && (v.state === 'MASTER') !== (v.priority === VRRP_PRIO_OWNER)) {
      diag.error(undefined, `(${n}) State MASTER must match being address owner`);
      v.state = v.priority === VRRP_PRIO_OWNER ? 'MASTER' : 'BACKUP';
    }
  }
  authentication(v, pend, diag);
  if (!minimalConfig(v, pend, diag)) return false;
  if (v.unicastConfigured && v.unicastPeers.length === 0 && !v.unicastFaultNoPeer) {
    diag.error(undefined, `(${n}) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.`);
  }
  strictAndPreempt(v, pend, g, diag);
  v.smtpAlert = pend.smtpAlert ?? g.smtpAlertVrrp ?? g.smtpAlert ?? false;
  v.notifyPriorityChanges = pend.notifyPriorityChanges ?? g.vrrpNotifyPriorityChanges;
  v.advertIntMs = advertInterval(v, pend.advertIntUs ?? TIMER_HZ, diag) / 1000;
  if (!pend.srcIpFromConfig) v.trackSrcIp = false;
  vmacChecks(v, pend, diag);
  trackerWeights(cfg, v, diag);
  return true;
}
