// Advice keepalived does not give (severity warning): tracker weights that can never
// change anything, and unicast_peer blocks with no peers.
import type { Diagnostics, SourcePos } from './diagnostics.js';
import type { KeepalivedConfig } from './model/index.js';
import type { TrackRef } from './model/trackers.js';
import type { VrrpInstance } from './model/vrrp.js';
import { instancePending } from './keywords/pending.js';

/** RFC 5798 §6.1: a non-owner's priority is 1..254; keepalived clamps the tracked priority there. */
const MIN_PRIO = 1;
const MAX_NON_OWNER = 254;

interface Weighted {
  ref: TrackRef;
  kind: string;
  /** The priority change when the tracker is in its weighted state. */
  delta: number;
}

function weightedTrackers(cfg: KeepalivedConfig, v: VrrpInstance): Weighted[] {
  const out: Weighted[] = [];
  const group = cfg.syncGroups.find((g) => g.name === v.syncGroup);
  const sets = group === undefined ? [v.track] : [v.track, group.track];
  for (const set of sets) {
    const kinds: Array<[TrackRef[], string]> = [
      [set.interfaces, 'track_interface'], [set.scripts, 'track_script'], [set.files, 'track_file'],
      [set.processes, 'track_process'], [set.bfds, 'track_bfd'],
    ];
    for (const [refs, kind] of kinds) {
      for (const ref of refs) {
        // reverse flips the direction of the adjustment, not its size.
        if (ref.weight !== 0) out.push({ ref, kind, delta: ref.reverse ? -ref.weight : ref.weight });
      }
    }
  }
  return out;
}

function clamp(p: number): number {
  return Math.min(MAX_NON_OWNER, Math.max(MIN_PRIO, p));
}

function adviseWeights(cfg: KeepalivedConfig, v: VrrpInstance, diag: Diagnostics): void {
  if (v.priority === 255 || v.vrid === 0) return;
  const weighted = weightedTrackers(cfg, v);
  if (weighted.length === 0) return;
  for (const w of weighted) {
    if ((w.delta > 0 && v.priority >= MAX_NON_OWNER) || (w.delta < 0 && v.priority <= MIN_PRIO)) {
      diag.warn(w.ref.pos, `(${v.name}) ${w.kind} ${w.ref.name} weight ${w.ref.weight}${w.ref.reverse ? ' reverse' : ''} can never change the priority: `
        + `${v.priority} is already the ${w.delta > 0 ? 'highest' : 'lowest'} priority a non-owner can have`, w.kind);
    }
  }
  const lo = clamp(v.priority + weighted.reduce((a, w) => a + Math.min(0, w.delta), 0));
  const hi = clamp(v.priority + weighted.reduce((a, w) => a + Math.max(0, w.delta), 0));
  const rivals = cfg.vrrpInstances.filter((o) => o !== v && o.vrid === v.vrid && o.family === v.family && o.interface === v.interface);
  if (rivals.length === 0 || lo === hi) return;
  const side = (x: number, p: number): number => Math.sign(x - p);
  const changes = rivals.some((o) => side(lo, o.priority) !== side(hi, o.priority));
  if (changes) return;
  const first = weighted[0] as Weighted;
  const names = rivals.map((o) => `${o.name} (${o.priority})`).join(', ');
  diag.warn(first.ref.pos, `(${v.name}) tracker weights move the priority only within ${lo}..${hi}, which never crosses `
    + `${names} on VRID ${v.vrid}: they cannot change which router is master`, first.kind);
}

function adviseUnicast(v: VrrpInstance, diag: Diagnostics): void {
  const pos: SourcePos | undefined = instancePending(v).unicastPeerPos;
  if (pos === undefined || v.unicastPeers.length > 0) return;
  diag.warn(pos, v.unicastFaultNoPeer
    ? `(${v.name}) unicast_peer lists no peers: with unicast_fault_no_peer the instance stays in FAULT`
    : `(${v.name}) unicast_peer lists no peers: keepalived silently falls back to multicast`, 'unicast_peer');
}

export function adviseVrrp(cfg: KeepalivedConfig, diag: Diagnostics): void {
  for (const v of cfg.vrrpInstances) {
    adviseUnicast(v, diag);
    adviseWeights(cfg, v, diag);
  }
}
