// A vrrp_sync_group: instances that change state together, as keepalived 2.x does it
// (keepalived/vrrp/vrrp_sync.c, and the VRRP_TSM matrix in vrrp_scheduler.c).
//
// keepalived's Transition State Matrix: after a member changes state from S to E, the
// handler in VRRP_TSM[S][E] brings the other members along.
//
//   \ E |  B  |  M  |  F  |
//   S \ |     |     |     |
// ------+-----+-----+-----+     Legend:
//   B   |  x     1     2  |       B: VRRP BACKUP state
// ------+                 |       M: VRRP MASTER state
//   M   |  3     x     4  |       F: VRRP FAULT state
// ------+                 |       S: VRRP start state (before transition)
//   F   |  5     6     x  |       E: VRRP end state (after transition)
// ------+-----------------+       [1..6]: Handler functions.
//
//   From \ To   BACKUP             MASTER             FAULT
//   BACKUP      -                  vrrp_sync_master   vrrp_sync_fault (down_instance)
//   MASTER      vrrp_sync_backup   vrrp_sync_master   vrrp_sync_fault (down_instance)
//   FAULT       vrrp_sync_backup   vrrp_sync_master   -
//                (try_up_instance)  (try_up_instance)
//
// The rules that follow:
// - One member in FAULT drags every member to FAULT; the group leaves FAULT only when no
//   member has a fault of its own, and then all members leave together.
// - When a member goes from MASTER to BACKUP (a higher-priority advert), all do.
// - A member whose Master_Down_Timer runs out goes MASTER only if every other member wants
//   MASTER too (vrrp_sync_can_goto_master: "Only sync to master if everyone wants to i.e.
//   prefer backup state to avoid thrashing"); otherwise it waits in BACKUP with wantState
//   MASTER. When the last member wants MASTER, all go MASTER at once.
// - A master that answers a lower-priority advert also re-GARPs for the other members.
//
// All of it is pure: the group steps one member with step() from instance-fsm.ts, then
// steps the others with sync-* events, and returns every member's new state and actions.

import { step } from './instance-fsm.js';
import type {
  GroupStateName, InstanceState, LogLevel, StepResult, SyncEvent, SyncView, VrrpAction, VrrpEvent,
} from './fsm-types.js';

export interface SyncGroupState {
  readonly name: string;
  /** Instance names, in configuration order. */
  readonly members: readonly string[];
  readonly state: GroupStateName;
}

/** Member states by instance name. */
export type Instances = Readonly<Record<string, InstanceState>>;

export type GroupAction =
  | { readonly kind: 'notify-group'; readonly group: string; readonly to: 'MASTER' | 'BACKUP' | 'FAULT'; readonly reason: string }
  | { readonly kind: 'log'; readonly level: LogLevel; readonly message: string; readonly reason?: string };

export interface MemberAction {
  readonly instance: string;
  readonly action: VrrpAction;
}

export interface GroupStepResult {
  readonly group: SyncGroupState;
  readonly instances: Instances;
  /** Every member's actions, in the order they happened. */
  readonly actions: readonly MemberAction[];
  readonly groupActions: readonly GroupAction[];
  /** Group actions that come before the members' (the group's notify at init). */
  readonly leadingGroupActions?: readonly GroupAction[];
  /** Each member's next deadline (only members that stepped are listed). */
  readonly deadlines: Readonly<Record<string, number | null>>;
}

function member(instances: Instances, name: string): InstanceState {
  const m = instances[name];
  if (m === undefined) throw new RangeError(`sync group member ${name} has no instance state`);
  return m;
}

/**
 * The initial group state, as keepalived's vrrp_sync_set_group sets it: FAULT if a member
 * starts faulty, MASTER only if every member is an address owner wanting MASTER, else BACKUP.
 */
export function createSyncGroup(name: string, members: readonly string[], instances: Instances): SyncGroupState {
  const states = members.map((m) => member(instances, m));
  let state: GroupStateName = 'BACKUP';
  if (states.some((s) => s.faults.length > 0)) state = 'FAULT';
  else if (states.length > 0 && states.every((s) => s.wantState === 'MASTER' && s.config.priority === 255)) state = 'MASTER';
  return { name, members, state };
}

/** What member `self` needs to know about the rest of its group. */
export function syncViewFor(group: SyncGroupState, instances: Instances, self: string): SyncView {
  const others = group.members.filter((m) => m !== self).map((m) => member(instances, m));
  return {
    group: group.name,
    groupState: group.state,
    othersWantMaster: others.every((o) => o.wantState === 'MASTER'),
    othersFaulted: others.some((o) => o.faults.length > 0),
  };
}

