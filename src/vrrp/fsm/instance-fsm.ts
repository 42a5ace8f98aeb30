// The VRRP instance state machine (RFC 3768 §6.4, RFC 5798 §6.4) as keepalived 2.2
// implements it: data plus one pure step function. The I/O shell feeds it events and
// performs the actions it returns; time enters only as `now` (Clock ms), and the machine
// hands back the next deadline at which it wants a `timer` event.
//
// keepalived's diagram (keepalived/vrrp/vrrp_scheduler.c). keepalived also has an
// internal STOP state, entered on shutdown, where RFC 5798 goes back to Initialize.
//
//                         +---------------+
//        +----------------|               |----------------+
//        |                |     Fault     |                |
//        |  +------------>|               |<------------+  |
//        |  |             +---------------+             |  |
//        |  |                     |                     |  |
//        |  |                     V                     |  |
//        |  |             +---------------+             |  |
//        |  |  +--------->|               |<---------+  |  |
//        |  |  |          |  Initialize   |          |  |  |
//        |  |  |  +-------|               |-------+  |  |  |
//        |  |  |  |       +---------------+       |  |  |  |
//        |  |  |  |                               |  |  |  |
//        V  |  |  V                               V  |  |  V
//     +---------------+                       +---------------+
//     |               |---------------------->|               |
//     |    Master     |                       |    Backup     |
//     |               |<----------------------|               |
//     +---------------+                       +---------------+
//
// Transitions (handler in keepalived's name; "sync" = the sync group, see sync-group.ts):
//
// from    event                 condition                                   to      actions
// INIT    startup               own fault, or group in FAULT                FAULT   notify FAULT ("Entering FAULT STATE (init)")
// INIT    startup               owner (255) wants MASTER, no startup delay  MASTER  send-advert, add-vips, garp, notify MASTER
// INIT    startup               otherwise (vrrp_init_state)                 BACKUP  notify BACKUP, Master_Down_Timer armed
// BACKUP  timer: Master_Down    sync group not all wanting MASTER           BACKUP  wantState MASTER, timer re-armed
// BACKUP  timer: Master_Down    (vrrp_goto_master)                          MASTER  send-advert, add-vips, garp (+delayed), notify
// BACKUP  advert prio 0         (vrrp_state_backup)                         BACKUP  Master_Down_Timer := Skew_Time
// BACKUP  advert prio >= ours, nopreempt, or within preempt_delay           BACKUP  v3 adopts interval; Master_Down_Timer reset
// BACKUP  advert prio < ours    preempt                                     BACKUP  discarded; timer keeps running -> preempts
// MASTER  timer: Adver_Timer    (vrrp_state_master_tx)                      MASTER  send-advert (+ garp refresh)
// MASTER  advert prio 0         (vrrp_state_master_rx)                      MASTER  send-advert, Adver_Timer reset
// MASTER  advert higher, or equal from a higher address                     BACKUP  del-vips, notify BACKUP
// MASTER  advert lower, or equal from a lower address                       MASTER  send-advert, garp lower_prio, notify MASTER_RX_LOWER_PRI
// B/M     fault-raised          first own fault (down_instance)             FAULT   MASTER: send-advert 0, del-vips; notify FAULT
// FAULT   fault-cleared         last own fault, owner wanting MASTER        MASTER  as BACKUP -> MASTER
// FAULT   fault-cleared         last own fault (try_up_instance)            BACKUP  notify BACKUP
// FAULT   fault-cleared         another sync member still faulty            FAULT   -
// MASTER  shutdown                                                          STOP    send-advert 0, del-vips, notify STOP
// other   shutdown                                                          STOP    notify STOP
// any     priority-changed      non-owner (vrrp_set_effective_priority)     same    BACKUP: Master_Down_Timer shifted by the skew change
//
// Deliberate differences from keepalived, each for a clear reason:
// - An owner whose fault clears goes MASTER at once (RFC 5798 §6.4.1 Initialize); keepalived
//   waits a Master_Down_Interval in BACKUP first.
// - An owner at startup goes MASTER in the startup step instead of through a 1 µs timer.
// - A priority change in BACKUP shifts the timer by the change in Skew_Time only;
//   keepalived's arithmetic can push it out by a whole interval after a discarded advert.
// - keepalived 2.2 logs "Receive advertisement timeout" and "Backup received priority 0
//   advertisement" by default, later versions only with --log-detail; we always log them.
//   We also log "(VI_1) Entering STOP STATE" on shutdown, which keepalived does not.
//
// Sync groups: keepalived's VRRP_TSM[from][to] matrix and its handlers live in
// sync-group.ts, which passes each member a SyncView and steps the other members.

