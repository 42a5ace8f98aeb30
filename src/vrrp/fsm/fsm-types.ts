// The data of the VRRP instance state machine: its configuration, state, input events and
// output actions. Everything is plain, readonly data so the I/O shell (engine/engine.ts) can log,
// persist and replay it; instance-fsm.ts holds the one function that moves between states.

import assert from 'node:assert/strict';
import { VRRP_ADVER_INT_DEFAULT_CS, VRRP_PRIO, VRRP_V3_MAX_ADVER_INT_CS } from '../proto/constants.js';
import { DEFAULT_DOWN_TIMER_ADVERTS, type VrrpVersion } from './timers.js';

/**
 * What the FSM needs to know about one vrrp_instance. The config parser's model is mapped
 * onto this; the field comments give the keepalived keyword and its default.
 */
export interface InstanceConfig {
  /** The instance name (`vrrp_instance VI_1`), printed as "(VI_1)" in every log line. */
  readonly name: string;
  /** `virtual_router_id` 1..255. */
  readonly vrid: number;
  /** `version` 2|3 (dflt `vrrp_version`, 2). */
  readonly version: VrrpVersion;
  /** `priority` 1..255 (dflt 100); 255 is the address owner. */
  readonly priority: number;
  /** `advert_int` in centiseconds (dflt 100 = 1 s; v2 only whole seconds, so a multiple of 100). */
  readonly advertIntCs: number;
  /** Our primary address (`mcast_src_ip`/`unicast_src_ip` or the interface's): the tie-breaker. */
  readonly primaryAddr: string;
  /** `state MASTER|BACKUP`: the initial wish (dflt BACKUP). */
  readonly initialState: 'MASTER' | 'BACKUP';
  /** false with `nopreempt` (dflt true). */
  readonly preempt: boolean;
  /** `preempt_delay` in ms (dflt 0). */
  readonly preemptDelayMs: number;
  /** `down_timer_adverts` 1..100 (dflt 3). */
  readonly downTimerAdverts: number;
  /** Global `vrrp_startup_delay` (or `vrrp_delay_after_boot`, the larger) in ms (dflt 0). */
  readonly startupDelayMs: number;
  /** `garp_master_delay` in ms: second GARP burst after becoming master, 0 = none (dflt 5 s). */
  readonly garpMasterDelayMs: number;
  /** `garp_master_repeat` (dflt 5). */
  readonly garpMasterRepeat: number;
  /** `garp_lower_prio_delay` in ms (dflt = garp_master_delay). */
  readonly garpLowerPrioDelayMs: number;
  /** `garp_lower_prio_repeat` (dflt = garp_master_repeat); 0 disables the re-GARP. */
  readonly garpLowerPrioRepeat: number;
  /** `garp_master_refresh` in ms, 0 = off (dflt 0). */
  readonly garpMasterRefreshMs: number;
  /** `garp_master_refresh_repeat` (dflt 1). */
  readonly garpMasterRefreshRepeat: number;
  /** `lower_prio_no_advert` (dflt false): a master does not answer a lower-priority advert. */
  readonly lowerPrioNoAdvert: boolean;
  /** `higher_prio_send_advert` (dflt false): a master sends one advert before yielding. */
  readonly higherPrioSendAdvert: boolean;
  /** `notify_priority_changes` (dflt false). */
  readonly notifyPriorityChanges: boolean;
}

/** The fields without a default. */
export type InstanceConfigInput = Pick<InstanceConfig, 'name' | 'vrid' | 'primaryAddr'> & Partial<InstanceConfig>;

