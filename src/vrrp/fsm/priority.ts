// Effective priority from the base priority and the trackers, with keepalived's weight
// semantics (keepalived/vrrp/vrrp_track.c: initialise_*_tracking_priorities,
// process_script_update_priority, vrrp_set_effective_priority):
//
// - weight > 0 is added while the tracker is OK; weight < 0 is added (i.e. subtracted)
//   while it has failed; otherwise it contributes nothing.
// - `reverse` flips the sign of the adjustment, and for weight 0 flips which status is a fault.
// - weight 0: a failure puts the instance in FAULT.
// - track_file: value × weight (× -1 with reverse) is added, capped at 253; a result of
//   -254 or below is a FAULT; with weight 0 a non-zero value is a FAULT.
// - The effective priority is clamped to [1, 254]; an owner (255) is never changed by
//   trackers (its faults still apply) and a non-owner never reaches 255.
//
// Every contributor is kept (name, kind, weight, status, delta) so status pages and logs
// can say why the priority is what it is, and priorityRange() can tell a user that a
// weight is too small to ever change the election.

import { VRRP_PRIO } from '../proto/constants.js';
import type { FaultEntry, VrrpEvent } from './fsm-types.js';

export type TrackerKind = 'interface' | 'script' | 'file' | 'process' | 'bfd';

/** OK / FAIL, or INIT for a tracker that has not reported yet (a vrrp_script before its first run). */
export type TrackerStatus = 'OK' | 'FAIL' | 'INIT';

export type TrackerInput =
  | {
      readonly kind: Exclude<TrackerKind, 'file'>;
      readonly name: string;
      readonly weight: number;
      readonly reverse: boolean;
      /** interface up, script OK (after rise/fall), process quorum held, BFD session up. */
      readonly status: TrackerStatus;
    }
  | {
      readonly kind: 'file';
      readonly name: string;
      readonly weight: number;
      readonly reverse: boolean;
      /** The integer read from the tracked file. */
      readonly value: number;
    };

export interface Contributor {
  readonly name: string;
  readonly kind: TrackerKind;
  readonly weight: number;
  readonly reverse: boolean;
  /** Binary trackers: their status; track_file: the value read. */
  readonly status: TrackerStatus | number;
  /** What this tracker adds to the base priority (0 when it does not apply). */
  readonly delta: number;
  /** It holds the instance in FAULT. */
  readonly fault: boolean;
}

export interface PriorityEvaluation {
  readonly base: number;
  /** base + Σ delta, before clamping. */
  readonly total: number;
  readonly effective: number;
  /** The base priority is 255: trackers cannot change it. */
  readonly ownerLocked: boolean;
  readonly contributors: readonly Contributor[];
  /** The faults in the form the instance FSM takes them. */
  readonly faults: readonly FaultEntry[];
}

const KEYWORD: Record<TrackerKind, string> = {
  interface: 'track_interface', script: 'track_script', file: 'track_file', process: 'track_process', bfd: 'track_bfd',
};

const FAIL_WORD: Record<Exclude<TrackerKind, 'file'>, [ok: string, fail: string]> = {
  interface: ['up', 'down'], script: ['OK', 'failed'], process: ['quorum held', 'quorum lost'], bfd: ['up', 'down'],
};

/** The stable fault source id the instance FSM keys faults on. */
export function faultSource(kind: TrackerKind, name: string): string {
  return `${kind}:${name}`;
}

