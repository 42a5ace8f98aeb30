// Receiving an ADVERTISEMENT: keepalived's vrrp_state_backup and vrrp_state_master_rx
// (keepalived/vrrp/vrrp.c), i.e. RFC 5798 §6.4.2 and §6.4.3 with keepalived's additions
// (preempt_delay, nopreempt, answering a lower-priority master to heal a split brain).
// The codec and the engine have already dropped invalid packets; what arrives here is a
// well-formed advert for our VRID.

import { VRRP_PRIO, VRRP_V3_MAX_ADVER_INT_CS } from '../proto/constants.js';
import { compareAddresses } from '../proto/addr-order.js';
import type { VrrpEvent } from './fsm-types.js';
import { leaveMaster, resetSands, setFullDownTimer, skewUsOf, Tx } from './fsm-transitions.js';

export type AdvertEvent = Extract<VrrpEvent, { kind: 'advert' }>;

/**
 * A Max Adver Int we can adopt. The codec should already drop 0; if one slips through we
 * keep our interval rather than time out at once.
 */
function validInterval(cs: number): boolean {
  return Number.isInteger(cs) && cs >= 1 && cs <= VRRP_V3_MAX_ADVER_INT_CS;
}

/** RFC 5798 §6.4.2, vrrp_state_backup. */
export function vrrpStateBackup(tx: Tx, ad: AdvertEvent): void {
  const s = tx.s;
  const cfg = s.config;
  tx.count('advertRcvd');

  // RFC 5798 §6.4.2: "If the Priority in the ADVERTISEMENT is zero, then: Set the
  // Master_Down_Timer to Skew_Time"
  if (ad.priority === VRRP_PRIO.STOP) {
    tx.count('priZeroRcvd');
    tx.log(`(${tx.name}) Backup received priority 0 advertisement`);
    s.msDownTimerUs = skewUsOf(s);
    s.msDownIsSkew = true;
    resetSands(tx);
    return;
  }

  const inPreemptDelay = cfg.preemptDelayMs > 0 && (s.preemptTime === null || s.preemptTime > tx.now);
  // RFC 5798 §6.4.2: "If Preempt_Mode is False, or if the Priority in the ADVERTISEMENT is
  // greater than or equal to the local Priority, then: Set Master_Adver_Interval to Adver
  // Interval contained in the ADVERTISEMENT, Recompute the Master_Down_Interval, Reset the
  // Master_Down_Timer to Master_Down_Interval"
  if (!cfg.preempt || ad.priority >= s.effectivePriority || inPreemptDelay) {
    if (cfg.version === 3 && validInterval(ad.advertIntCs) && ad.advertIntCs !== s.masterAdverIntCs) {
      tx.log(
        `(${tx.name}) advertisement interval updated from ${s.masterAdverIntCs * 10}ms to ${ad.advertIntCs * 10}ms by master`,
        undefined, 'debug',
      );
      s.masterAdverIntCs = ad.advertIntCs;
    }
    setFullDownTimer(tx);
    s.masterAddr = ad.srcAddr;
    s.masterPriority = ad.priority;
    s.lowerPrioSeen = null;
    if (cfg.preemptDelayMs > 0) {
      if (ad.priority >= s.effectivePriority) {
        if (s.preemptTime !== null) tx.log(`(${tx.name}) stop preempt delay`, undefined, 'debug');
        s.preemptTime = null;
      } else if (s.preemptTime === null) {
        tx.log(`(${tx.name}) start preempt delay (${(cfg.preemptDelayMs / 1000).toFixed(6)})`,
          `lower-priority master ${ad.srcAddr} (${ad.priority}) seen`, 'debug');
        s.preemptTime = tx.now + cfg.preemptDelayMs;
      }
    }
    // Held in BACKUP by a sync group after our timer ran out, we wanted MASTER; a master
    // is back, so we want BACKUP again.
    s.wantState = 'BACKUP';
    resetSands(tx);
    return;
  }

  // "else: Discard the ADVERTISEMENT": the timer keeps running, so we preempt the
  // lower-priority master when Master_Down_Timer fires.
  tx.log(`(${tx.name}) received lower priority (${ad.priority}) advert from ${ad.srcAddr} - discarding`);
  s.masterAddr = ad.srcAddr;
  s.lowerPrioSeen = { addr: ad.srcAddr, priority: ad.priority };
}

