// The one script runner: every script keepalived runs (vrrp_script, notify*, the notify
// FIFO scripts, MISC_CHECK, notify_up/down, quorum_up/down) is audited by the config
// loader through hostScripts() (who runs it, is its path safe) and run here through
// scriptPort(), which executes only what the audit approved (spec.run), as the identity
// it resolved, in its own process group (exec.ts).
import type { AccountLookup, ScriptHost } from '../../config/host.js';
import type { RunnableScript, ScriptPort, ScriptResult } from '../../core/script.js';
import { runScript } from './exec.js';
import { readAccounts, resolveIdentity, type AccountFiles } from './identity.js';
import { checkScriptSecure } from './security.js';

export interface HostScriptOptions {
  /** Account files (tests); default: /etc/passwd and /etc/group, read once per audit. */
  readonly files?: AccountFiles;
  /** PATH for bare command names; default: the daemon's. */
  readonly pathEnv?: string;
}

/** The real host for the config's script audit. */
export function hostScripts(o: HostScriptOptions = {}): ScriptHost {
  let files = o.files;
  return {
    self: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
    lookup(user: string, group: string | undefined): AccountLookup {
      files ??= readAccounts();
      return resolveIdentity(user, group, files);
    },
    check: (argv0, uid, gid, enforce) => checkScriptSecure(argv0, uid, gid, enforce, o.pathEnv !== undefined ? { pathEnv: o.pathEnv } : {}),
  };
}

export interface ScriptPortOptions {
  /** The scripts' environment; default: the daemon's, as keepalived passes its own. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs approved scripts; a script the audit did not approve is refused, never executed. */
export function scriptPort(o: ScriptPortOptions = {}): ScriptPort {
  return {
    run(script: RunnableScript, extraArgs: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<ScriptResult> {
      const r = script.run;
      if (r === undefined) {
        return Promise.resolve({ kind: 'spawn-error', error: `script ${script.text} was not approved by the script audit - not run`, durationMs: 0, viaShell: false });
      }
      return runScript({
        argv: [...r.argv, ...extraArgs], uid: r.uid, gid: r.gid, timeoutMs, viaShell: r.viaShell,
        ...(o.env !== undefined ? { env: o.env } : {}),
      }, signal);
    },
  };
}
