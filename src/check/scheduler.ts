// The I/O shell of health checking: one timer per checker on the injected Clock, each run
// bounded by an AbortSignal that fires after the checker's budget, results fed to the
// pure runner (runner.ts), real server health recomputed (rs-health.ts) and published as
// typed events the daemon subscribes to. setTargets() is both the first load and a
// reload: checkers that are sameAs() a running one keep its state and schedule
// (keepalived's migrate of unchanged checkers), the rest start afresh.
import type { Clock, TimerHandle } from '../core/clock.js';
import { CheckTimeoutError, HalbError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { silentLogger } from '../core/log.js';
import type { CheckOutcome, Checker, CheckerSnapshot } from './checker.js';
import type { CheckerEntry, HealthTarget } from './registry.js';
import { onResult, start, type CheckTiming, type RunnerState } from './runner.js';
import { realServerHealth, type CheckerHealth, type RealServerHealth } from './rs-health.js';

export interface CheckerEvent {
  readonly rsId: string;
  readonly checker: string;
  readonly kind: Checker['kind'];
  readonly up: boolean;
  /** keepalived's log line for the transition. */
  readonly reason: string;
  readonly outcome: CheckOutcome;
}

export interface RealServerEvent {
  readonly rsId: string;
  readonly label: string;
  readonly vsLabel: string;
  readonly alive: boolean;
  readonly weight: number;
  readonly previous: RealServerHealth;
  readonly reason: string;
}

export interface CheckerStatus {
  readonly checker: CheckerSnapshot;
  readonly up: boolean;
  readonly retryIt: number;
  readonly runs: number;
  readonly failures: number;
  readonly last?: CheckOutcome;
  /** Milliseconds until the next run (negative while running late). */
  readonly nextInMs: number;
}

export interface HealthSnapshot {
  readonly realServers: ReadonlyArray<{ rsId: string; label: string; alive: boolean; weight: number; checkers: CheckerStatus[] }>;
  /** How late runs started against their deadline (the scheduling drift), in ms. */
  readonly lateness: { readonly runs: number; readonly meanMs: number; readonly maxMs: number };
}

class StoppedError extends HalbError {
  constructor() {
    super('HALB_ERR_CHECK_TIMEOUT', 'health checking stopped');
  }
}

interface Entry {
  rs: RsEntry;
  readonly checker: Checker;
  timing: CheckTiming;
  logAllFailures: boolean;
  state: RunnerState;
  health: CheckerHealth;
  nextAt: number;
  timer?: TimerHandle;
  running?: { ac: AbortController; done: Promise<void> };
  rerun: boolean;
  dead: boolean;
  unwatch?: () => void;
  runs: number;
  failures: number;
  last?: CheckOutcome;
}

interface RsEntry {
  target: HealthTarget;
  entries: Entry[];
  health: RealServerHealth;
}

export interface SchedulerOptions {
  readonly clock: Clock;
  readonly logger?: Logger;
  /** [0, 1) source for warmup (tests pin it). */
  readonly random?: () => number;
}

export class HealthScheduler {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #random: () => number;
  #rs = new Map<string, RsEntry>();
  readonly #checkerListeners = new Set<(e: CheckerEvent) => void>();
  readonly #rsListeners = new Set<(e: RealServerEvent) => void>();
  #stopped = false;
  #late = { runs: 0, sum: 0, max: 0 };

  constructor(o: SchedulerOptions) {
    this.#clock = o.clock;
    this.#log = o.logger ?? silentLogger;
    this.#random = o.random ?? Math.random;
  }

  onChecker(fn: (e: CheckerEvent) => void): () => void {
    this.#checkerListeners.add(fn);
    return () => this.#checkerListeners.delete(fn);
  }

  onRealServer(fn: (e: RealServerEvent) => void): () => void {
    this.#rsListeners.add(fn);
    return () => this.#rsListeners.delete(fn);
  }

  /** Current health of a real server (undefined: not a target). */
  health(rsId: string): RealServerHealth | undefined {
    return this.#rs.get(rsId)?.health;
  }

  /**
   * Replace the set of checked real servers. Unchanged checkers (sameAs) keep their
   * state, schedule and any run in flight; removed ones are cancelled. A real server whose
   * health changes because its checker set changed gets an event.
   */
  setTargets(targets: readonly HealthTarget[]): void {
    if (this.#stopped) throw new StoppedError();
    const now = this.#clock.now();
    const next = new Map<string, RsEntry>();
    const changed: Array<{ rs: RsEntry; previous: RealServerHealth }> = [];
    for (const target of targets) {
      const old = this.#rs.get(target.rsId);
      const pool = old !== undefined ? [...old.entries] : [];
      const rs: RsEntry = { target, entries: [], health: { alive: true, weight: target.weight } };
      for (const ce of target.checkers) {
        const i = pool.findIndex((e) => e.checker.sameAs(ce.checker));
        if (i >= 0) {
          const kept = pool.splice(i, 1)[0] as Entry;
          rs.entries.push(this.#adopt(rs, kept, ce));
        } else {
          rs.entries.push(this.#create(rs, ce, now));
        }
      }
      for (const gone of pool) this.#kill(gone);
      rs.health = realServerHealth(target.weight, rs.entries.map((e) => e.health));
      // A new target starts from its checkers' initial state: no event, health() tells.
      if (old !== undefined && (old.health.alive !== rs.health.alive || old.health.weight !== rs.health.weight)) changed.push({ rs, previous: old.health });
      next.set(target.rsId, rs);
    }
    for (const [id, old] of this.#rs) if (!next.has(id)) for (const e of old.entries) this.#kill(e);
    this.#rs = next;
    for (const c of changed) this.#emitRs(c.rs, c.previous, 'checkers changed on reload');
  }

  /**
   * Passive ejection: the dataplane saw this real server refuse or reset connections, so
   * take it out now instead of waiting for the next check. Its checkers are marked down
   * as if they had failed, which is what makes the next successful active check bring it
   * back (keepalived's "a single success brings it UP"). Unknown or already-down real
   * servers are left alone. Returns true when the server was ejected.
   */
  eject(rsId: string, reason: string): boolean {
    const rs = this.#rs.get(rsId);
    if (rs === undefined || !rs.health.alive || rs.entries.length === 0) return false;
    for (const e of rs.entries) {
      e.state = { up: false, hasRun: true, retryIt: 0 };
      e.health = { ...e.health, up: false };
    }
    const previous = rs.health;
    rs.health = realServerHealth(rs.target.weight, rs.entries.map((x) => x.health));
    this.#log.warn(`Ejecting ${rs.target.label} from VS ${rs.target.vsLabel}: ${reason}; the active checker will bring it back`);
    this.#emitRs(rs, previous, `passive ejection: ${reason}`);
    return true;
  }

  /** Cancel every timer, abort running checks and wait for them to settle. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const waits: Array<Promise<void>> = [];
    for (const rs of this.#rs.values()) {
      for (const e of rs.entries) {
        if (e.running !== undefined) waits.push(e.running.done);
        this.#kill(e);
      }
    }
    this.#rs.clear();
    await Promise.all(waits);
  }

  snapshot(): HealthSnapshot {
    const now = this.#clock.now();
    return {
      realServers: [...this.#rs.values()].map((rs) => ({
        rsId: rs.target.rsId,
        label: rs.target.label,
        alive: rs.health.alive,
        weight: rs.health.weight,
        checkers: rs.entries.map((e) => ({
          checker: e.checker.snapshot(),
          up: e.state.up,
          retryIt: e.state.retryIt,
          runs: e.runs,
          failures: e.failures,
          ...(e.last !== undefined ? { last: e.last } : {}),
          nextInMs: e.nextAt - now,
        })),
      })),
      lateness: { runs: this.#late.runs, meanMs: this.#late.runs > 0 ? this.#late.sum / this.#late.runs : 0, maxMs: this.#late.max },
    };
  }

  #create(rs: RsEntry, ce: CheckerEntry, now: number): Entry {
    const s = start(ce.timing, now, this.#random);
    const e: Entry = {
      rs, checker: ce.checker, timing: ce.timing, logAllFailures: ce.logAllFailures,
      state: s.state, health: { up: s.state.up }, nextAt: s.nextAt, rerun: false, dead: false, runs: 0, failures: 0,
    };
    this.#arm(e, s.nextAt - now);
    const watch = (ce.checker as { watch?: (fn: () => void) => () => void }).watch;
    if (typeof watch === 'function') e.unwatch = watch.call(ce.checker, () => this.#runSoon(e));
    this.#log.info(`Activating healthchecker for service ${rs.target.label}`, { checker: ce.checker.kind, target: ce.checker.target });
    return e;
  }

  /** Carry a running checker (state, schedule, run in flight) into the new real server entry. */
  #adopt(rs: RsEntry, e: Entry, ce: CheckerEntry): Entry {
    e.rs = rs;
    e.timing = ce.timing;
    e.logAllFailures = ce.logAllFailures;
    return e;
  }

  #kill(e: Entry): void {
    e.dead = true;
    e.timer?.cancel();
    e.timer = undefined;
    e.unwatch?.();
    e.running?.ac.abort(new StoppedError());
  }

  #arm(e: Entry, delayMs: number): void {
    e.timer?.cancel();
    e.timer = this.#clock.setTimer(Math.max(0, delayMs), () => this.#fire(e));
  }

  #runSoon(e: Entry): void {
    if (e.dead) return;
    if (e.running !== undefined) {
      e.rerun = true;
      return;
    }
    e.nextAt = this.#clock.now();
    this.#arm(e, 0);
  }

  #fire(e: Entry): void {
    e.timer = undefined;
    if (e.dead || e.running !== undefined) return;
    const startedAt = this.#clock.now();
    const late = Math.max(0, startedAt - e.nextAt);
    this.#late.runs++;
    this.#late.sum += late;
    this.#late.max = Math.max(this.#late.max, late);
    const ac = new AbortController();
    const budget = e.checker.budgetMs;
    const guard = this.#clock.setTimer(budget, () => ac.abort(new CheckTimeoutError(budget, `${e.checker.kind} ${e.checker.target}: no result within ${budget} ms`)));
    const done = e.checker.run(ac.signal)
      .catch((err: unknown): CheckOutcome => ({ ok: false, reason: 'protocol-error', detail: `checker error: ${err instanceof Error ? err.message : String(err)}`, latencyMs: this.#clock.now() - startedAt }))
      .then((outcome) => {
        guard.cancel();
        e.running = undefined;
        if (!e.dead) this.#apply(e, outcome, startedAt);
      });
    e.running = { ac, done };
  }

  #apply(e: Entry, outcome: CheckOutcome, startedAt: number): void {
    const now = this.#clock.now();
    e.runs++;
    e.last = outcome;
    if (!outcome.ok) {
      e.failures++;
      const text = `${e.checker.kind} ${e.checker.target} (${e.rs.target.label}): ${outcome.detail}`;
      if (e.logAllFailures) this.#log.info(text, { reason: outcome.reason });
      else this.#log.debug(text, { reason: outcome.reason });
    }
    const step = onResult(e.state, e.timing, outcome.ok, { startedAt, now }, { kind: e.checker.kind, target: e.checker.target });
    e.state = step.state;
    e.health = {
      up: step.state.up,
      ...(outcome.ok && outcome.weight !== undefined ? { weight: outcome.weight } : e.health.weight !== undefined ? { weight: e.health.weight } : {}),
      ...(outcome.ok && outcome.weightOffset !== undefined ? { weightOffset: outcome.weightOffset } : {}),
    };
    if (step.confirmed !== undefined) this.#log.info(step.confirmed);
    if (step.transition !== undefined) {
      this.#log.info(step.transition.log, { rs: e.rs.target.label, ...(outcome.ok ? {} : { reason: outcome.reason, detail: outcome.detail }) });
      const ev: CheckerEvent = { rsId: e.rs.target.rsId, checker: e.checker.target, kind: e.checker.kind, up: step.transition.up, reason: step.transition.log, outcome };
      for (const fn of this.#checkerListeners) fn(ev);
    }
    const previous = e.rs.health;
    e.rs.health = realServerHealth(e.rs.target.weight, e.rs.entries.map((x) => x.health));
    if (previous.alive !== e.rs.health.alive || previous.weight !== e.rs.health.weight) {
      this.#emitRs(e.rs, previous, step.transition?.log ?? `${e.checker.kind} ${e.checker.target}: ${outcome.detail}`);
    }
    e.nextAt = step.nextAt;
    if (e.rerun) {
      e.rerun = false;
      e.nextAt = now;
    }
    this.#arm(e, e.nextAt - now);
  }

  #emitRs(rs: RsEntry, previous: RealServerHealth, reason: string): void {
    const h = rs.health;
    if (previous.alive !== h.alive) {
      this.#log.info(`${h.alive ? 'Enabling' : 'Disabling'} service ${rs.target.label} from VS ${rs.target.vsLabel}`, { reason });
    } else {
      this.#log.info(`Changing weight from ${previous.weight} to ${h.weight} for ${rs.target.label} of VS ${rs.target.vsLabel}`);
    }
    const ev: RealServerEvent = { rsId: rs.target.rsId, label: rs.target.label, vsLabel: rs.target.vsLabel, alive: h.alive, weight: h.weight, previous, reason };
    for (const fn of this.#rsListeners) fn(ev);
  }
}
