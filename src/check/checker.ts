// The one interface every health checker implements (keepalived's checker_funcs_t in
// include/check_api.h: type, compare, dump), and the value one run produces. A run never
// throws for anything the peer did: a refused connection, a bad status line or a wrong
// digest are outcomes with a reason, so the runner can count them like any failure.
import type { CheckerKind } from '../config/model/checkers.js';

/** Why a run failed (closed set: logs, metrics and snapshots key on it). */
export type FailReason =
  | 'timeout'
  | 'refused'
  | 'unreachable'
  | 'connect-error'
  | 'tls-error'
  | 'no-data'
  | 'bad-status'
  | 'digest-mismatch'
  | 'regex-mismatch'
  | 'protocol-error'
  | 'reply-mismatch'
  | 'dns-rcode'
  | 'exit-status'
  | 'signal'
  | 'spawn-error'
  | 'file-fault'
  | 'aborted';

export type CheckOutcome =
  | {
    readonly ok: true;
    readonly detail: string;
    readonly latencyMs: number;
    /** misc_dynamic: exit status 2..255 sets the real server's weight to status - 2. */
    readonly weight?: number;
    /** FILE_CHECK with a weight: added to the real server's configured weight. */
    readonly weightOffset?: number;
  }
  | {
    readonly ok: false;
    readonly reason: FailReason;
    readonly detail: string;
    readonly latencyMs: number;
  };

/** What `halb status`, the admin API and the dumps show for a checker. */
export interface CheckerSnapshot {
  readonly kind: CheckerKind;
  /** keepalived's FMT_CHK style label: `[127.0.0.1]:tcp:80`. */
  readonly target: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export interface Checker {
  readonly kind: CheckerKind;
  /** The target as logs name it (keepalived's FMT_CHK). */
  readonly target: string;
  /**
   * The longest one run may take before the scheduler aborts its signal (connect_timeout,
   * misc_timeout). A run must settle soon after its signal aborts.
   */
  readonly budgetMs: number;
  run(signal: AbortSignal): Promise<CheckOutcome>;
  /** Same kind and same settings: on reload the running state carries over (keepalived's compare). */
  sameAs(other: Checker): boolean;
  snapshot(): CheckerSnapshot;
}

export function passed(detail: string, latencyMs: number, extra: { weight?: number; weightOffset?: number } = {}): CheckOutcome {
  return { ok: true, detail, latencyMs, ...extra };
}

export function failed(reason: FailReason, detail: string, latencyMs: number): CheckOutcome {
  return { ok: false, reason, detail, latencyMs };
}

/** `[addr]:proto:port` as keepalived's FMT_CHK prints a checker's destination. */
export function targetLabel(addr: string, proto: 'tcp' | 'udp' | 'icmp', port: number): string {
  return proto === 'icmp' ? `[${addr}]` : `[${addr}]:${proto}:${port}`;
}

/** Settings compared by sameAs: a stable JSON of plain data. */
export function sameConfig(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Map a Node socket error to a reason; the errno stays in the detail. */
export function reasonFromError(err: unknown): FailReason {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return 'unreachable';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ABORT_ERR':
      return 'aborted';
    default:
      return typeof code === 'string' && code.startsWith('ERR_SSL') ? 'tls-error' : 'connect-error';
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
