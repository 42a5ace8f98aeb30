// Scripts the health side runs: notify_up / notify_down of a real server and
// quorum_up / quorum_down of a virtual server (keepalived ipwrapper.c notify_exec), and
// the identity + security decision MISC_CHECK scripts share. Every script is checked
// once (script-security.ts), then exec'd from its argv as the script user
// (script-exec.ts). keepalived does not wait for notify scripts; here each run is bounded
// by a timeout and its exit status or signal is logged.
import type { Logger } from '../core/log.js';
import { silentLogger } from '../core/log.js';
import type { ScriptSpec } from '../config/readers.js';
import { checkScriptSecurity } from './script-security.js';
import { describeResult, runScript, type ScriptResult } from './script-exec.js';
import { scriptIdentity, type AccountFiles, type ScriptIdentity } from './script-user.js';

/** keepalived has no notify timeout; an unbounded child would pile up on a flapping server. */
export const DEFAULT_NOTIFY_TIMEOUT_MS = 30_000;

export interface ScriptPolicy {
  /** global_defs enable_script_security. */
  readonly enforceSecurity: boolean;
  /** global_defs script_user. */
  readonly scriptUser?: { user: string; group?: string };
  /** Account files for user lookups (tests). */
  readonly files?: AccountFiles;
}

export type PreparedScript =
  | { readonly ok: true; readonly argv: readonly string[]; readonly identity: ScriptIdentity; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly message: string };

/** Resolve who runs `spec` and whether it may run at all. */
export function prepareScript(spec: ScriptSpec, policy: ScriptPolicy): PreparedScript {
  const who = scriptIdentity(spec, {
    ...(policy.scriptUser !== undefined ? { scriptUser: policy.scriptUser } : {}),
    ...(policy.files !== undefined ? { files: policy.files } : {}),
  });
  if (!who.ok) return { ok: false, message: `${who.error} - disabling script ${spec.text}` };
  const [cmd, ...args] = spec.argv;
  if (cmd === undefined) return { ok: false, message: 'empty script' };
  const v = checkScriptSecurity(cmd, { enforce: policy.enforceSecurity, uid: who.id.uid, gid: who.id.gid });
  if (!v.ok) return { ok: false, message: `${v.message} - disabling` };
  const warnings = [...v.warnings];
  if (!policy.enforceSecurity && (who.id.uid === 0 || who.id.gid === 0)) {
    warnings.push('SECURITY VIOLATION - scripts are being executed but script_security not enabled.');
  }
  return { ok: true, argv: [v.path, ...args], identity: who.id, warnings };
}

export interface NotifierOptions extends ScriptPolicy {
  readonly logger?: Logger;
  readonly timeoutMs?: number;
}

export type NotifyOutcome = { readonly ran: false; readonly reason: string } | { readonly ran: true; readonly result: ScriptResult };

export class Notifier {
  readonly #o: NotifierOptions;
  readonly #log: Logger;
  readonly #prepared = new Map<string, PreparedScript>();

  constructor(o: NotifierOptions) {
    this.#o = o;
    this.#log = o.logger ?? silentLogger;
  }

  /** Run a notify/quorum script; `what` names the event in logs ("notify_up for [10.0.0.1]:tcp:80"). */
  async run(spec: ScriptSpec, what: string, signal?: AbortSignal): Promise<NotifyOutcome> {
    const key = `${spec.text}\u0000${spec.argv.join('\u0000')}`;
    let p = this.#prepared.get(key);
    if (p === undefined) {
      p = prepareScript(spec, this.#o);
      this.#prepared.set(key, p);
      if (p.ok) for (const w of p.warnings) this.#log.warn(w, { script: spec.text });
    }
    if (!p.ok) {
      this.#log.error(`${what}: ${p.message}`, { script: spec.text });
      return { ran: false, reason: p.message };
    }
    this.#log.info(`Executing [${spec.text}] for ${what}`, { script: spec.text, user: p.identity.label });
    const result = await runScript({ argv: p.argv, uid: p.identity.uid, gid: p.identity.gid, timeoutMs: this.#o.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS }, signal);
    const fields = { script: spec.text, durationMs: result.durationMs, ...(result.kind === 'exit' ? { exitCode: result.code } : {}) };
    const msg = `${what}: script ${spec.text} ${describeResult(result)}`;
    if (result.kind === 'exit' && result.code === 0 && !result.timedOut) this.#log.info(msg, fields);
    else if (result.kind === 'spawn-error') this.#log.error(msg, fields);
    else this.#log.warn(msg, fields);
    return { ran: true, result };
  }

  /** Forget prepared scripts (reload: files and permissions may have changed). */
  reset(): void {
    this.#prepared.clear();
  }
}
