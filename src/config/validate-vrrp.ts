// Checks of the VRRP side once the whole file is read, in the order keepalived's
// vrrp_complete_init() makes them: global defaults, sync group membership, each
// instance (validate-vrrp-instance.ts), duplicate VRIDs. keepalived names no line for
// these, so neither do we. Then our own advice (validate-vrrp-advice.ts) and, when the
// host is described, the host-dependent checks (validate-vrrp-host.ts).
import type { Diagnostics } from './diagnostics.js';
import type { HostInfo } from './host.js';
import type { KeepalivedConfig } from './model/index.js';
import type { SyncGroup, VrrpInstance } from './model/vrrp.js';
import { globalPending, groupPending } from './keywords/pending.js';
import { completeInstance } from './validate-vrrp-instance.js';
import { adviseVrrp } from './validate-vrrp-advice.js';
import { checkHostAfter, checkHostBefore, HostView } from './validate-vrrp-host.js';

function completeGlobals(cfg: KeepalivedConfig): void {
  const g = cfg.global;
  const pend = globalPending(g);
  // The lower-priority GARP settings default to the master ones as finally configured.
  if (!pend.lowerPrioDelaySet) g.vrrpGarpLowerPrioDelayMs = g.vrrpGarpMasterDelayMs;
  if (!pend.lowerPrioRepeatSet) g.vrrpGarpLowerPrioRepeat = g.vrrpGarpMasterRepeat;
}

/** Resolve `group { }` names to instances; returns the groups keepalived keeps. */
function resolveSyncGroups(cfg: KeepalivedConfig, diag: Diagnostics): SyncGroup[] {
  const kept: SyncGroup[] = [];
  for (const sg of cfg.syncGroups) {
    const named = sg.members.length;
    const members: string[] = [];
    for (const name of sg.members) {
      const v = cfg.vrrpInstances.find((i) => i.name === name);
      if (v === undefined) {
        diag.error(undefined, `Virtual router ${name} specified in sync group ${sg.name} doesn't exist - ignoring`);
        continue;
      }
      if (v.syncGroup !== undefined && v.syncGroup !== sg.name) {
        diag.error(undefined, `Virtual router ${name} cannot exist in more than one sync group; ignoring ${sg.name}`);
        continue;
      }
      if (members.includes(name)) continue;
      v.syncGroup = sg.name;
      members.push(name);
    }
    sg.members = members;
    if (members.length === 0) {
      diag.error(undefined, named === 0
        ? `Sync group ${sg.name} has no virtual router(s). removing`
        : `Sync group ${sg.name}, no matching virtual router found in group declaration - removing`);
      continue;
    }
    if (members.length === 1) diag.error(undefined, `Sync group ${sg.name} has only 1 virtual router(s) - this probably isn't what you want`);
    const pend = groupPending(sg);
    sg.smtpAlert = pend.smtpAlert ?? cfg.global.smtpAlertVrrp ?? cfg.global.smtpAlert ?? false;
    sg.notifyPriorityChanges = pend.notifyPriorityChanges ?? cfg.global.vrrpNotifyPriorityChanges;
    kept.push(sg);
  }
  return kept;
}

/** Owners (priority 255) cannot have their priority moved, so a group holding one loses its weights. */
function syncGroupWeights(cfg: KeepalivedConfig, diag: Diagnostics): void {
  for (const sg of cfg.syncGroups) {
    const members = cfg.vrrpInstances.filter((v) => v.syncGroup === sg.name);
    const owners = members.filter((v) => v.priority === 255);
    if (owners.length > 0 && owners.length < members.length) {
      diag.error(undefined, `Sync group ${sg.name} has some member(s) as address owner and some not as address owner. This won't work.`);
    }
    if (owners.length === 0) continue;
    const kinds: Array<[keyof SyncGroup['track'], string, string]> = [
      ['scripts', 'script', 'clearing weight'], ['files', 'file', 'setting weight 0'], ['processes', 'process', 'setting weight 0'],
      ['bfds', 'bfd', 'setting weight 0'], ['interfaces', 'interface', 'clearing weight'],
    ];
    for (const [kind, what, action] of kinds) {
      for (const t of sg.track[kind]) {
        if (t.weight === 0) continue;
        diag.error(undefined, `(${sg.name}) Cannot have weighted track ${what} '${t.name}' with member having priority 255 - ${action}`);
        t.weight = 0;
      }
    }
  }
}

/** Two instances may share a VRID on one interface only in different families or with disjoint unicast peers. */
function duplicateVrids(instances: readonly VrrpInstance[], diag: Diagnostics): void {
  for (let j = 0; j < instances.length; j++) {
    const b = instances[j] as VrrpInstance;
    if (b.interface === undefined) continue;
    for (let i = 0; i < j; i++) {
      const a = instances[i] as VrrpInstance;
      if (a.interface !== b.interface || a.family !== b.family || a.vrid !== b.vrid) continue;
      const disjointUnicast = a.unicastPeers.length > 0 && b.unicastPeers.length > 0
        && !a.unicastPeers.some((pa) => b.unicastPeers.some((pb) => pa.address === pb.address));
      if (disjointUnicast) continue;
      diag.error(undefined, `${a.name} and ${b.name} both use VRID ${b.vrid} with IPv${b.family} on interface ${b.interface}`);
      break;
    }
  }
}

export function validateVrrp(cfg: KeepalivedConfig, diag: Diagnostics, host: HostInfo | undefined): void {
  completeGlobals(cfg);
  cfg.syncGroups = resolveSyncGroups(cfg, diag);
  const view = host === undefined ? undefined : new HostView(host, cfg.global.dynamicInterfaces);
  if (view !== undefined) checkHostBefore(cfg, diag, view);
  const runnable: VrrpInstance[] = [];
  for (const v of cfg.vrrpInstances) {
    if (completeInstance(cfg, v, diag)) runnable.push(v);
  }
  syncGroupWeights(cfg, diag);
  duplicateVrids(runnable, diag);
  adviseVrrp(cfg, diag);
  if (view !== undefined) checkHostAfter(cfg, diag, view);
}
