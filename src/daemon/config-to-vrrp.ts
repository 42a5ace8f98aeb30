// Pure mapping from the parsed vrrp_instance / vrrp_script / vrrp_sync_group blocks to the
// VRRP engine's spec (src/vrrp/engine/types.ts). Instances keepalived would not run (VRID
// unset after an error) are left out, with a note.
import type { KeepalivedConfig, VrrpInstance } from '../config/index.js';
import type { ScriptSpec } from '../config/readers.js';
import type { TrackRef } from '../config/model/trackers.js';
import { instanceConfig } from '../vrrp/fsm/fsm-types.js';
import type {
  EngineSpec, InstanceSpec, NotifyScripts, ScriptCommand, SyncGroupSpec, TrackFileSpec, TrackProcessSpec, VrrpScriptSpec,
} from '../vrrp/engine/types.js';

export interface VrrpMapping {
  readonly spec: EngineSpec;
  readonly notes: readonly string[];
}

type DefaultUser = { user: string; group?: string } | undefined;

/** A script command; without its own user it runs as global_defs script_user. */
function command(s: ScriptSpec | undefined, def: DefaultUser): ScriptCommand | undefined {
  if (s === undefined) return undefined;
  const user = s.user ?? def?.user;
  const group = s.user !== undefined ? s.group : def?.group;
  return {
    argv: s.argv, text: s.text, ...(user !== undefined ? { user } : {}), ...(group !== undefined ? { group } : {}),
    ...(s.run !== undefined ? { run: s.run } : {}),
  };
}

function notifyOf(n: VrrpInstance['notify'], defUser: DefaultUser): NotifyScripts {
  const out: Record<string, ScriptCommand> = {};
  const put = (k: keyof NotifyScripts, s: ScriptSpec | undefined): void => {
    const c = command(s, defUser);
    if (c !== undefined) out[k] = c;
  };
  put('master', n.master);
  put('backup', n.backup);
  put('fault', n.fault);
  put('stop', n.stop);
  put('masterRxLowerPri', n.masterRxLowerPri);
  put('generic', n.generic);
  return out;
}

function instanceSpec(cfg: KeepalivedConfig, v: VrrpInstance, notes: string[]): InstanceSpec | undefined {
  if (v.vrid < 1 || v.interface === undefined) {
    notes.push(`(${v.name}) not started: ${v.vrid < 1 ? 'no valid virtual_router_id' : 'no interface'}`);
    return undefined;
  }
  const g = cfg.global;
  if (v.track.bfds.length > 0) notes.push(`(${v.name}) track_bfd is not implemented by the VRRP engine yet; ignored`);
  // A sync group's track_file / track_process apply to every member (keepalived tracks
  // the group; one member faulted takes the group to FAULT); the instance's own line wins.
  const group = cfg.syncGroups.find((sg) => sg.members.includes(v.name));
  const withGroup = (own: readonly TrackRef[], fromGroup: readonly TrackRef[] | undefined): TrackRef[] =>
    [...own, ...(fromGroup ?? []).filter((t) => !own.some((o) => o.name === t.name))];
  if (v.vmac !== undefined || v.ipvlan !== undefined) notes.push(`(${v.name}) use_vmac/use_ipvlan are not implemented; the VIPs go on ${v.interface}`);
  const fsm = instanceConfig({
    name: v.name,
    vrid: v.vrid,
    version: v.version,
    priority: v.priority,
    advertIntCs: Math.max(1, Math.round(v.advertIntMs / 10)),
    primaryAddr: v.srcIp ?? '',
    initialState: v.state,
    preempt: !v.nopreempt,
    preemptDelayMs: v.preemptDelayMs,
    downTimerAdverts: v.downTimerAdverts,
    startupDelayMs: g.vrrpStartupDelayMs,
    garpMasterDelayMs: v.garp.masterDelayMs,
    garpMasterRepeat: v.garp.masterRepeat,
    garpLowerPrioDelayMs: v.garp.lowerPrioDelayMs,
    garpLowerPrioRepeat: v.garp.lowerPrioRepeat,
    garpMasterRefreshMs: v.garp.masterRefreshMs,
    garpMasterRefreshRepeat: v.garp.masterRefreshRepeat,
    lowerPrioNoAdvert: v.lowerPrioNoAdvert,
    higherPrioSendAdvert: v.higherPrioSendAdvert,
    notifyPriorityChanges: v.notifyPriorityChanges,
  });
  const auth = v.auth === undefined ? { type: 'none' as const }
    : v.auth.type === 'PASS' ? { type: 'pass' as const, password: v.auth.password } : { type: 'ah' as const, password: v.auth.password };
  return {
    fsm,
    io: {
      interface: v.interface,
      family: v.family,
      vips: v.vips,
      excludedVips: v.evips,
      routes: v.virtualRoutes,
      rules: v.virtualRules,
      ...(v.srcIp !== undefined ? { srcAddr: v.srcIp } : {}),
      unicastPeers: v.unicastPeers.map((p) => ({ address: p.address, ...(p.minTtl > 0 ? { minTtl: p.minTtl } : {}), ...(p.maxTtl < 255 ? { maxTtl: p.maxTtl } : {}) })),
      ...(v.unicastTtl !== undefined ? { unicastTtl: v.unicastTtl } : {}),
      auth,
      v3ChecksumAsV2: v.v3ChecksumAsV2,
      vipCheck: v.skipCheckAdvAddr ? 'skip' : 'drop',
      notify: notifyOf(v.notify, g.scriptUser),
      // keepalived applies a sync group's trackers to every member (vrrp_sync.c).
      trackScripts: withGroup(v.track.scripts, group?.track.scripts).map((t) => ({ script: t.name, weight: t.weight, reverse: t.reverse })),
      trackInterfaces: withGroup(v.track.interfaces, group?.track.interfaces).map((t) => ({ name: t.name, weight: t.weight, reverse: t.reverse })),
      trackFiles: withGroup(v.track.files, group?.track.files).map((t) => ({ file: t.name, weight: t.weight, reverse: t.reverse })),
      trackProcesses: withGroup(v.track.processes, group?.track.processes).map((t) => ({ process: t.name, weight: t.weight, reverse: t.reverse })),
      dontTrackPrimary: v.dontTrackPrimary,
    },
  };
}

