// The state transitions shared by the VRRP instance FSM's event handlers, named after the
// keepalived functions they mirror (keepalived/vrrp/vrrp.c): vrrp_state_goto_master,
// vrrp_state_master_tx, vrrp_state_become_master, vrrp_state_leave_master,
// vrrp_state_leave_fault, down_instance, try_up_instance. They work on a Tx: a mutable
// draft of the instance state plus the actions emitted so far, committed by instance-fsm.ts.

import { VRRP_PRIO } from '../proto/constants.js';
import type {
  FaultEntry, GarpCause, InstanceState, LogLevel, NotifyTarget, StepResult, SyncView, VrrpAction, WantState,
} from './fsm-types.js';
import {
  adverIntUs, isOwnerPriority, masterDownIntervalUs, skewTimeMinUs, skewTimeUs, usToMs,
} from './timers.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One step in progress: the draft state, the actions so far, and the time. */
export class Tx {
  readonly s: Mutable<InstanceState>;
  readonly actions: VrrpAction[] = [];
  readonly now: number;

  constructor(state: InstanceState, now: number) {
    this.s = { ...state };
    this.now = now;
  }

  get name(): string {
    return this.s.config.name;
  }

  log(message: string, reason?: string, level: LogLevel = 'info'): void {
    this.actions.push(reason === undefined ? { kind: 'log', level, message } : { kind: 'log', level, message, reason });
  }

  sendAdvert(priority: number): void {
    this.actions.push({ kind: 'send-advert', priority });
    const st = this.s.stats;
    this.s.stats = {
      ...st,
      advertSent: st.advertSent + 1,
      priZeroSent: st.priZeroSent + (priority === VRRP_PRIO.STOP ? 1 : 0),
    };
  }

  garp(repeat: number, cause: GarpCause, delayed: boolean): void {
    if (repeat > 0) this.actions.push({ kind: 'garp', repeat, delayed, cause });
  }

  notify(to: NotifyTarget, reason: string): void {
    this.actions.push({ kind: 'notify', to, priority: this.s.effectivePriority, reason });
  }

  count(field: 'advertRcvd' | 'becomeMaster' | 'releaseMaster' | 'priZeroRcvd'): void {
    this.s.stats = { ...this.s.stats, [field]: this.s.stats[field] + 1 };
  }

  commit(): StepResult {
    const s = this.s;
    const due = [s.sands, s.garpDelayedAt, s.garpLowerPrioAt].filter((t): t is number => t !== null);
    return { state: { ...s }, actions: this.actions, nextDeadline: due.length === 0 ? null : Math.min(...due) };
  }
}

/** The instance is the address owner and runs as one (not demoted after an owner clash). */
export function isOwner(s: InstanceState): boolean {
  return isOwnerPriority(s.config.priority) && !s.ownerDemoted;
}

/**
 * keepalived's initial wantstate: `state MASTER`, or priority 255 without nopreempt ("Act
 * as though state MASTER had been specified, to speed transition to master state").
 */
export function configWantsMaster(s: InstanceState): boolean {
  return s.config.initialState === 'MASTER' || (isOwner(s) && s.config.preempt);
}

/** keepalived's VRRP_MS_DOWN_TIMER with the current priority and Master_Adver_Interval. */
export function fullDownTimerUs(s: InstanceState): number {
  return masterDownIntervalUs(s.config.version, s.effectivePriority, s.masterAdverIntCs, s.config.downTimerAdverts);
}

export function skewUsOf(s: InstanceState): number {
  return skewTimeUs(s.config.version, s.effectivePriority, s.masterAdverIntCs);
}

export function skewMinUsOf(s: InstanceState): number {
  return skewTimeMinUs(s.config.version, s.masterAdverIntCs);
}

/** Arm Master_Down_Timer with the full Master_Down_Interval on the next reset. */
export function setFullDownTimer(tx: Tx): void {
  tx.s.msDownTimerUs = fullDownTimerUs(tx.s);
  tx.s.msDownIsSkew = false;
}

