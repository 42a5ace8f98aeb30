// MISC_CHECK (keepalived check_misc.c): run misc_path; exit 0 is success, anything else
// a failure. With misc_dynamic, exit 2..255 is also success and sets the real server's
// weight to status - 2 ("Effective range is 0..253"); exit 1 is a failure. misc_timeout
// bounds the run; the whole process group is terminated when it expires. The script runs
// through the one script runner as the identity the config's script audit resolved.
import type { MiscCheck } from '../config/model/checkers.js';
import { KILL_GRACE_MS, describeResult, type ScriptPort } from '../core/script.js';
import { failed, passed, sameConfig, type CheckOutcome, type Checker, type CheckerSnapshot } from './checker.js';

/** What a misc_dynamic exit status means: undefined = failure, else the weight (keepalived: status - 2). */
export function miscVerdict(code: number, dynamic: boolean): { ok: boolean; weight?: number } {
  if (code === 0) return { ok: true };
  if (dynamic && code >= 2 && code <= 255) return { ok: true, weight: code - 2 };
  return { ok: false };
}

export class MiscChecker implements Checker {
  readonly kind = 'MISC_CHECK' as const;
  readonly target: string;
  readonly budgetMs: number;
  readonly #cfg: MiscCheck;
  readonly #scripts: ScriptPort;

  constructor(cfg: MiscCheck, scripts: ScriptPort) {
    this.#cfg = cfg;
    this.#scripts = scripts;
    this.target = cfg.script.argv[0] ?? cfg.script.text;
    // The script enforces misc_timeout itself; the scheduler only backstops a stuck kill.
    this.budgetMs = cfg.timeoutMs + 2 * KILL_GRACE_MS;
  }

  async run(signal: AbortSignal): Promise<CheckOutcome> {
    const r = await this.#scripts.run(this.#cfg.script, [], this.#cfg.timeoutMs, signal);
    const what = `Misc check for [${this.target}] ${describeResult(r)}`;
    if (r.kind === 'spawn-error') return failed('spawn-error', what, r.durationMs);
    if (r.timedOut) return failed(signal.aborted ? 'aborted' : 'timeout', what, r.durationMs);
    if (r.kind === 'signal') return failed('signal', what, r.durationMs);
    const v = miscVerdict(r.code, this.#cfg.dynamic);
    if (!v.ok) return failed('exit-status', what, r.durationMs);
    return v.weight === undefined ? passed(what, r.durationMs) : passed(what, r.durationMs, { weight: v.weight });
  }

  sameAs(other: Checker): boolean {
    return other instanceof MiscChecker && sameConfig(this.#settings(), other.#settings());
  }

  snapshot(): CheckerSnapshot {
    return { kind: this.kind, target: this.target, config: this.#settings() };
  }

  #settings(): Record<string, unknown> {
    const r = this.#cfg.script.run;
    return { argv: r?.argv ?? this.#cfg.script.argv, timeoutMs: this.#cfg.timeoutMs, dynamic: this.#cfg.dynamic, uid: r?.uid, gid: r?.gid };
  }
}