class GroupTx {
  group: SyncGroupState;
  readonly instances: Record<string, InstanceState>;
  readonly actions: MemberAction[] = [];
  readonly groupActions: GroupAction[] = [];
  readonly deadlines: Record<string, number | null> = {};

  constructor(group: SyncGroupState, instances: Instances, readonly now: number) {
    this.group = group;
    this.instances = { ...instances };
  }

  apply(name: string, r: StepResult): void {
    this.instances[name] = r.state;
    this.deadlines[name] = r.nextDeadline;
    for (const action of r.actions) this.actions.push({ instance: name, action });
  }

  /** Step every other member with a sync event (keepalived's loop over sgroup->vrrp_instances). */
  others(self: string, event: SyncEvent): void {
    for (const name of this.group.members) {
      if (name === self) continue;
      this.apply(name, step(member(this.instances, name), event, this.now));
    }
  }

  transition(self: string, to: 'MASTER' | 'BACKUP' | 'FAULT', reason: string): void {
    if (this.group.state === to) return;
    this.groupActions.push({ kind: 'log', level: 'info', message: `VRRP_Group(${this.group.name}) Syncing instances to ${to} state`, reason });
    const event: SyncEvent = to === 'MASTER' ? { kind: 'sync-goto-master', group: this.group.name }
      : to === 'BACKUP' ? { kind: 'sync-goto-backup', group: this.group.name }
        : { kind: 'sync-fault', group: this.group.name };
    this.others(self, event);
    this.group = { ...this.group, state: to };
    this.groupActions.push({ kind: 'notify-group', group: this.group.name, to, reason });
  }
}

/** Feed one event to member `name` and bring the rest of the group along. */
export function stepSyncGroup(
  group: SyncGroupState, instances: Instances, name: string, event: VrrpEvent, now: number,
): GroupStepResult {
  const gtx = new GroupTx(group, instances, now);
  const prev = member(instances, name);
  const r = step(prev, event, now, syncViewFor(group, instances, name));
  gtx.apply(name, r);
  const from = prev.state;
  const to = r.state.state;

  // vrrp_init_state does not run the TSM: the group's initial state already accounts for
  // every member (createSyncGroup).
  if (event.kind !== 'startup' && from !== to) {
    const why = `${name} ${from} -> ${to}`;
    if (to === 'FAULT') gtx.transition(name, 'FAULT', why);
    else if (to === 'MASTER') gtx.transition(name, 'MASTER', why);
    else if (to === 'BACKUP' && (from === 'MASTER' || from === 'FAULT')) gtx.transition(name, 'BACKUP', why);
  }

  // "If we are a member of a sync group, send GARP messages for any other member of the
  // group that has garp_lower_prio_rep set"
  if (r.actions.some((a) => a.kind === 'notify' && a.to === 'MASTER_RX_LOWER_PRI')) {
    gtx.others(name, { kind: 'sync-lower-prio-garp', group: group.name });
  }

  return {
    group: gtx.group, instances: gtx.instances, actions: gtx.actions, groupActions: gtx.groupActions, deadlines: gtx.deadlines,
  };
}

/** Start every member (keepalived's vrrp_init_state over the group). */
export function startSyncGroup(group: SyncGroupState, instances: Instances, now: number): GroupStepResult {
  let cur = instances;
  let g = group;
  const actions: MemberAction[] = [];
  const groupActions: GroupAction[] = [];
  const deadlines: Record<string, number | null> = {};
  for (const name of group.members) {
    const r = stepSyncGroup(g, cur, name, { kind: 'startup' }, now);
    cur = r.instances;
    g = r.group;
    actions.push(...r.actions);
    groupActions.push(...r.groupActions);
    Object.assign(deadlines, r.deadlines);
  }
  // vrrp_init_state: "Do notifications for any sync groups in fault or backup state", before
  // any member's own notify; a group that starts MASTER (all owners) notifies as it gets there.
  const leadingGroupActions: GroupAction[] = group.state === 'BACKUP' || group.state === 'FAULT'
    ? [{ kind: 'notify-group', group: group.name, to: group.state, reason: 'init' }] : [];
  return { group: g, instances: cur, actions, groupActions, leadingGroupActions, deadlines };
}

/** The earliest deadline over all members, for the one timer the shell arms. */
export function earliestDeadline(group: SyncGroupState, deadlines: Readonly<Record<string, number | null>>): number | null {
  let best: number | null = null;
  for (const name of group.members) {
    const d = deadlines[name];
    if (d !== undefined && d !== null && (best === null || d < best)) best = d;
  }
  return best;
}
