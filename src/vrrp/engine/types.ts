// What the VRRP engine is given (one FSM config plus the I/O settings per instance) and
// what it reports (snapshots, events). The daemon maps the parsed keepalived.conf onto
// EngineSpec. What the engine acts through (sockets, addresses, scripts, trackers) is in
// ports.ts.
import type { ResolvedScript } from '../../core/script.js';
import type { IpRoute, IpRule } from '../../config/model/ip.js';
import type { InstanceAuth } from '../proto/advert-check.js';
import type { IpFamily } from '../proto/checksum.js';
import type { FaultEntry, GroupStateName, InstanceConfig, NotifyTarget, VrrpStateName, WantState } from '../fsm/fsm-types.js';
import type { Contributor } from '../fsm/priority.js';

/** One virtual_ipaddress / virtual_ipaddress_excluded line (a subset of config/model/ip.ts IpAddressEntry). */
export interface VipSpec {
  readonly address: string;
  readonly family: IpFamily;
  readonly prefixLength: number;
  /** `dev IF`; default the instance's interface. */
  readonly device?: string;
  readonly broadcast?: string;
  /** RT scope number (global 0, link 253, host 254). */
  readonly scope?: number;
  readonly label?: string;
  readonly peer?: string;
  readonly noDad?: boolean;
  readonly noPrefixRoute?: boolean;
  readonly home?: boolean;
  readonly manageTempAddr?: boolean;
  readonly autoJoin?: boolean;
  /** `no_track`: deletion by someone else is not repaired. */
  readonly noTrack?: boolean;
  readonly preferredLft?: number | 'forever';
}

/** A command as keepalived execs it: argv, run as `user`/`group` when given. */
export interface ScriptCommand {
  readonly argv: readonly string[];
  readonly user?: string;
  readonly group?: string;
  /** The config as written, for logs. */
  readonly text?: string;
  /** What the config's script audit approved (argv, uid, gid); absent: never run. */
  readonly run?: ResolvedScript;
}

export interface NotifyScripts {
  readonly master?: ScriptCommand;
  readonly backup?: ScriptCommand;
  readonly fault?: ScriptCommand;
  readonly stop?: ScriptCommand;
  readonly masterRxLowerPri?: ScriptCommand;
  /** `notify CMD`: run with `INSTANCE|GROUP NAME STATE PRIORITY` appended. */
  readonly generic?: ScriptCommand;
}

export interface UnicastPeerSpec {
  readonly address: string;
  /** TTL range accepted from this peer; default: no TTL check (keepalived's unicast default). */
  readonly minTtl?: number;
  readonly maxTtl?: number;
}

/** The I/O side of one vrrp_instance. */
export interface InstanceIo {
  readonly interface: string;
  /** Family of the adverts and of `vips`. */
  readonly family: IpFamily;
  readonly vips: readonly VipSpec[];
  readonly excludedVips?: readonly VipSpec[];
  readonly routes?: readonly IpRoute[];
  readonly rules?: readonly IpRule[];
  /** mcast_src_ip / unicast_src_ip; default the interface's first IPv4 / link-local IPv6 address. */
  readonly srcAddr?: string;
  /** unicast_peer; non-empty makes the instance unicast, and adverts are accepted only from these. */
  readonly unicastPeers?: readonly UnicastPeerSpec[];
  /** unicast_ttl (dflt 255). */
  readonly unicastTtl?: number;
  /** VRRPv2 authentication (dflt none). AH is understood on receive only; sending it is refused. */
  readonly auth?: InstanceAuth;
  /** v3_checksum_as_v2: IPv4 VRRPv3 checksum without the pseudo-header. */
  readonly v3ChecksumAsV2?: boolean;
  /** How a VIP list that differs from ours is treated (dflt 'drop', as keepalived 2.2.7 does). */
  readonly vipCheck?: 'drop' | 'log' | 'skip';
  readonly notify?: NotifyScripts;
  /** track_script entries: the vrrp_script name, and weight/reverse overriding the script's. */
  readonly trackScripts?: readonly { readonly script: string; readonly weight?: number; readonly reverse?: boolean }[];
  readonly trackInterfaces?: readonly { readonly name: string; readonly weight?: number; readonly reverse?: boolean }[];
  /** track_file entries: the track_file name, and weight/reverse overriding the file's. */
  readonly trackFiles?: readonly { readonly file: string; readonly weight?: number; readonly reverse?: boolean }[];
  /** track_process entries: the vrrp_track_process name, and weight/reverse overriding its own. */
  readonly trackProcesses?: readonly { readonly process: string; readonly weight?: number; readonly reverse?: boolean }[];
  /** dont_track_primary: the instance's own interface going down does not cause FAULT. */
  readonly dontTrackPrimary?: boolean;
}

export interface InstanceSpec {
  /** primaryAddr '' = take it from the interface (io.srcAddr, else its first address). */
  readonly fsm: InstanceConfig;
  readonly io: InstanceIo;
}

/** A vrrp_script block. */
export interface VrrpScriptSpec {
  readonly name: string;
  readonly command: ScriptCommand;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly weight: number;
  readonly reverse?: boolean;
  readonly rise: number;
  readonly fall: number;
  readonly initFail?: boolean;
}

