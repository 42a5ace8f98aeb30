// What a configuration reload changes, per vrrp_instance and sync group: pure functions
// over two EngineSpecs. keepalived (vrrp.c clear_diff_vrrp / restore_vrrp_state) matches
// an old instance to a new one and keeps its state, effective priority, stats and VIP
// set, diffing the VIPs, routes and rules in place; an instance that is gone is stopped as
// on shutdown (vrrp_restore_interface with a priority-0 advert). We match by name, and an
// instance whose VRID, interface, address family or VRRP version changed is a different
// virtual router: the old one is stopped and the new one started (keepalived 2.2.7 does
// the same, its vrrp_exist() requiring the same VRID, family and interface).
import type { IpRoute, IpRule } from '../../config/model/ip.js';
import type { InstanceSpec, SyncGroupSpec, VipSpec } from './types.js';
import type { InstanceConfig, InstanceState } from '../fsm/fsm-types.js';
import { VRRP_PRIO } from '../proto/constants.js';
import { masterDownIntervalUs } from '../fsm/timers.js';

export type InstanceChange =
  | { readonly kind: 'unchanged'; readonly name: string; readonly spec: InstanceSpec }
  | { readonly kind: 'updated'; readonly name: string; readonly spec: InstanceSpec; readonly what: readonly string[] }
  | { readonly kind: 'replaced'; readonly name: string; readonly spec: InstanceSpec; readonly why: string }
  | { readonly kind: 'added'; readonly name: string; readonly spec: InstanceSpec }
  | { readonly kind: 'removed'; readonly name: string };

/**
 * What a reload compares: the value as JSON, without the config's source positions
 * (`pos` of addresses, routes and rules): moving a line in the file is not changing it.
 */
export function specKey(x: unknown): string {
  return JSON.stringify(x, (k, v: unknown) => (k === 'pos' ? undefined : v)) ?? 'undefined';
}

const same = (a: unknown, b: unknown): boolean => specKey(a) === specKey(b);

/** Why `next` is a different virtual router from `prev` (undefined: the same one). */
export function identityChange(prev: InstanceSpec, next: InstanceSpec): string | undefined {
  if (prev.fsm.vrid !== next.fsm.vrid) return `virtual_router_id ${prev.fsm.vrid} -> ${next.fsm.vrid}`;
  if (prev.io.interface !== next.io.interface) return `interface ${prev.io.interface} -> ${next.io.interface}`;
  if (prev.io.family !== next.io.family) return `address family IPv${prev.io.family} -> IPv${next.io.family}`;
  if (prev.fsm.version !== next.fsm.version) return `version ${prev.fsm.version} -> ${next.fsm.version}`;
  return undefined;
}

/** The top-level keys of an instance spec that differ, for the log ("priority", "vips", ...). */
function changedKeys(prev: InstanceSpec, next: InstanceSpec): string[] {
  const out: string[] = [];
  const keys = <T extends object>(a: T, b: T): (keyof T)[] => [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof T)[];
  for (const k of keys(prev.fsm, next.fsm)) if (!same(prev.fsm[k], next.fsm[k])) out.push(String(k));
  for (const k of keys(prev.io, next.io)) if (!same(prev.io[k], next.io[k])) out.push(String(k));
  return out;
}

/** Every instance of `next` and `prev`, classified; removed ones come first, in `prev` order. */
export function diffInstances(prev: readonly InstanceSpec[], next: readonly InstanceSpec[]): InstanceChange[] {
  const out: InstanceChange[] = [];
  const nextNames = new Set(next.map((s) => s.fsm.name));
  for (const p of prev) if (!nextNames.has(p.fsm.name)) out.push({ kind: 'removed', name: p.fsm.name });
  const byName = new Map(prev.map((s) => [s.fsm.name, s]));
  for (const n of next) {
    const name = n.fsm.name;
    const p = byName.get(name);
    if (p === undefined) {
      out.push({ kind: 'added', name, spec: n });
      continue;
    }
    const why = identityChange(p, n);
    if (why !== undefined) out.push({ kind: 'replaced', name, spec: n, why });
    else if (same(p, n)) out.push({ kind: 'unchanged', name, spec: n });
    else out.push({ kind: 'updated', name, spec: n, what: changedKeys(p, n) });
  }
  return out;
}

/** The log line for a change (none for an unchanged instance); `state`: the instance's state now. */
export function describeChange(c: InstanceChange, state: string | undefined): string[] {
  switch (c.kind) {
    case 'unchanged': return [];
    case 'removed': return [`(${c.name}) removed: stopping`];
    case 'added': return [`(${c.name}) added: starting`];
    case 'replaced': return [`(${c.name}) ${c.why}: stopping the old virtual router, starting the new one`];
    case 'updated': return [`(${c.name}) updated in place (${c.what.join(', ')}), staying ${state ?? '?'}`];
  }
}

/** Sync groups whose name, members or notify scripts changed, or that are new. */
export function changedGroups(prev: readonly SyncGroupSpec[], next: readonly SyncGroupSpec[]): Set<string> {
  const old = new Map(prev.map((g) => [g.name, g]));
  return new Set(next.filter((g) => !same(old.get(g.name)?.members, g.members)).map((g) => g.name));
}

export interface ListDiff<T> {
  readonly added: readonly T[];
  readonly removed: readonly T[];
}

/** Entries of `next` not in `prev` (by every attribute), and the reverse. */
export function diffList<T>(prev: readonly T[], next: readonly T[]): ListDiff<T> {
  const key = (x: T): string => specKey(x);
  const p = new Set(prev.map(key));
  const n = new Set(next.map(key));
  return { added: next.filter((x) => !p.has(key(x))), removed: prev.filter((x) => !n.has(key(x))) };
}

export interface AddressDiff {
  readonly vips: ListDiff<VipSpec>;
  readonly routes: ListDiff<IpRoute>;
  readonly rules: ListDiff<IpRule>;
}

/** What must be added and removed on the host when an instance holding its VIPs is updated. */
export function addressDiff(prev: InstanceSpec, next: InstanceSpec): AddressDiff {
  const all = (s: InstanceSpec): VipSpec[] => [...s.io.vips, ...(s.io.excludedVips ?? [])];
  return {
    vips: diffList(all(prev), all(next)),
    routes: diffList(prev.io.routes ?? [], next.io.routes ?? []),
    rules: diffList(prev.io.rules ?? [], next.io.rules ?? []),
  };
}

/**
 * The running state with a new configuration (restore_vrrp_state): state, wantstate,
 * priority, VIP set, master seen, timers and stats stay. The advert interval a master
 * sends at (and a VRRPv2 backup times out with) is the configured one; a VRRPv3 backup
 * keeps the master's until the next advert tells it otherwise. Becoming the address owner
 * pins the priority at 255; any other priority change goes through the trackers'
 * evaluation as a `priority-changed` event, so the election re-runs without a stop advert.
 */
export function reconfigureState(s: InstanceState, config: InstanceConfig): InstanceState {
  const masterAdverIntCs = s.state === 'MASTER' || config.version === 2 ? config.advertIntCs : s.masterAdverIntCs;
  const effectivePriority = config.priority === VRRP_PRIO.OWNER ? VRRP_PRIO.OWNER : s.effectivePriority;
  const msDownTimerUs = s.msDownIsSkew ? s.msDownTimerUs
    : masterDownIntervalUs(config.version, effectivePriority, masterAdverIntCs, config.downTimerAdverts);
  return { ...s, config, masterAdverIntCs, effectivePriority, msDownTimerUs };
}
