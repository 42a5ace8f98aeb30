// Notify scripts of the health side: notify_up / notify_down of a real server and
// quorum_up / quorum_down of a virtual server (keepalived ipwrapper.c notify_exec), run
// through the one script runner (src/sys/script/, behind ScriptPort) once the config's
// script audit approved them. keepalived does not wait for notify scripts; here each run
// is bounded by a timeout and its exit status or signal is logged.
import type { Logger } from '../core/log.js';
import { silentLogger } from '../core/log.js';
import { describeResult, type RunnableScript, type ScriptPort, type ScriptResult } from '../core/script.js';

/** keepalived has no notify timeout; an unbounded child would pile up on a flapping server. */
export const DEFAULT_NOTIFY_TIMEOUT_MS = 30_000;

export interface NotifierOptions {
  readonly scripts: ScriptPort;
  readonly logger?: Logger;
  readonly timeoutMs?: number;
}

export type NotifyOutcome = { readonly ran: false; readonly reason: string } | { readonly ran: true; readonly result: ScriptResult };

export class Notifier {
  readonly #o: NotifierOptions;
  readonly #log: Logger;

  constructor(o: NotifierOptions) {
    this.#o = o;
    this.#log = o.logger ?? silentLogger;
  }

  /** Run a notify/quorum script; `what` names the event in logs ("notify_up for [10.0.0.1]:tcp:80"). */
  async run(spec: RunnableScript, what: string, args: readonly string[] = [], signal?: AbortSignal): Promise<NotifyOutcome> {
    if (spec.run === undefined) {
      const reason = `script ${spec.text} was disabled by the script audit`;
      this.#log.error(`${what}: ${reason}`, { script: spec.text });
      return { ran: false, reason };
    }
    this.#log.info(`Executing [${spec.text}] for ${what}`, { script: spec.text, user: spec.run.label });
    const result = await this.#o.scripts.run(spec, args, this.#o.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS, signal);
    const fields = { script: spec.text, durationMs: result.durationMs, ...(result.kind === 'exit' ? { exitCode: result.code } : {}) };
    const msg = `${what}: script ${spec.text} ${describeResult(result)}`;
    if (result.kind === 'exit' && result.code === 0 && !result.timedOut) this.#log.info(msg, fields);
    else if (result.kind === 'spawn-error') this.#log.error(msg, fields);
    else this.#log.warn(msg, fields);
    return { ran: true, result };
  }
}