export function configToVrrp(cfg: KeepalivedConfig): VrrpMapping {
  const notes: string[] = [];
  const instances: InstanceSpec[] = [];
  for (const v of cfg.vrrpInstances) {
    const s = instanceSpec(cfg, v, notes);
    if (s !== undefined) instances.push(s);
  }
  const running = new Set(instances.map((i) => i.fsm.name));
  const scripts: VrrpScriptSpec[] = cfg.vrrpScripts.map((s) => ({
    name: s.name,
    command: command({ ...s.script, ...(s.user !== undefined ? { user: s.user } : {}), ...(s.group !== undefined ? { group: s.group } : {}) }, cfg.global.scriptUser) as ScriptCommand,
    intervalMs: s.intervalMs,
    timeoutMs: s.timeoutMs,
    weight: s.weight,
    reverse: s.weightReverse,
    rise: s.rise,
    fall: s.fall,
    initFail: s.initFail,
  }));
  const trackFiles: TrackFileSpec[] = cfg.trackFiles.map((f) => ({
    name: f.name, path: f.file, weight: f.weight, reverse: f.weightReverse, ...(f.initFile !== undefined ? { init: f.initFile } : {}),
  }));
  const trackProcesses: TrackProcessSpec[] = cfg.trackProcesses.map((p) => ({
    name: p.name, process: p.process, args: p.args, ...(p.paramMatch !== undefined ? { paramMatch: p.paramMatch } : {}),
    fullCommand: p.fullCommand, weight: p.weight, reverse: p.weightReverse, quorum: p.quorum,
    ...(p.quorumMax !== undefined ? { quorumMax: p.quorumMax } : {}), forkDelayMs: p.forkDelayMs, terminateDelayMs: p.terminateDelayMs,
  }));
  const syncGroups: SyncGroupSpec[] = cfg.syncGroups
    .filter((g) => g.members.every((m) => running.has(m)))
    .map((g) => ({ name: g.name, members: g.members, notify: notifyOf(g.notify, cfg.global.scriptUser) }));
  return { spec: { instances, scripts, syncGroups, trackFiles, trackProcesses }, notes };
}
