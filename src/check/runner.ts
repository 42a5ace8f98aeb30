// keepalived's checker retry rules as data plus pure step functions. Time comes in as
// `now` and goes out as the next deadline; the scheduler (scheduler.ts) arms the timers.
//
// The state machine (keepalived check_udp.c udp_epilog(), the newest form of the
// tcp/http/smtp/dns epilogs in keepalived/check/):
//
//                       start: UP (or DOWN with alpha), has_run = false,
//                       first run after a random warmup in [0, warmup]
//
//            ok: retry_it = 0, next = delay_loop
//          +-----+
//          |     v          fail, retry_it < retry:
//        +---------+        retry_it++, next = delay_before_retry
//        |   UP    |<----+
//        +---------+-----+
//          |     ^
//   fail,  |     |  ok (a single success; no rise counter for checkers):
//   retry_it >= retry:   "... succeed on service", next = delay_loop
//   "... failed after N retries", next = delay_loop
//          v     |
//        +---------+
//        |  DOWN   |---- fail: next = delay_loop (no retries while down)
//        +---------+
//
// So with delay_loop 6 s, retry 3, delay_before_retry 3 s, a server failing from t is
// probed at t, t+3, t+6 and t+9 and goes DOWN at t+9; once it answers again it is UP at
// the first probe, at most delay_loop later. The first result after start is always
// reported (keepalived's !has_run), so an alpha checker comes UP on its first success and
// a non-alpha one whose server is dead goes DOWN after retry+1 failures.
import type { CheckerKind } from '../config/model/checkers.js';

export interface CheckTiming {
  /** Start down until the first success. */
  readonly alpha: boolean;
  /** Failures tolerated after the first before going down. */
  readonly retry: number;
  readonly delayLoopMs: number;
  readonly delayBeforeRetryMs: number;
  /** Upper bound of the random wait before the first run (0 = run at once). */
  readonly warmupMs: number;
}

export interface RunnerState {
  readonly up: boolean;
  readonly hasRun: boolean;
  /** Failures seen since the last success while up (keepalived's retry_it). */
  readonly retryIt: number;
}

export interface Transition {
  readonly up: boolean;
  /** keepalived's wording, e.g. "TCP_CHECK on service [10.0.0.1]:tcp:80 failed after 3 retries." */
  readonly log: string;
}

export interface Step {
  readonly state: RunnerState;
  /** When to run next (same time base as `now`). */
  readonly nextAt: number;
  /** Set when the checker's up/down state changes. */
  readonly transition?: Transition;
  /** Set when the first result confirms the starting state (logged, no state change). */
  readonly confirmed?: string;
}

/** `random` returns [0, 1): injected so tests can pin the warmup. */
export function start(t: CheckTiming, now: number, random: () => number): { state: RunnerState; nextAt: number } {
  const warm = t.warmupMs > 0 ? Math.floor(random() * (t.warmupMs + 1)) : 0;
  return { state: { up: !t.alpha, hasRun: false, retryIt: 0 }, nextAt: now + Math.min(warm, t.warmupMs) };
}

/** keepalived names the HTTP and SSL checkers HTTP_CHECK in its logs. */
export function logName(kind: CheckerKind): string {
  return kind === 'HTTP_GET' || kind === 'SSL_GET' ? 'HTTP_CHECK' : kind;
}

/**
 * Apply one run's result. `startedAt` is when the run began: the next run is due a delay
 * after that, but never before `now` (a slow run does not cause a burst).
 */
export function onResult(
  s: RunnerState,
  t: CheckTiming,
  ok: boolean,
  at: { startedAt: number; now: number },
  who: { kind: CheckerKind; target: string },
): Step {
  const name = `${logName(who.kind)} on service ${who.target}`;
  const next = (delay: number): number => Math.max(at.startedAt + delay, at.now);
  if (ok || ((s.up || !s.hasRun) && s.retryIt >= t.retry)) {
    const state: RunnerState = { up: ok, hasRun: true, retryIt: 0 };
    const nextAt = next(t.delayLoopMs);
    if (ok && !s.up) return { state, nextAt, transition: { up: true, log: `${name} succeed.` } };
    if (ok && !s.hasRun) return { state, nextAt, confirmed: `${name} succeed.` };
    if (!ok && (s.up || !s.hasRun)) {
      const log = t.retry > 0 && s.hasRun ? `${name} failed after ${t.retry} retries.` : `${name} failed.`;
      if (s.up) return { state, nextAt, transition: { up: false, log } };
      return { state, nextAt, confirmed: log };
    }
    return { state: { ...state, up: s.up && ok }, nextAt };
  }
  if (s.up) return { state: { up: true, hasRun: true, retryIt: s.retryIt + 1 }, nextAt: next(t.delayBeforeRetryMs) };
  // Down (alpha before any result): no retries, just the next loop.
  return { state: { up: false, hasRun: true, retryIt: 0 }, nextAt: next(t.delayLoopMs) };
}