/** Fill in keepalived's defaults and check the ranges the parser should already have enforced. */
export function instanceConfig(input: InstanceConfigInput): InstanceConfig {
  const garpMasterDelayMs = input.garpMasterDelayMs ?? 5000;
  const garpMasterRepeat = input.garpMasterRepeat ?? 5;
  const cfg: InstanceConfig = {
    version: 2,
    priority: VRRP_PRIO.DEFAULT,
    advertIntCs: VRRP_ADVER_INT_DEFAULT_CS,
    initialState: 'BACKUP',
    preempt: true,
    preemptDelayMs: 0,
    downTimerAdverts: DEFAULT_DOWN_TIMER_ADVERTS,
    startupDelayMs: 0,
    garpMasterRefreshMs: 0,
    garpMasterRefreshRepeat: 1,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    notifyPriorityChanges: false,
    ...input,
    garpMasterDelayMs,
    garpMasterRepeat,
    garpLowerPrioDelayMs: input.garpLowerPrioDelayMs ?? garpMasterDelayMs,
    garpLowerPrioRepeat: input.garpLowerPrioRepeat ?? garpMasterRepeat,
  };
  // A config that reaches the FSM has been validated by the parser: these are our bugs.
  assert.ok(cfg.vrid >= 1 && cfg.vrid <= 255, `(${cfg.name}) vrid ${cfg.vrid}`);
  assert.ok(cfg.priority >= 1 && cfg.priority <= 255, `(${cfg.name}) priority ${cfg.priority}`);
  assert.ok(cfg.advertIntCs >= 1 && cfg.advertIntCs <= VRRP_V3_MAX_ADVER_INT_CS, `(${cfg.name}) advertIntCs ${cfg.advertIntCs}`);
  assert.ok(cfg.downTimerAdverts >= 1 && cfg.downTimerAdverts <= 100, `(${cfg.name}) downTimerAdverts`);
  return cfg;
}

/** keepalived's VRRP_STATE_*: INIT 0, BACKUP 1, MASTER 2, FAULT 3, STOP 98. */
export type VrrpStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';
/** `wantstate`: where the instance would be, disregarding its sync group. */
export type WantState = 'BACKUP' | 'MASTER' | 'FAULT';
/** A sync group's state. */
export type GroupStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';

/** One reason the instance is held in FAULT (a weight-0 tracker, its interface, …). */
export interface FaultEntry {
  /** Stable identity, e.g. "script:chk_haproxy" or "interface:eth0". */
  readonly source: string;
  readonly reason: string;
  /**
   * The tracker has not reported yet (a weight-0 vrrp_script before its first run): the
   * instance waits in FAULT but, as in keepalived, no FAULT notify is sent for it.
   */
  readonly pending: boolean;
}

/** keepalived's per-instance counters (the `stats` of its JSON dump). */
export interface InstanceStats {
  readonly advertRcvd: number;
  readonly advertSent: number;
  readonly becomeMaster: number;
  readonly releaseMaster: number;
  readonly priZeroRcvd: number;
  readonly priZeroSent: number;
}

export interface InstanceState {
  readonly config: InstanceConfig;
  readonly state: VrrpStateName;
  readonly wantState: WantState;
  readonly effectivePriority: number;
  /** An owner that met another owner runs at 254 from then on (keepalived's workaround). */
  readonly ownerDemoted: boolean;
  /** Master_Adver_Interval: v3 backups adopt the master's; otherwise our own advert_int. */
  readonly masterAdverIntCs: number;
  /** keepalived's ms_down_timer (µs): the delay armed at the next reset of Master_Down_Timer. */
  readonly msDownTimerUs: number;
  /** ms_down_timer is Skew_Time only, after a priority-0 advert. */
  readonly msDownIsSkew: boolean;
  /** keepalived's `sands`: Master_Down_Timer in BACKUP, Adver_Timer in MASTER (Clock ms). */
  readonly sands: number | null;
  /** keepalived's preempt_time: lower-priority adverts are honoured until then. */
  readonly preemptTime: number | null;
  /** vrrp_startup_delay: no BACKUP timer runs out before this. */
  readonly delayedStartUntil: number | null;
  readonly faults: readonly FaultEntry[];
  /** VIPs are installed (keepalived's vipset). */
  readonly vipSet: boolean;
  readonly masterAddr: string | null;
  readonly masterPriority: number | null;
  /** The last lower-priority advert discarded in BACKUP: why a takeover is a preemption. */
  readonly lowerPrioSeen: { readonly addr: string; readonly priority: number } | null;
  /** Second GARP burst after becoming master (garp_master_delay). */
  readonly garpDelayedAt: number | null;
  /** Second GARP burst after a lower-priority advert (garp_lower_prio_delay). */
  readonly garpLowerPrioAt: number | null;
  /** Next periodic GARP refresh (garp_master_refresh), checked when an advert is sent. */
  readonly garpRefreshAt: number | null;
  readonly lastTransition: number | null;
  readonly stats: InstanceStats;
}

