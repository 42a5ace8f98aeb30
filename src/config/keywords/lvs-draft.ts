// Parse-time state of a virtual_server block. keepalived keeps "unset" markers
// (UINT_MAX, -1) until its validation pass; the drafts keep `undefined` instead, and the
// virtual server's end handler turns them into the model's effective values.
import type { SourcePos } from '../diagnostics.js';
import type { Family, ScriptSpec } from '../readers.js';
import { trio } from './lvs-addr.js';
import type {
  Checker, CheckerTiming, ConnectOptions, Forwarding, LvsProtocol, LvsScheduler, SchedulerFlags, VsKey, VsSettings,
} from '../model/lvs.js';

/** Connection options as written; the real server fills the gaps. */
export interface ConnDraft {
  /** A failed connect_ip leaves keepalived's destination without a family. */
  dstUnspec?: boolean;
  addr?: string;
  family?: Family;
  port?: number;
  bindAddr?: string;
  bindFamily?: Family;
  bindPort?: number;
  bindIf?: string;
  fwmark?: number;
  timeoutMs?: number;
}

export interface TimingDraft {
  alpha?: boolean;
  retry?: number;
  delayLoopMs?: number;
  delayBeforeRetryMs?: number;
  warmupMs?: number;
  logAllFailures: boolean;
}

/** What a checker's end handler leaves behind; `build` runs once inheritance is known. */
export interface CheckerDraft {
  readonly pos: SourcePos;
  readonly timing: TimingDraft;
  readonly conn?: ConnDraft;
  /** Per-checker defaults (check_api.c queue_checker and the checker's handler). */
  readonly defaultRetry: number;
  /** 0 = use delay_loop (DNS_CHECK). */
  readonly defaultDelayBeforeRetryMs: number;
  /** FILE_CHECK and BFD_CHECK have no timer loop (keepalived's checker->launch is NULL). */
  readonly runs: boolean;
  /** Runs at the virtual server's end, when the real server's and virtual server's values are final. */
  build(timing: CheckerTiming, connect: ConnectOptions | undefined): Checker;
}

export interface RsDraft {
  readonly pos: SourcePos;
  readonly addr: string;
  readonly family: Family;
  port: number;
  weight?: number;
  /** Explicit, or the virtual server's at the time the real server was declared. */
  forwarding?: Forwarding;
  upperThreshold: number;
  lowerThreshold: number;
  inhibitOnFailure?: boolean;
  alpha?: boolean;
  smtpAlert?: boolean;
  virtualhost?: string;
  snmpName?: string;
  notifyUp?: ScriptSpec;
  notifyDown?: ScriptSpec;
  delayLoopMs?: number;
  connectTimeoutMs?: number;
  retry?: number;
  delayBeforeRetryMs?: number;
  warmupMs?: number;
  readonly checkers: CheckerDraft[];
  /** BFD instances already followed (keepalived refuses a second BFD_CHECK on one). */
  readonly bfds: Set<string>;
}

export interface SorryDraft {
  readonly pos: SourcePos;
  addr: string;
  family: Family;
  port: number;
  forwarding?: Forwarding;
  inhibitOnFailure: boolean;
}

export interface VsDraft extends VsSettings {
  readonly pos: SourcePos;
  readonly key: VsKey;
  family?: Family;
  scheduler?: LvsScheduler;
  readonly flags: SchedulerFlags;
  forwarding?: Forwarding;
  smtpAlert?: boolean;
  delayLoopMs: number;
  connectTimeoutMs: number;
  retry?: number;
  delayBeforeRetryMs?: number;
  warmupMs?: number;
  sorry?: SorryDraft;
  readonly realServers: RsDraft[];
  /** Position of the last statement seen in the block (see blockEnd). */
  lastPos: SourcePos;
}

/** keepalived's default delay_loop (KEEPALIVED_DEFAULT_DELAY) and connect timeout. */
export const DEFAULT_DELAY_LOOP_MS = 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** persistence_timeout without a value, and the implied timeout (IPVS_SVC_PERSISTENT_TIMEOUT). */
export const DEFAULT_PERSISTENCE_MS = 360_000;

export function emptyFlags(): SchedulerFlags {
  return { flag1: false, flag2: false, flag3: false, shPort: false, shFallback: false, mhPort: false, mhFallback: false, onePacket: false };
}

/** The label keepalived prints for a virtual server (format_vs). */
export function vsLabel(key: VsKey, protocol: LvsProtocol | undefined): string {
  if (key.kind === 'group') return `[${key.group}]:0`;
  if (key.kind === 'fwmark') return `FWM ${key.fwmark}`;
  return trio(key.addr, protocol, key.port);
}

/** keepalived names the virtual server group in some messages, "(null)" for the others. */
export function vsGroupName(key: VsKey): string {
  return key.kind === 'group' ? key.group : '(null)';
}

/**
 * keepalived reports an end handler's findings at the closing `}`; when the file ends
 * before it, we name the last statement seen inside the block.
 */
export function blockEnd(closePos: SourcePos | undefined, last: SourcePos): SourcePos {
  return closePos ?? last;
}