import { VRRP_PRIO } from '../proto/constants.js';
import { vrrpStateBackup, vrrpStateMasterRx } from './fsm-receive.js';
import {
  configWantsMaster, enterFault, faultSummary, fullDownTimerUs, gotoMaster, hasRealFault, isOwner, leaveFault,
  leaveMaster, masterTx, resetSands, skewMinUsOf, skewUsOf, tryUp, Tx,
} from './fsm-transitions.js';
import type {
  FaultEntry, InstanceConfig, InstanceState, StepResult, SyncView, VrrpEvent,
} from './fsm-types.js';
import { clampPriority } from './priority.js';
import { adverIntUs, isOwnerPriority, masterDownIntervalUs, usToMs } from './timers.js';

export interface InstanceInit {
  /** Effective priority from the trackers' initial state (priority.ts); dflt the base priority. */
  readonly effectivePriority?: number;
  /** Faults known before startup (weight-0 trackers down, no source address, …). */
  readonly faults?: readonly FaultEntry[];
}

/** A fresh instance in INIT, waiting for `startup`. */
export function createInstance(config: InstanceConfig, init: InstanceInit = {}): InstanceState {
  const owner = isOwnerPriority(config.priority);
  const effectivePriority = owner ? VRRP_PRIO.OWNER : clampPriority(init.effectivePriority ?? config.priority);
  const wantsMaster = config.initialState === 'MASTER' || (owner && config.preempt);
  return {
    config,
    state: 'INIT',
    wantState: wantsMaster ? 'MASTER' : 'BACKUP',
    effectivePriority,
    ownerDemoted: false,
    masterAdverIntCs: config.advertIntCs,
    msDownTimerUs: masterDownIntervalUs(config.version, effectivePriority, config.advertIntCs, config.downTimerAdverts),
    msDownIsSkew: false,
    sands: null,
    preemptTime: null,
    delayedStartUntil: null,
    faults: init.faults ?? [],
    vipSet: false,
    masterAddr: null,
    masterPriority: null,
    lowerPrioSeen: null,
    garpDelayedAt: null,
    garpLowerPrioAt: null,
    garpRefreshAt: null,
    lastTransition: null,
    stats: { advertRcvd: 0, advertSent: 0, becomeMaster: 0, releaseMaster: 0, priZeroRcvd: 0, priZeroSent: 0 },
  };
}

/**
 * Apply one event at time `now`. `sync` is given by sync-group.ts for members of a
 * vrrp_sync_group and left out otherwise.
 */
export function step(state: InstanceState, event: VrrpEvent, now: number, sync?: SyncView): StepResult {
  const tx = new Tx(state, now);
  switch (event.kind) {
    case 'startup':
      vrrpInitState(tx, sync);
      break;
    case 'advert':
      if (event.fromSelf === true) break;
      // keepalived: "We just ignore a message received when we are in fault state or not yet
      // fully initialised"
      if (tx.s.state === 'BACKUP') vrrpStateBackup(tx, event);
      else if (tx.s.state === 'MASTER') vrrpStateMasterRx(tx, event);
      break;
    case 'timer':
      onTimer(tx, sync);
      break;
    case 'priority-changed':
      setEffectivePriority(tx, event.priority);
      break;
    case 'fault-raised':
      onFaultRaised(tx, event);
      break;
    case 'fault-cleared':
      onFaultCleared(tx, event, sync);
      break;
    case 'shutdown':
      onShutdown(tx);
      break;
    case 'sync-goto-master':
      if (tx.s.state === 'BACKUP' || (tx.s.state === 'FAULT' && tx.s.faults.length === 0)) {
        gotoMaster(tx, undefined, `sync group ${event.group}: all members going MASTER`);
      }
      break;
    case 'sync-goto-backup':
      if (tx.s.state === 'MASTER') {
        leaveMaster(tx, 'BACKUP', `sync group ${event.group}: a member went BACKUP`);
      } else if (tx.s.state === 'FAULT' && tx.s.faults.length === 0) {
        tx.s.wantState = 'BACKUP';
        leaveFault(tx, undefined, `sync group ${event.group}: leaving FAULT`);
      }
      break;
    case 'sync-fault':
      if (tx.s.state === 'BACKUP' || tx.s.state === 'MASTER') {
        enterFault(tx, `sync group ${event.group}: a member is in FAULT`);
      }
      break;
    case 'sync-lower-prio-garp':
      if (tx.s.state === 'MASTER' && tx.s.vipSet && tx.s.config.garpLowerPrioRepeat > 0) {
        tx.garp(tx.s.config.garpLowerPrioRepeat, 'lower-prio', false);
        if (tx.s.config.garpLowerPrioDelayMs > 0) tx.s.garpLowerPrioAt = now + tx.s.config.garpLowerPrioDelayMs;
      }
      break;
  }
  return tx.commit();
}

