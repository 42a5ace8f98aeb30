// The engine's one timer, armed for the earliest deadline of all instances, scripts,
// process trackers and release holds, as keepalived reads its timers with
// vrrp_compute_timer(). A timer that fires late is counted and logged with how late, as
// keepalived logs a late thread timer: adverts and timeouts were delayed by that much.
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';

export interface TimerStats {
  readonly fired: number;
  readonly late: number;
  readonly maxLateMs: number;
}

export class DeadlineTimer {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #lateWarnMs: () => number;
  readonly #fire: (now: number) => void;
  /** Each instance's next FSM deadline (Clock ms), or null. */
  readonly #deadlines = new Map<string, number | null>();
  #timer: TimerHandle | undefined;
  #armedFor: number | null = null;
  readonly #stats = { fired: 0, late: 0, maxLateMs: 0 };

  /**
   * `fire` runs when the earliest deadline is due, and re-arms through arm(); a timer
   * firing more than `lateWarnMs()` after its deadline is logged.
   */
  constructor(clock: Clock, logger: Logger, lateWarnMs: () => number, fire: (now: number) => void) {
    this.#clock = clock;
    this.#logger = logger;
    this.#lateWarnMs = lateWarnMs;
    this.#fire = fire;
  }

  set(instance: string, deadline: number | null): void {
    this.#deadlines.set(instance, deadline);
  }

  delete(instance: string): void {
    this.#deadlines.delete(instance);
  }

  /**
   * The instances whose deadline has come, read as the caller steps them: stepping one
   * member of a sync group can move another's deadline before it is looked at.
   */
  *due(now: number): Generator<string> {
    for (const [name, d] of this.#deadlines) if (d !== null && d <= now) yield name;
  }

  /** Arm for the earliest of the instances' deadlines and `others` (unchanged when already armed for it). */
  arm(others: Iterable<number | null>): void {
    let next: number | null = null;
    for (const d of [...others, ...this.#deadlines.values()]) if (d !== null && (next === null || d < next)) next = d;
    if (next === this.#armedFor && this.#timer !== undefined) return;
    this.cancel();
    this.#armedFor = next;
    if (next === null) return;
    const at = next;
    this.#timer = this.#clock.setTimer(at - this.#clock.now(), () => this.#onTimer(at));
  }

  cancel(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  stats(): TimerStats {
    return { ...this.#stats };
  }

  #onTimer(deadline: number): void {
    this.#timer = undefined;
    this.#armedFor = null;
    const now = this.#clock.now();
    const late = now - deadline;
    this.#stats.fired++;
    if (late > this.#stats.maxLateMs) this.#stats.maxLateMs = late;
    if (late > this.#lateWarnMs()) {
      this.#stats.late++;
      this.#logger.warn(`VRRP thread timer expired ${late.toFixed(1)} ms late`, { reason: 'event loop lag: adverts and timeouts are delayed' });
    }
    this.#fire(now);
  }
}
