// vrrp_track_process without I/O: which processes match a tracker, and its quorum status
// with keepalived's fork_delay / terminate_delay debouncing (keepalived/vrrp/
// vrrp_track_process.c: check_params, check_process, check_process_fork,
// check_process_termination, process_{gained,lost}_quorum_timer_thread). Time enters as
// `now`; a pending delay is returned as a deadline for the engine's one timer.
//
// keepalived acts only when the count crosses a quorum boundary (reaches `quorum` or goes
// past `quorum_max`, or back): a crossing caused by a fork waits fork_delay, one caused by
// an exit waits terminate_delay, and one caused by an exec or a rename applies at once. A
// crossing back while a delay runs cancels the delay, so a restart inside terminate_delay
// (exit, then a new process) never reaches the instances.
import type { ProcessEntry } from './ports.js';
import type { TrackProcessSpec } from './types.js';

/** Whether the tracker matches on the command line rather than the process name. */
export function usesCmdline(spec: TrackProcessSpec): boolean {
  return spec.fullCommand === true || (spec.args?.length ?? 0) > 0 || spec.paramMatch !== undefined;
}

/** The kernel keeps 15 bytes of a process name (TASK_COMM_LEN 16 with its NUL). */
export const COMM_MAX = 15;

/**
 * keepalived's check_params on NUL-joined parameters: exact = the same list (none when
 * none were configured); partial = the configured ones are the first ones; initial = as
 * partial, but the last configured one may be the start of the process's one.
 */
export function paramsMatch(mode: 'exact' | 'initial' | 'partial', want: readonly string[], got: readonly string[]): boolean {
  const w = want.map((a) => `${a}\0`).join('');
  const g = got.map((a) => `${a}\0`).join('');
  if (mode === 'exact') return g === w;
  if (g.length < w.length) return false;
  if (w === '') return true;
  return mode === 'partial' ? g.startsWith(w) : g.startsWith(w.slice(0, -1));
}

export function matchesProcess(spec: TrackProcessSpec, p: ProcessEntry): boolean {
  if (!usesCmdline(spec)) return p.comm === spec.process;
  const argv = p.cmdline;
  if (argv === undefined || argv.length === 0 || argv[0] !== spec.process) return false;
  if (spec.paramMatch === undefined && (spec.args?.length ?? 0) === 0) return true;
  return paramsMatch(spec.paramMatch ?? 'exact', spec.args ?? [], argv.slice(1));
}

export type ProcessCause = 'fork' | 'exec' | 'exit' | 'changed';

export class ProcessQuorum {
  readonly spec: TrackProcessSpec;
  readonly #pids = new Set<number>();
  #ok: boolean;
  #pendingAt: number | null = null;

  constructor(spec: TrackProcessSpec, pids: Iterable<number>) {
    this.spec = spec;
    for (const p of pids) this.#pids.add(p);
    this.#ok = this.#inQuorum(this.#pids.size);
  }

  #inQuorum(n: number): boolean {
    return n >= this.spec.quorum && n <= (this.spec.quorumMax ?? Number.POSITIVE_INFINITY);
  }

  get ok(): boolean {
    return this.#ok;
  }

  get count(): number {
    return this.#pids.size;
  }

  /** A fork_delay / terminate_delay still running, or null. */
  get deadline(): number | null {
    return this.#pendingAt;
  }

  has(pid: number): boolean {
    return this.#pids.has(pid);
  }

  pids(): number[] {
    return [...this.#pids];
  }

  /** A process now matches. True when the status changed. */
  add(pid: number, cause: 'fork' | 'exec', now: number): boolean {
    if (this.#pids.has(pid)) return false;
    const before = this.#pids.size;
    this.#pids.add(pid);
    return this.#crossed(before, cause, now);
  }

  /** A process exited, or no longer matches. True when the status changed. */
  remove(pid: number, cause: 'exit' | 'changed', now: number): boolean {
    if (!this.#pids.delete(pid)) return false;
    return this.#crossed(this.#pids.size + 1, cause, now);
  }

  #crossed(before: number, cause: ProcessCause, now: number): boolean {
    if (this.#inQuorum(before) === this.#inQuorum(this.#pids.size)) return false;
    if (this.#pendingAt !== null) {
      // Crossing back while the other delay runs: keepalived cancels the timer and takes
      // the current count, which leaves the status where it was.
      this.#pendingAt = null;
      return this.#set(this.#inQuorum(this.#pids.size));
    }
    const delay = cause === 'fork' ? this.spec.forkDelayMs ?? 0 : cause === 'exit' ? this.spec.terminateDelayMs ?? 0 : 0;
    if (delay > 0) {
      this.#pendingAt = now + delay;
      return false;
    }
    return this.#set(this.#inQuorum(this.#pids.size));
  }

  /** The delay ran out: take the count as it is now. True when the status changed. */
  expire(now: number): boolean {
    if (this.#pendingAt === null || this.#pendingAt > now) return false;
    this.#pendingAt = null;
    return this.#set(this.#inQuorum(this.#pids.size));
  }

  #set(ok: boolean): boolean {
    if (ok === this.#ok) return false;
    this.#ok = ok;
    return true;
  }
}
