// Fake checkers for scheduler tests: the verdict is a function of the fake clock's time.
import type { Clock } from '../../../src/core/clock.js';
import { FakeClock } from '../../../src/core/clock.js';
import type { CheckOutcome, Checker, CheckerSnapshot } from '../../../src/check/checker.js';

export class ScriptedChecker implements Checker {
  readonly kind = 'TCP_CHECK' as const;
  readonly budgetMs = 1000;
  runs: number[] = [];
  constructor(
    readonly target: string,
    private readonly clock: Clock,
    public verdict: (at: number) => boolean | { weight?: number; weightOffset?: number } | 'hang',
  ) {}

  run(signal: AbortSignal): Promise<CheckOutcome> {
    const at = this.clock.now();
    this.runs.push(at);
    const v = this.verdict(at);
    if (v === 'hang') {
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, reason: 'timeout', detail: 'hung', latencyMs: this.budgetMs })));
    }
    if (v === false) return Promise.resolve({ ok: false, reason: 'refused', detail: 'refused', latencyMs: 0 });
    return Promise.resolve({ ok: true, detail: 'ok', latencyMs: 0, ...(typeof v === 'object' ? v : {}) });
  }

  sameAs(other: Checker): boolean {
    return other instanceof ScriptedChecker && other.target === this.target;
  }

  snapshot(): CheckerSnapshot {
    return { kind: this.kind, target: this.target, config: { target: this.target } };
  }
}

/** Let promise chains settle (no time passes). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Advance the fake clock in steps of `stepMs`, settling results after every step. */
export async function advance(clock: FakeClock, ms: number, stepMs = 100): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    clock.advance(Math.min(stepMs, ms - done));
    await flush();
  }
}
