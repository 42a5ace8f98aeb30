// Time as a parameter. Pure modules (codecs, state machines, schedulers, the checker
// runner) take a Clock and return deadlines as data; only the I/O shells arm real
// timers. FakeClock lets tests step time without sleeping.

export type TimerHandle = { cancel(): void };

export interface Clock {
  /** Monotonic milliseconds (fractional allowed). */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for logs and dumps only. */
  wallNow(): number;
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

export class RealClock implements Clock {
  now(): number {
    return performance.now();
  }
  wallNow(): number {
    return Date.now();
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(t) };
  }
}

// performance.timeOrigin is stamped during node's start-up, apart from the monotonic
// origin: timeOrigin + now() runs 2-3 ms ahead of Date.now() here and 27-70 ms ahead in
// the emulated test VM, more when start-up is slow. Processes that compare their times
// (a lab client's samples, a director's log lines) anchor the monotonic clock to the
// wall clock at one instant instead: the tightest of a few brackets of Date.now() between
// two performance.now() readings (the first reading is slow: node loads perf_hooks then),
// with half a millisecond for Date.now()'s truncation.
function anchorWallClock(): number {
  performance.now();
  let best = { width: Infinity, anchor: Date.now() - performance.now() };
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const wall = Date.now();
    const after = performance.now();
    if (after - before < best.width) best = { width: after - before, anchor: wall + 0.5 - (before + after) / 2 };
  }
  return best.anchor;
}
const wallAnchor = anchorWallClock();

/** Wall-clock milliseconds since the epoch, sub-millisecond and monotonic within a process. */
export function preciseWallNow(): number {
  return wallAnchor + performance.now();
}

type Pending = { at: number; seq: number; fn: () => void; cancelled: boolean };

export class FakeClock implements Clock {
  #now: number;
  #wallBase: number;
  #seq = 0;
  #pending: Pending[] = [];

  constructor(startMs = 0, wallBaseMs = 1_700_000_000_000) {
    this.#now = startMs;
    this.#wallBase = wallBaseMs;
  }
  now(): number {
    return this.#now;
  }
  wallNow(): number {
    return this.#wallBase + this.#now;
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const p: Pending = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, fn, cancelled: false };
    this.#pending.push(p);
    return { cancel: () => { p.cancelled = true; } };
  }
  /** Advance time, firing due timers in deadline order (timers armed while firing included). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      this.#pending = this.#pending.filter((p) => !p.cancelled);
      this.#pending.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#pending[0];
      if (next === undefined || next.at > target) break;
      this.#pending.shift();
      this.#now = next.at;
      next.fn();
    }
    this.#now = target;
  }
  pendingCount(): number {
    return this.#pending.filter((p) => !p.cancelled).length;
  }
}