/** keepalived's vrrp_init_instance_sands: re-arm the timer of the current state. */
export function resetSands(tx: Tx): void {
  const s = tx.s;
  if (s.state === 'MASTER') {
    s.sands = tx.now + usToMs(adverIntUs(s.config.advertIntCs));
  } else if (s.state === 'BACKUP') {
    // vrrp_startup_delay: a backup's timer cannot run out before the delayed start time.
    const delayed = s.delayedStartUntil !== null && tx.now < s.delayedStartUntil;
    if (!delayed) s.delayedStartUntil = null;
    s.sands = (delayed && s.delayedStartUntil !== null ? s.delayedStartUntil : tx.now) + usToMs(s.msDownTimerUs);
  } else {
    s.sands = null;
  }
}

/** vrrp_sync_can_goto_master: alone, or the group is MASTER, or every other member wants it. */
export function syncAllowsMaster(sync: SyncView | undefined): boolean {
  return sync === undefined || sync.groupState === 'MASTER' || sync.othersWantMaster;
}

/** Only own, non-pending faults warrant a FAULT notify (keepalived's num_script_if_fault). */
export function hasRealFault(faults: readonly FaultEntry[]): boolean {
  return faults.some((f) => !f.pending);
}

/** A FAULT notify is due unless every own fault is still pending (sync-dragged members: yes). */
export function faultNotifiable(faults: readonly FaultEntry[]): boolean {
  return faults.length === 0 || hasRealFault(faults);
}

export function faultSummary(faults: readonly FaultEntry[]): string {
  return faults.map((f) => f.reason).join('; ');
}

/**
 * vrrp_state_goto_master. A sync-group member that may not go MASTER yet records the wish
 * (wantState MASTER) and waits another Master_Down_Interval in BACKUP.
 */
export function gotoMaster(tx: Tx, sync: SyncView | undefined, reason: string): void {
  const s = tx.s;
  const firstWish = s.wantState !== 'MASTER';
  s.wantState = 'MASTER';
  if (!syncAllowsMaster(sync)) {
    setFullDownTimer(tx);
    resetSands(tx);
    // Said once at info level; repeated every Master_Down_Interval while the wait lasts.
    tx.log(`(${tx.name}) sync group ${sync?.group ?? ''}: waiting for all members to want MASTER`, reason,
      firstWish ? 'info' : 'debug');
    return;
  }
  s.state = 'MASTER';
  resetSands(tx);
  masterTx(tx, reason);
}

/**
 * vrrp_state_master_tx: send an advert; on the first one after the transition, take the
 * addresses. The advert goes first so that the old master drops the VIPs before our GARPs.
 */
export function masterTx(tx: Tx, reason: string): void {
  const s = tx.s;
  tx.sendAdvert(s.effectivePriority);
  if (!s.vipSet) {
    tx.log(`(${tx.name}) Entering MASTER STATE`, reason);
    becomeMaster(tx, reason);
    s.garpDelayedAt = s.config.garpMasterDelayMs > 0 ? tx.now + s.config.garpMasterDelayMs : null;
    return;
  }
  if (s.garpRefreshAt !== null && tx.now >= s.garpRefreshAt) {
    tx.garp(s.config.garpMasterRefreshRepeat, 'refresh', false);
    s.garpRefreshAt = tx.now + s.config.garpMasterRefreshMs;
  }
}

/** vrrp_state_become_master: VIPs, GARP burst, refresh timer, notify. */
function becomeMaster(tx: Tx, reason: string): void {
  const s = tx.s;
  tx.count('becomeMaster');
  if (s.masterAdverIntCs !== s.config.advertIntCs) {
    tx.log(`(${tx.name}) changing advert interval from ${s.masterAdverIntCs * 10}ms to locally configured ${s.config.advertIntCs * 10}ms`, undefined, 'debug');
    s.masterAdverIntCs = s.config.advertIntCs;
  }
  tx.actions.push({ kind: 'add-vips' });
  s.vipSet = true;
  tx.garp(s.config.garpMasterRepeat, 'become-master', false);
  s.garpRefreshAt = s.config.garpMasterRefreshMs > 0 ? tx.now + s.config.garpMasterRefreshMs : null;
  s.masterAddr = s.config.primaryAddr;
  s.masterPriority = s.effectivePriority;
  s.lowerPrioSeen = null;
  tx.notify('MASTER', reason);
  s.lastTransition = tx.now;
}

