// What the VRRP engine is given (one FSM config plus the I/O settings per instance), the
// host it acts through (VrrpHost: sockets, addresses, frames, scripts, link/address
// events), and what it reports (snapshots, events). The daemon maps the parsed
// keepalived.conf onto EngineSpec; engine.ts implements VrrpHost with src/sys/, tests
// implement it in memory.
import type { IpRoute, IpRule } from '../config/model/ip.js';
import type { PacketSocket } from '../core/packet-socket.js';
import type { InstanceAuth } from './advert-check.js';
import type { IpFamily } from './checksum.js';
import type { FaultEntry, InstanceConfig, NotifyTarget, VrrpStateName, WantState } from './fsm-types.js';
import type { Contributor } from './priority.js';
import type { ScriptOutcome } from './track-script.js';

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

export interface SyncGroupSpec {
  readonly name: string;
  readonly members: readonly string[];
  readonly notify?: NotifyScripts;
}

export interface EngineSpec {
  readonly instances: readonly InstanceSpec[];
  readonly scripts?: readonly VrrpScriptSpec[];
  readonly syncGroups?: readonly SyncGroupSpec[];
  /** A timer firing this much after its deadline is logged (dflt 100 ms). */
  readonly lateTimerWarnMs?: number;
  /** Repeats of the same drop reason per instance are logged at most this often (dflt 30 s). */
  readonly dropLogIntervalMs?: number;
}

// ---- the host ---------------------------------------------------------------------------

export interface HostLink {
  readonly ifindex: number;
  readonly name: string;
  readonly mac: string;
  /** IFF_UP and IFF_RUNNING. */
  readonly up: boolean;
}

export interface VrrpSocketOptions {
  readonly ifname: string;
  readonly family: IpFamily;
  /** Bind to this local address (send sockets, unicast receive sockets). */
  readonly bindAddr?: string;
  /** Multicast groups to join (224.0.0.18 / ff02::12 on multicast receive sockets). */
  readonly groups?: readonly string[];
  readonly ttl?: number;
}

export type HostEvent =
  | { readonly kind: 'link'; readonly link: HostLink }
  | { readonly kind: 'address-deleted'; readonly ifindex: number; readonly family: IpFamily; readonly address: string };

export interface VrrpHost {
  /** Read links and addresses; called once before anything else. */
  init(): Promise<void>;
  link(name: string): HostLink | undefined;
  /** The first IPv4 address of `ifname`, or its IPv6 link-local address. */
  primaryAddress(ifname: string, family: IpFamily): string | undefined;
  openSocket(opts: VrrpSocketOptions): PacketSocket;
  addAddress(vip: VipSpec, ifindex: number): Promise<void>;
  delAddress(vip: VipSpec, ifindex: number): Promise<void>;
  addRoute(r: IpRoute): Promise<void>;
  delRoute(r: IpRoute): Promise<void>;
  addRule(r: IpRule): Promise<void>;
  delRule(r: IpRule): Promise<void>;
  sendFrame(ifindex: number, frame: Buffer, ethertype: number, dstMac: string): void;
  ipv6Forwarding(ifname: string): boolean;
  runNotify(cmd: ScriptCommand, args: readonly string[]): void;
  runScript(cmd: ScriptCommand, timeoutMs: number): Promise<ScriptOutcome>;
  onEvent(cb: (ev: HostEvent) => void): void;
  close(): void;
}

// ---- what the engine reports -------------------------------------------------------------

export interface InstanceCounters {
  readonly advertsSent: number;
  readonly advertsReceived: number;
  readonly sendErrors: number;
  /** Dropped adverts by reason (drop-reason.ts). */
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
  | { readonly kind: 'notify'; readonly instance: string; readonly to: NotifyTarget; readonly priority: number };