/** RFC 5798 §6.4.1 Initialize, keepalived's vrrp_init_state. */
function vrrpInitState(tx: Tx, sync: SyncView | undefined): void {
  const s = tx.s;
  const cfg = s.config;
  if (s.state !== 'INIT') return;
  if (cfg.startupDelayMs > 0) s.delayedStartUntil = tx.now + cfg.startupDelayMs;
  // keepalived starts preempt_delay when it reads the config, i.e. at startup.
  if (cfg.preemptDelayMs > 0) s.preemptTime = tx.now + cfg.preemptDelayMs;
  s.wantState = configWantsMaster(s) ? 'MASTER' : 'BACKUP';
  const groupState = sync?.groupState;
  const faulted = s.faults.length > 0 || groupState === 'FAULT';
  const newState = sync === undefined ? s.wantState : groupState;

  // RFC 5798 §6.4.1: "If the Priority = 255 ... then: Send an ADVERTISEMENT ... Transition to
  // the {Master} state"
  if (!faulted && newState === 'MASTER' && isOwner(s) && s.wantState === 'MASTER') {
    if (s.delayedStartUntil === null) {
      gotoMaster(tx, sync, 'address owner (priority 255) at startup');
      return;
    }
    // keepalived times out of BACKUP after 1 µs; here that happens after the startup delay.
    s.state = 'BACKUP';
    s.msDownTimerUs = 1;
    s.msDownIsSkew = false;
    resetSands(tx);
    return;
  }

  // RFC 5798 §6.4.1: "else: Set Master_Adver_Interval to Advertisement_Interval, Set the
  // Master_Down_Timer to Master_Down_Interval, Transition to the {Backup} state"
  s.masterAdverIntCs = cfg.advertIntCs;
  const heldByGroup = sync !== undefined && newState === 'BACKUP' && s.wantState === 'MASTER';
  s.msDownTimerUs = heldByGroup ? adverIntUs(s.masterAdverIntCs) + skewMinUsOf(s) : fullDownTimerUs(s);
  s.msDownIsSkew = false;
  if (faulted) {
    s.state = 'FAULT';
    s.wantState = 'FAULT';
    const why = s.faults.length > 0 ? faultSummary(s.faults) : `sync group ${sync?.group ?? ''} is in FAULT`;
    tx.log(`(${tx.name}) Entering FAULT STATE (init)`, why);
    if (hasRealFault(s.faults)) tx.notify('FAULT', why);
  } else {
    s.state = 'BACKUP';
    tx.log(`(${tx.name}) Entering BACKUP STATE (init)`,
      `waiting ${usToMs(s.msDownTimerUs)} ms (Master_Down_Interval) for a master`);
    tx.notify('BACKUP', 'startup');
  }
  resetSands(tx);
  s.lastTransition = tx.now;
}

/** Why a backup's Master_Down_Timer ran out, for the transition log. */
function timeoutReason(s: InstanceState): string {
  const after = `${usToMs(s.msDownTimerUs)} ms`;
  if (isOwner(s) && s.wantState === 'MASTER') return 'address owner (priority 255)';
  if (s.msDownIsSkew) return `master ${s.masterAddr ?? '?'} stopped (priority 0 advert), Skew_Time ${after} elapsed`;
  if (s.lowerPrioSeen !== null) {
    return `preempting lower-priority master ${s.lowerPrioSeen.addr} (${s.lowerPrioSeen.priority} < ${s.effectivePriority})`;
  }
  if (s.masterAddr === null) return `no advertisement within Master_Down_Interval ${after}`;
  return `no advertisement from master ${s.masterAddr} within Master_Down_Interval ${after}`;
}