/** A track_file (vrrp_track_file) block: an integer read from a file. */
export interface TrackFileSpec {
  readonly name: string;
  readonly path: string;
  /** Multiplier of the value (dflt 1); 0: a non-zero value is a FAULT. */
  readonly weight: number;
  readonly reverse?: boolean;
  /** init_file [VALUE] [overwrite]: write VALUE at startup if the file is missing, or always with overwrite. */
  readonly init?: { readonly value: number; readonly overwrite: boolean };
}

/** A vrrp_track_process block: how many running processes match. */
export interface TrackProcessSpec {
  readonly name: string;
  /** Process name (/proc/PID/comm), or argv[0] when the command line is matched. */
  readonly process: string;
  /** Parameters after the name; matching then uses the command line. */
  readonly args?: readonly string[];
  readonly paramMatch?: 'exact' | 'initial' | 'partial';
  /** Match /proc/PID/cmdline instead of the process name. */
  readonly fullCommand?: boolean;
  /** dflt 0: losing the quorum is a FAULT. */
  readonly weight: number;
  readonly reverse?: boolean;
  /** Fewest matching processes for OK (dflt 1). */
  readonly quorum: number;
  /** Most matching processes for OK (dflt unlimited). */
  readonly quorumMax?: number;
  /** A status change caused by a fork waits this long (dflt 0). */
  readonly forkDelayMs?: number;
  /** A status change caused by a process exiting waits this long (dflt 0). */
  readonly terminateDelayMs?: number;
}

export interface SyncGroupSpec {
  readonly name: string;
  readonly members: readonly string[];
  readonly notify?: NotifyScripts;
}

export interface EngineSpec {
  readonly instances: readonly InstanceSpec[];
  readonly scripts?: readonly VrrpScriptSpec[];
  readonly syncGroups?: readonly SyncGroupSpec[];
  readonly trackFiles?: readonly TrackFileSpec[];
  readonly trackProcesses?: readonly TrackProcessSpec[];
  /**
   * How often /proc is scanned for vrrp_track_process (dflt 1000 ms). With the kernel's
   * process connector (root network namespace, CAP_NET_ADMIN) changes are seen at once
   * and the scan is only a safety net, every 30 s.
   */
  readonly processPollMs?: number;
  /** A track_file whose directory cannot be watched is re-read this often (dflt 1000 ms). */
  readonly filePollMs?: number;
  /** A timer firing this much after its deadline is logged (dflt 100 ms). */
  readonly lateTimerWarnMs?: number;
  /** Repeats of the same drop reason per instance are logged at most this often (dflt 30 s). */
  readonly dropLogIntervalMs?: number;
}

// ---- what the engine reports -------------------------------------------------------------

export interface InstanceCounters {
  readonly advertsSent: number;
  readonly advertsReceived: number;
  readonly sendErrors: number;
  /** Dropped adverts by reason (proto/drop-reason.ts). */
  readonly drops: Readonly<Record<string, number>>;
  readonly transitions: number;
  readonly becomeMaster: number;
  readonly releaseMaster: number;
  readonly priZeroSent: number;
  readonly priZeroReceived: number;
  readonly garpsSent: number;
  readonly nasSent: number;
  readonly vipsReadded: number;
  readonly addressErrors: number;
  readonly notifies: number;
}

export interface InstanceSnapshot {
  readonly name: string;
  readonly vrid: number;
  readonly version: 2 | 3;
  readonly family: IpFamily;
  readonly interface: string;
  readonly unicast: boolean;
  readonly primaryAddr: string;
  readonly state: VrrpStateName;
  readonly wantState: WantState;
  readonly basePriority: number;
  readonly effectivePriority: number;
  readonly contributors: readonly Contributor[];
  readonly faults: readonly FaultEntry[];
  readonly masterAddr: string | null;
  readonly masterPriority: number | null;
  readonly vipSet: boolean;
  readonly vips: readonly string[];
  readonly syncGroup: string | null;
  /** Wall-clock ms of the last state change. */
  readonly lastTransition: number | null;
  /** Wall-clock ms until which a releaseMaster() hold keeps the priority at 1, or null. */
  readonly releasedUntil: number | null;
  readonly counters: InstanceCounters;
}

export interface EngineSnapshot {
  readonly instances: readonly InstanceSnapshot[];
  readonly syncGroups: readonly { readonly name: string; readonly state: string; readonly members: readonly string[] }[];
  readonly timers: { readonly fired: number; readonly late: number; readonly maxLateMs: number };
  /** Packets that could not be tied to an instance (undecodable, unknown VRID), by reason. */
  readonly unattributedDrops: Readonly<Record<string, number>>;
}

export type EngineEvent =
  | {
      readonly kind: 'transition'; readonly instance: string; readonly from: VrrpStateName; readonly to: VrrpStateName;
      readonly priority: number; readonly reason: string;
    }
  | { readonly kind: 'notify'; readonly instance: string; readonly to: NotifyTarget; readonly priority: number }
  /** A vrrp_sync_group changed state (keepalived's group notifies); STOP on shutdown. */
  | {
      readonly kind: 'group-transition'; readonly group: string; readonly from: GroupStateName | 'STOP';
      readonly to: GroupStateName | 'STOP'; readonly reason: string;
    };

/** What releaseMaster() did: refusals are values, as keepalived's commands answer. */
export type ReleaseOutcome =
  | {
      readonly ok: true;
      /** The instance, or every member of its sync group. */
      readonly instances: readonly string[];
      /** How long the priority is held at 1 (ms). */
      readonly holdMs: number;
    }
  | { readonly ok: false; readonly reason: 'unknown-instance' | 'not-master' | 'owner' | 'not-running'; readonly message: string };
