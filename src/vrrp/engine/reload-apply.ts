// The parts of VrrpEngine.reload() that do not need the engine's own fields: checking a
// new or changed instance against the host before anything is touched, and setting the
// sync groups up again afterwards.
import { HalbError } from '../../core/errors.js';
import type { InstanceRunner } from './instance-runner.js';
import { changedGroups } from './reload.js';
import type { NetworkPort } from './ports.js';
import type { InstanceSpec, SyncGroupSpec } from './types.js';
import type { InstanceState } from '../fsm/fsm-types.js';
import { createSyncGroup, startSyncGroup, type GroupStepResult, type SyncGroupState } from '../fsm/sync-group.js';

export interface PreparedInstance {
  /** As configured (primaryAddr '' = from the interface): what the next reload compares. */
  readonly given: InstanceSpec;
  /** With the source address worked out. */
  readonly full: InstanceSpec;
}

/**
 * Check an instance against the host and work out its source address, without touching
 * anything: a reload is refused before any change when one of these fails. `taken` maps
 * interface, family, receive mode and VRID to the instance already there.
 */
export function prepareInstance(host: NetworkPort, spec: InstanceSpec, taken: Map<string, string>): PreparedInstance {
  const io = spec.io;
  const name = spec.fsm.name;
  if (io.auth?.type === 'ah') {
    throw new HalbError('HALB_ERR_NOT_SUPPORTED', `(${name}) auth_type AH: halb checks AH adverts but cannot send them; use PASS or no authentication`);
  }
  if (spec.fsm.version === 2 && io.family === 6) throw new HalbError('HALB_ERR_CONFIG', `(${name}) VRRPv2 cannot run over IPv6`);
  if (host.link(io.interface) === undefined) throw new HalbError('HALB_ERR_CONFIG', `(${name}) interface ${io.interface} does not exist`);
  const primary = spec.fsm.primaryAddr !== '' ? spec.fsm.primaryAddr : io.srcAddr ?? host.primaryAddress(io.interface, io.family);
  if (primary === undefined) {
    throw new HalbError('HALB_ERR_CONFIG', `(${name}) interface ${io.interface} has no IPv${io.family} address to send adverts from`);
  }
  const unicast = (io.unicastPeers?.length ?? 0) > 0;
  const where = `${io.interface}|${io.family}|${unicast ? primary : 'multicast'}|${spec.fsm.vrid}`;
  const other = taken.get(where);
  if (other !== undefined) throw new HalbError('HALB_ERR_CONFIG', `VRID ${spec.fsm.vrid} is used by both ${other} and ${name} on ${io.interface}`);
  taken.set(where, name);
  return { given: spec, full: { ...spec, fsm: { ...spec.fsm, primaryAddr: primary } } };
}

/** The engine's sync group tables and the steps reloadSyncGroups needs from it. */
export interface GroupTables {
  readonly groups: Map<string, SyncGroupState>;
  readonly groupOf: Map<string, string>;
  readonly runners: ReadonlyMap<string, InstanceRunner>;
  states(members: readonly string[]): Record<string, InstanceState>;
  apply(res: GroupStepResult): void;
  startup(member: string): void;
}

/**
 * Sync groups after a reload: one whose members did not change keeps its state; a new or
 * changed one is set up again from its members' current states, and members that have
 * just been added start through it (all of them new: keepalived's vrrp_init_state).
 */
export function reloadSyncGroups(
  t: GroupTables, prev: readonly SyncGroupSpec[], next: readonly SyncGroupSpec[], started: readonly InstanceRunner[], now: number,
): void {
  const changed = changedGroups(prev, next);
  const keep = new Set(next.filter((g) => !changed.has(g.name)).map((g) => g.name));
  for (const name of [...t.groups.keys()]) if (!keep.has(name)) t.groups.delete(name);
  for (const [m, g] of [...t.groupOf]) {
    if (keep.has(g)) continue;
    t.groupOf.delete(m);
    const r = t.runners.get(m);
    r?.setSyncGroup(null);
  }
  const fresh = new Set(started.map((r) => r.name));
  for (const g of next.filter((x) => changed.has(x.name))) {
    const members = g.members.filter((m) => t.runners.has(m));
    for (const m of members) {
      t.groupOf.set(m, g.name);
      t.runners.get(m)!.setSyncGroup(g.name);
    }
    if (members.every((m) => fresh.has(m))) {
      t.apply(startSyncGroup(createSyncGroup(g.name, members, t.states(members)), t.states(members), now));
      continue;
    }
    t.groups.set(g.name, createSyncGroup(g.name, members, t.states(members)));
    for (const m of members) if (fresh.has(m)) t.startup(m);
  }
}
