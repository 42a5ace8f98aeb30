// MISC_CHECK (keepalived check_misc.c): run misc_path; exit 0 is success, anything else
// a failure. With misc_dynamic, exit 2..255 is also success and sets the real server's
// weight to status - 2 ("Effective range is 0..253"). misc_timeout bounds the run; the
// whole process group is terminated when it expires.
import type { MiscCheck } from '../config/model/checkers.js';
import { failed, passed, sameConfig, type CheckOutcome, type Checker, type CheckerSnapshot } from './checker.js';
import { KILL_GRACE_MS, describeResult, runScript } from './script-exec.js';
import type { ScriptIdentity } from './script-user.js';

export class MiscChecker implements Checker {
  readonly kind = 'MISC_CHECK' as const;
  readonly target: string;
  readonly budgetMs: number;
  readonly #cfg: MiscCheck;
  readonly #id: ScriptIdentity | undefined;
  readonly #argv: readonly string[];

  /**
   * `exec` is what prepareScript() resolved: the argv to run (PATH searched) and who runs it;
   * without it the script runs as written, as the daemon's user.
   */
  constructor(cfg: MiscCheck, exec?: { argv: readonly string[]; identity: ScriptIdentity }) {
    this.#cfg = cfg;
    this.#id = exec?.identity;
    this.#argv = exec?.argv ?? cfg.script.argv;
    this.target = cfg.script.argv[0] ?? cfg.script.text;
    // The script enforces misc_timeout itself; the scheduler only backstops a stuck kill.
    this.budgetMs = cfg.timeoutMs + 2 * KILL_GRACE_MS;
  }

  async run(signal: AbortSignal): Promise<CheckOutcome> {
    const r = await runScript({
      argv: this.#argv,
      timeoutMs: this.#cfg.timeoutMs,
      ...(this.#id !== undefined ? { uid: this.#id.uid, gid: this.#id.gid } : {}),
    }, signal);
    const what = `Misc check for [${this.target}] ${describeResult(r)}`;
    if (r.kind === 'spawn-error') return failed('spawn-error', what, r.durationMs);
    if (r.timedOut) return failed(signal.aborted ? 'aborted' : 'timeout', what, r.durationMs);
    if (r.kind === 'signal') return failed('signal', what, r.durationMs);
    if (r.code === 0) return passed(what, r.durationMs);
    if (this.#cfg.dynamic && r.code >= 2 && r.code <= 255) return passed(what, r.durationMs, { weight: r.code - 2 });
    return failed('exit-status', what, r.durationMs);
  }

  sameAs(other: Checker): boolean {
    return other instanceof MiscChecker && sameConfig(this.#settings(), other.#settings());
  }

  snapshot(): CheckerSnapshot {
    return { kind: this.kind, target: this.target, config: this.#settings() };
  }

  #settings(): Record<string, unknown> {
    return { argv: this.#argv, timeoutMs: this.#cfg.timeoutMs, dynamic: this.#cfg.dynamic, uid: this.#id?.uid, gid: this.#id?.gid };
  }
}