/**
 * RFC 5798 §6.4.3, vrrp_state_master_rx plus the dispatcher's timer reset. keepalived
 * answers a lower-priority advert with one of its own and a GARP burst, so a split brain
 * heals: the other side sees a higher priority and yields, and switches relearn our MAC.
 */
export function vrrpStateMasterRx(tx: Tx, ad: AdvertEvent): void {
  const s = tx.s;
  const cfg = s.config;
  tx.count('advertRcvd');
  const addrCmp = compareAddresses(ad.srcAddr, cfg.primaryAddr);
  // Re-evaluated after an owner clash lowers our priority.
  const senderWins = (): boolean =>
    ad.priority > s.effectivePriority || (ad.priority === s.effectivePriority && addrCmp > 0);

  if (ad.priority === VRRP_PRIO.STOP || (cfg.higherPrioSendAdvert && senderWins())) {
    tx.sendAdvert(s.effectivePriority);
    // RFC 5798 §6.4.3: "If the Priority in the ADVERTISEMENT is zero, then: Send an
    // ADVERTISEMENT, Reset the Adver_Timer to Advertisement_Interval"
    if (ad.priority === VRRP_PRIO.STOP) {
      tx.count('priZeroRcvd');
      tx.log(`(${tx.name}) Master received priority 0 message`, undefined, 'debug');
      resetSands(tx);
      return;
    }
  }

  if (ad.priority === s.effectivePriority) {
    if (addrCmp === 0) {
      tx.log(`(${tx.name}) WARNING - equal priority advert received from remote host with our IP address.`, undefined, 'warning');
    } else if (s.effectivePriority === VRRP_PRIO.OWNER) {
      tx.log(
        `(${tx.name}) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority`,
        `${ad.srcAddr} also advertises priority 255`, 'warning',
      );
      s.effectivePriority = VRRP_PRIO.OWNER - 1;
      s.ownerDemoted = true;
    }
  }

  if (ad.priority < s.effectivePriority || (ad.priority === s.effectivePriority && addrCmp < 0)) {
    tx.log(
      `(${tx.name}) Received advert from ${ad.srcAddr} with lower priority ${ad.priority}, ours ${s.effectivePriority}${cfg.lowerPrioNoAdvert ? '' : ', forcing new election'}`,
    );
    if (!cfg.lowerPrioNoAdvert) tx.sendAdvert(s.effectivePriority);
    if (cfg.garpLowerPrioRepeat > 0) {
      tx.garp(cfg.garpLowerPrioRepeat, 'lower-prio', false);
      if (cfg.garpLowerPrioDelayMs > 0) s.garpLowerPrioAt = tx.now + cfg.garpLowerPrioDelayMs;
    }
    tx.notify('MASTER_RX_LOWER_PRI', `lower-priority master ${ad.srcAddr} (${ad.priority}) seen while MASTER`);
    if (!cfg.lowerPrioNoAdvert) resetSands(tx);
    return;
  }

  // RFC 5798 §6.4.3: "If the Priority in the ADVERTISEMENT is greater than the local
  // Priority or the Priority in the ADVERTISEMENT is equal to the local Priority and the
  // primary IPvX Address of the sender is greater than the local primary IPvX Address ...
  // then: Cancel Adver_Timer, Set Master_Adver_Interval to Adver Interval contained in the
  // ADVERTISEMENT, Recompute the Skew_Time, Recompute the Master_Down_Interval, Set
  // Master_Down_Timer to Master_Down_Interval, Transition to the {Backup} state"
  if (senderWins()) {
    const why = ad.priority > s.effectivePriority
      ? `(${tx.name}) Master received advert from ${ad.srcAddr} with higher priority ${ad.priority}, ours ${s.effectivePriority}`
      : `(${tx.name}) Master received advert from ${ad.srcAddr} with same priority ${ad.priority} but higher IP address than ours`;
    tx.log(why);
    if (cfg.version === 3 && validInterval(ad.advertIntCs)) s.masterAdverIntCs = ad.advertIntCs;
    s.masterAddr = ad.srcAddr;
    s.masterPriority = ad.priority;
    leaveMaster(tx, 'BACKUP', ad.priority > s.effectivePriority
      ? `higher priority ${ad.priority} from ${ad.srcAddr}`
      : `equal priority ${ad.priority} from higher address ${ad.srcAddr}`);
    return;
  }

  // Our own address at our priority: keepalived still restarts the Adver_Timer.
  if (!cfg.lowerPrioNoAdvert) resetSands(tx);
}