/** What a sync group tells a member before it steps (see sync-group.ts). */
export interface SyncView {
  readonly group: string;
  readonly groupState: GroupStateName;
  /** Every other member's wantState is MASTER (keepalived's vrrp_sync_can_goto_master). */
  readonly othersWantMaster: boolean;
  /** Another member is held in FAULT by its own trackers. */
  readonly othersFaulted: boolean;
}

export type VrrpEvent =
  /** Leave INIT (RFC 5798 §6.4.1 "If a Startup event is received"). */
  | { readonly kind: 'startup' }
  /** A validated ADVERTISEMENT for our VRID (the codec has already dropped bad ones). */
  | {
      readonly kind: 'advert';
      readonly priority: number;
      readonly srcAddr: string;
      /** Max Adver Int in centiseconds (v2: Adver Int seconds × 100). */
      readonly advertIntCs: number;
      /** Our own advert looped back to us: ignored. */
      readonly fromSelf?: boolean;
    }
  /**
   * The deadline returned as `nextDeadline` has passed. The FSM works out which of its
   * timers are due (Master_Down_Timer, Adver_Timer, delayed GARP bursts); an early or
   * spurious wake-up does nothing.
   */
  | { readonly kind: 'timer' }
  /** The effective priority computed by priority.ts changed. */
  | { readonly kind: 'priority-changed'; readonly priority: number }
  | { readonly kind: 'fault-raised'; readonly source: string; readonly reason: string; readonly pending?: boolean }
  | { readonly kind: 'fault-cleared'; readonly source: string; readonly reason?: string }
  /** RFC 5798 §6.4.2/§6.4.3 "If a Shutdown event is received". */
  | { readonly kind: 'shutdown' }
  | SyncEvent;

/** Sent by sync-group.ts to the other members (keepalived's vrrp_sync_* handlers). */
export type SyncEvent =
  | { readonly kind: 'sync-goto-master'; readonly group: string }
  | { readonly kind: 'sync-goto-backup'; readonly group: string }
  | { readonly kind: 'sync-fault'; readonly group: string }
  | { readonly kind: 'sync-lower-prio-garp'; readonly group: string };

export type GarpCause = 'become-master' | 'master-delay' | 'lower-prio' | 'lower-prio-delay' | 'refresh' | 'reload';

/** State or event name as keepalived's notify FIFO spells it. */
export type NotifyTarget =
  | 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP'
  | 'MASTER_RX_LOWER_PRI' | 'MASTER_PRIORITY' | 'BACKUP_PRIORITY';

export type LogLevel = 'info' | 'warning' | 'debug';

export type VrrpAction =
  | { readonly kind: 'send-advert'; readonly priority: number }
  | { readonly kind: 'add-vips' }
  | { readonly kind: 'del-vips' }
  /** Gratuitous ARP / unsolicited NA for every VIP, `repeat` times. */
  | { readonly kind: 'garp'; readonly repeat: number; readonly delayed: boolean; readonly cause: GarpCause }
  | { readonly kind: 'notify'; readonly to: NotifyTarget; readonly priority: number; readonly reason: string }
  /** `message` is keepalived's wording; `reason` says why, when the message alone does not. */
  | { readonly kind: 'log'; readonly level: LogLevel; readonly message: string; readonly reason?: string };

export interface StepResult {
  readonly state: InstanceState;
  readonly actions: readonly VrrpAction[];
  /** The earliest Clock time at which a `timer` event is needed, or null for none. */
  readonly nextDeadline: number | null;
}