function contribution(t: TrackerInput): { contributor: Contributor; fault: FaultEntry | null } {
  const mult = t.reverse ? -1 : 1;
  const head = { name: t.name, kind: t.kind, weight: t.weight, reverse: t.reverse };
  const source = faultSource(t.kind, t.name);
  const rev = t.reverse ? ' (reverse)' : '';

  if (t.kind === 'file') {
    let fault: boolean;
    let delta = 0;
    if (t.weight === 0) {
      fault = (t.value !== 0) === !t.reverse;
    } else {
      const status = t.value * t.weight * mult;
      fault = status <= -254;
      if (!fault) delta = Math.min(status, 253);
    }
    return {
      contributor: { ...head, status: t.value, delta, fault },
      fault: fault ? { source, reason: `${KEYWORD.file} ${t.name} has value ${t.value}${rev}`, pending: false } : null,
    };
  }

  if (t.status === 'INIT') {
    // Not known yet: a weighted tracker adds nothing, an unweighted one holds the instance
    // until its first result (keepalived's num_script_init).
    const pending = t.weight === 0;
    return {
      contributor: { ...head, status: 'INIT', delta: 0, fault: pending },
      fault: pending ? { source, reason: `${KEYWORD[t.kind]} ${t.name} has not reported yet`, pending: true } : null,
    };
  }

  const ok = t.status === 'OK';
  if (t.weight === 0) {
    const fault = ok === t.reverse;
    const word = FAIL_WORD[t.kind][ok ? 0 : 1];
    return {
      contributor: { ...head, status: t.status, delta: 0, fault },
      fault: fault ? { source, reason: `${KEYWORD[t.kind]} ${t.name} ${word}${rev}`, pending: false } : null,
    };
  }
  const applies = ok ? t.weight > 0 : t.weight < 0;
  return { contributor: { ...head, status: t.status, delta: applies ? t.weight * mult : 0, fault: false }, fault: null };
}

/**
 * What a non-owner may advertise: [1, 254], a whole number. The one clamp of VRRP
 * priorities: tracker totals here, and the instance FSM's effective priority.
 */
export function clampPriority(priority: number): number {
  return Math.min(Math.max(Math.round(priority), 1), VRRP_PRIO.OWNER - 1);
}

export function evaluatePriority(base: number, trackers: readonly TrackerInput[]): PriorityEvaluation {
  const contributors: Contributor[] = [];
  const faults: FaultEntry[] = [];
  let total = base;
  for (const t of trackers) {
    const { contributor, fault } = contribution(t);
    contributors.push(contributor);
    if (fault !== null) faults.push(fault);
    total += contributor.delta;
  }
  const ownerLocked = base === VRRP_PRIO.OWNER;
  return { base, total, effective: ownerLocked ? VRRP_PRIO.OWNER : clampPriority(total), ownerLocked, contributors, faults };
}

/**
 * The lowest and highest effective priority the weighted trackers can produce, faults
 * aside. If a peer's priority lies outside this range, no tracker result can change who
 * wins the election (the "my master never fails over" reports of keepalived issue #942).
 */
export function priorityRange(base: number, trackers: readonly TrackerInput[]): { min: number; max: number } {
  if (base === VRRP_PRIO.OWNER) return { min: base, max: base };
  let lo = base;
  let hi = base;
  for (const t of trackers) {
    if (t.weight === 0) continue;
    if (t.kind === 'file') {
      // Any integer can be written to the file: anything short of a fault.
      lo += -253;
      hi += 253;
      continue;
    }
    const d = t.weight * (t.reverse ? -1 : 1);
    lo += Math.min(0, d);
    hi += Math.max(0, d);
  }
  return { min: clampPriority(lo), max: clampPriority(hi) };
}

/**
 * The FSM events that take an instance from one evaluation to the next: new faults first
 * (so it never runs for election on a priority it is about to lose), then the priority,
 * then cleared faults (so it comes back with the new priority in place).
 */
export function priorityEvents(prev: PriorityEvaluation, next: PriorityEvaluation): VrrpEvent[] {
  const events: VrrpEvent[] = [];
  const before = new Map(prev.faults.map((f) => [f.source, f]));
  const after = new Map(next.faults.map((f) => [f.source, f]));
  for (const f of next.faults) {
    const old = before.get(f.source);
    if (old === undefined || old.pending !== f.pending || old.reason !== f.reason) {
      events.push({ kind: 'fault-raised', source: f.source, reason: f.reason, pending: f.pending });
    }
  }
  if (prev.effective !== next.effective) events.push({ kind: 'priority-changed', priority: next.effective });
  for (const f of prev.faults) {
    if (!after.has(f.source)) {
      const c = next.contributors.find((x) => faultSource(x.kind, x.name) === f.source);
      const reason = c === undefined ? `${f.source} removed` : `${KEYWORD[c.kind]} ${c.name} recovered`;
      events.push({ kind: 'fault-cleared', source: f.source, reason });
    }
  }
  return events;
}