/** vrrp_restore_interface: drop the VIPs and any pending GARP bursts. */
function restoreInterface(tx: Tx): void {
  const s = tx.s;
  if (s.vipSet) tx.actions.push({ kind: 'del-vips' });
  s.vipSet = false;
  s.garpDelayedAt = null;
  s.garpLowerPrioAt = null;
  s.garpRefreshAt = null;
}

/** vrrp_state_leave_master, to BACKUP or FAULT. */
export function leaveMaster(tx: Tx, want: 'BACKUP' | 'FAULT', reason: string): void {
  const s = tx.s;
  if (want === 'BACKUP') {
    tx.log(`(${tx.name}) Entering BACKUP STATE`, reason);
    s.preemptTime = null;
  } else {
    tx.log(`(${tx.name}) Entering FAULT STATE`, reason);
    // Tell the backups to take over after Skew_Time rather than Master_Down_Interval.
    tx.sendAdvert(VRRP_PRIO.STOP);
  }
  restoreInterface(tx);
  s.state = want;
  s.wantState = want;
  if (want === 'BACKUP' || faultNotifiable(s.faults)) tx.notify(want, reason);
  setFullDownTimer(tx);
  resetSands(tx);
  tx.count('releaseMaster');
  s.lastTransition = tx.now;
}

/**
 * vrrp_state_leave_fault: go where wantState points. MASTER goes through goto_master;
 * BACKUP re-arms Master_Down_Timer with our own interval; FAULT stops the timer.
 */
export function leaveFault(tx: Tx, sync: SyncView | undefined, reason: string): void {
  const s = tx.s;
  s.masterAdverIntCs = s.config.advertIntCs;
  if (s.wantState === 'MASTER') {
    gotoMaster(tx, sync, reason);
    return;
  }
  const want: WantState = s.wantState;
  const changed = s.state !== want;
  if (changed) tx.log(`(${tx.name}) Entering ${want} STATE`, reason);
  s.state = want;
  if (changed && (want === 'BACKUP' || faultNotifiable(s.faults))) tx.notify(want, reason);
  if (want === 'BACKUP') s.preemptTime = null;
  setFullDownTimer(tx);
  resetSands(tx);
  if (changed) s.lastTransition = tx.now;
}

/** down_instance: a fault (own or the group's) takes the instance to FAULT. */
export function enterFault(tx: Tx, reason: string): void {
  tx.s.wantState = 'FAULT';
  if (tx.s.state === 'MASTER') leaveMaster(tx, 'FAULT', reason);
  else leaveFault(tx, undefined, reason);
}

/**
 * try_up_instance, once the last own fault has cleared. Leaving FAULT re-runs RFC 5798
 * §6.4.1 Initialize: an owner that wants MASTER takes over at once, any other instance
 * becomes BACKUP. A sync-group member stays in FAULT while another member is faulty.
 */
export function tryUp(tx: Tx, sync: SyncView | undefined, reason: string): void {
  const s = tx.s;
  const ownerMaster = isOwner(s) && configWantsMaster(s);
  s.wantState = ownerMaster ? 'MASTER' : 'BACKUP';
  s.masterAdverIntCs = s.config.advertIntCs;
  if (sync?.othersFaulted === true) {
    tx.log(`(${tx.name}) faults cleared; sync group ${sync.group} keeps it in FAULT while another member is faulty`, reason);
    return;
  }
  // "If the sync group can't go to master, we must go to backup state"
  if (s.wantState === 'MASTER' && !syncAllowsMaster(sync)) s.wantState = 'BACKUP';
  leaveFault(tx, sync, reason);
}
