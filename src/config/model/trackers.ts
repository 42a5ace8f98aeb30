// The objects VRRP instances and sync groups track, and the references to them
// (keepalived/vrrp/vrrp_track.c, trackers/track_file.c, track_process.c, bfd_parser.c).
import type { SourcePos } from '../diagnostics.js';
import type { ScriptSpec } from '../readers.js';

/** `vrrp_script NAME { ... }`. Scripts without `script` are dropped, as keepalived does. */
export interface VrrpScript {
  name: string;
  pos: SourcePos;
  script: ScriptSpec;
  intervalMs: number;
  /** Defaults to the interval. */
  timeoutMs: number;
  rise: number;
  fall: number;
  /** 0: failure puts the tracking instances in FAULT. */
  weight: number;
  weightReverse: boolean;
  /** `user USER [GROUP]`; otherwise global_defs script_user. */
  user?: string;
  group?: string;
  /** Start in the failed state (`init_fail`). */
  initFail: boolean;
}

/** `track_file NAME { ... }` (alias `vrrp_track_file`). */
export interface TrackFile {
  name: string;
  pos: SourcePos;
  file: string;
  weight: number;
  weightReverse: boolean;
  /** `init_file [VALUE] [overwrite]`. */
  initFile?: { value: number; overwrite: boolean };
}

/** `vrrp_track_process NAME { ... }`. */
export interface TrackProcess {
  name: string;
  pos: SourcePos;
  /** Process name (/proc/PID/comm) or path. */
  process: string;
  /** Arguments after the process name: matching then uses the full command line. */
  args: string[];
  paramMatch: 'exact' | 'initial' | 'partial' | undefined;
  fullCommand: boolean;
  weight: number;
  weightReverse: boolean;
  quorum: number;
  /** undefined = unlimited. */
  quorumMax: number | undefined;
  forkDelayMs: number;
  terminateDelayMs: number;
}

/** `bfd_instance NAME { ... }`. */
export interface BfdInstance {
  name: string;
  pos: SourcePos;
  neighborIp?: string;
  sourceIp?: string;
  minRxMs: number;
  minTxMs: number;
  idleTxMs: number;
  multiplier: number;
  passive: boolean;
  ttl: number;
  hoplimit: number;
  maxHops: number;
  multihop: boolean;
  weight: number;
  weightReverse: boolean;
  /** `vrrp` / `checker`: send events to one process only. */
  only?: 'vrrp' | 'checker';
}

/** One line of a track_interface / track_script / track_file / track_process / track_bfd block. */
export interface TrackRef {
  name: string;
  pos: SourcePos;
  /** Defaults to the tracked object's own weight (0 for interfaces). 0 = failure means FAULT. */
  weight: number;
  reverse: boolean;
}

export interface TrackSet {
  interfaces: TrackRef[];
  scripts: TrackRef[];
  files: TrackRef[];
  processes: TrackRef[];
  bfds: TrackRef[];
}

/** `track_group NAME { group { VI_1 ... } }`: instances that go FAULT with a static item. */
export interface TrackGroup {
  name: string;
  pos: SourcePos;
  members: string[];
}

/** `garp_group { ... }`: GARP/NA rate limits per interface. */
export interface GarpGroup {
  pos: SourcePos;
  garpIntervalMs?: number;
  gnaIntervalMs?: number;
  interfaces: string[];
  /** Set by an `interfaces { }` block: the interfaces share one rate limit. */
  aggregate: boolean;
}

export function emptyTrackSet(): TrackSet {
  return { interfaces: [], scripts: [], files: [], processes: [], bfds: [] };
}
