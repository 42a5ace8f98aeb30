// releaseMaster() gives mastership away on request (keepalived has no such command): a
// priority-0 advert, as on shutdown, so a backup takes over after Skew_Time; the VIPs go
// and the instance stays a BACKUP whose priority is held at 1 for `holdMs` (dflt one
// Master_Down_Interval), so it neither preempts the new master nor wins the election it
// just caused. It remains eligible: if no other router takes over, its Master_Down_Timer
// runs out and it becomes MASTER again. Sync group members release together. This file
// holds the decisions; VrrpEngine.releaseMaster() performs them.
import { VRRP_PRIO } from '../proto/constants.js';
import type { InstanceRunner } from './instance-runner.js';
import type { ReleaseOutcome } from './types.js';
import type { VrrpAction } from '../fsm/fsm-types.js';
import { masterDownIntervalUs, usToMs } from '../fsm/timers.js';

/** The priority a released instance is held at: the lowest a backup can have. */
export const RELEASE_PRIORITY = 1;

/**
 * Why `r` (with the members of its sync group) cannot be released: none of them is
 * MASTER, or one is the address owner (priority 255 takes the addresses straight back,
 * RFC 5798 §6.4.2). undefined: it can.
 */
export function releaseRefusal(r: InstanceRunner, members: readonly InstanceRunner[]): Extract<ReleaseOutcome, { ok: false }> | undefined {
  if (!members.some((m) => m.state.state === 'MASTER')) {
    return { ok: false, reason: 'not-master', message: `(${r.name}) is ${r.state.state}, not MASTER: nothing to release` };
  }
  const owner = members.find((m) => m.spec.fsm.priority === VRRP_PRIO.OWNER);
  if (owner !== undefined) {
    return { ok: false, reason: 'owner', message: `(${owner.name}) is the address owner (priority 255) and would take the addresses straight back; lower its priority instead` };
  }
  return undefined;
}

/** The hold: as asked, else one Master_Down_Interval at the instance's own priority. */
export function releaseHoldMs(r: InstanceRunner, asked: number | undefined): number {
  const f = r.spec.fsm;
  return Math.max(0, asked ?? usToMs(masterDownIntervalUs(f.version, f.priority, f.advertIntCs, f.downTimerAdverts)));
}

/** During a release the FSM's "Entering BACKUP STATE" reason is the release itself. */
export function relabelForRelease(actions: readonly VrrpAction[], why: string | undefined): readonly VrrpAction[] {
  if (why === undefined) return actions;
  return actions.map((a) => (a.kind === 'log' && a.message.endsWith('Entering BACKUP STATE') ? { ...a, reason: why } : a));
}