/** keepalived's vrrp_dispatcher_read_timeout plus its delayed GARP threads. */
function onTimer(tx: Tx, sync: SyncView | undefined): void {
  const s = tx.s;
  const cfg = s.config;
  if (s.sands !== null && s.sands <= tx.now) {
    if (s.state === 'BACKUP') {
      const why = timeoutReason(s);
      tx.log(`(${tx.name}) Receive advertisement timeout`, why);
      // RFC 5798 §6.4.2: "If the Master_Down_Timer fires, then: Send an ADVERTISEMENT ...
      // Set the Adver_Timer to Advertisement_Interval, Transition to the {Master} state"
      gotoMaster(tx, sync, why);
    } else if (s.state === 'MASTER') {
      // RFC 5798 §6.4.3: "If the Adver_Timer fires, then: Send an ADVERTISEMENT, Reset the
      // Adver_Timer to Advertisement_Interval"
      masterTx(tx, 'Adver_Timer');
      resetSands(tx);
    }
  }
  if (s.garpDelayedAt !== null && s.garpDelayedAt <= tx.now) {
    s.garpDelayedAt = null;
    if (s.state === 'MASTER' && s.vipSet) tx.garp(cfg.garpMasterRepeat, 'master-delay', true);
  }
  if (s.garpLowerPrioAt !== null && s.garpLowerPrioAt <= tx.now) {
    s.garpLowerPrioAt = null;
    if (s.state === 'MASTER' && s.vipSet) tx.garp(cfg.garpLowerPrioRepeat, 'lower-prio-delay', true);
  }
}

/** vrrp_set_effective_priority. */
function setEffectivePriority(tx: Tx, priority: number): void {
  const s = tx.s;
  // "Don't change priority if address owner"
  if (isOwner(s)) return;
  const next = clampPriority(priority);
  if (next === s.effectivePriority) return;
  tx.log(`(${tx.name}) Changing effective priority from ${s.effectivePriority} to ${next}`);
  const oldUs = s.msDownTimerUs;
  s.effectivePriority = next;
  s.msDownTimerUs = s.msDownIsSkew ? skewUsOf(s) : fullDownTimerUs(s);
  if (s.state === 'BACKUP' && s.sands !== null) s.sands += usToMs(s.msDownTimerUs - oldUs);
  if (s.config.notifyPriorityChanges && (s.state === 'MASTER' || s.state === 'BACKUP')) {
    tx.notify(s.state === 'MASTER' ? 'MASTER_PRIORITY' : 'BACKUP_PRIORITY', `effective priority now ${next}`);
  }
}

function onFaultRaised(tx: Tx, ev: Extract<VrrpEvent, { kind: 'fault-raised' }>): void {
  const s = tx.s;
  if (s.state === 'STOP') return;
  const pendingOnly = s.faults.length > 0 && !hasRealFault(s.faults);
  const entry: FaultEntry = { source: ev.source, reason: ev.reason, pending: ev.pending ?? false };
  s.faults = [...s.faults.filter((f) => f.source !== ev.source), entry];
  if (s.state === 'INIT') return;
  if (s.state !== 'FAULT') {
    enterFault(tx, ev.reason);
    return;
  }
  s.wantState = 'FAULT';
  // Waiting in FAULT for a tracker's first result, which came back as a failure: the FAULT
  // notify keepalived skipped at startup is due now.
  if (pendingOnly && !entry.pending) tx.notify('FAULT', ev.reason);
}

function onFaultCleared(tx: Tx, ev: Extract<VrrpEvent, { kind: 'fault-cleared' }>, sync: SyncView | undefined): void {
  const s = tx.s;
  if (!s.faults.some((f) => f.source === ev.source)) return;
  s.faults = s.faults.filter((f) => f.source !== ev.source);
  if (s.state !== 'FAULT' || s.faults.length > 0) return;
  tryUp(tx, sync, ev.reason ?? `${ev.source} recovered`);
}

/** RFC 5798 §6.4.2 / §6.4.3 Shutdown; keepalived then sits in STOP. */
function onShutdown(tx: Tx): void {
  const s = tx.s;
  if (s.state === 'STOP') return;
  if (s.state === 'MASTER') {
    // RFC 5798 §6.4.3: "If a Shutdown event is received, then: Cancel the Adver_Timer, Send an
    // ADVERTISEMENT with Priority = 0, Transition to the {Initialize} state"
    tx.sendAdvert(VRRP_PRIO.STOP);
    tx.log(`(${tx.name}) sent 0 priority`, undefined, 'debug');
    if (s.vipSet) tx.actions.push({ kind: 'del-vips' });
    s.vipSet = false;
    tx.count('releaseMaster');
  }
  s.state = 'STOP';
  s.sands = null;
  s.garpDelayedAt = null;
  s.garpLowerPrioAt = null;
  s.garpRefreshAt = null;
  tx.log(`(${tx.name}) Entering STOP STATE`, 'shutdown');
  tx.notify('STOP', 'shutdown');
  s.lastTransition = tx.now;
}
