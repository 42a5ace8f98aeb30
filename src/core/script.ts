// The vocabulary every script keepalived runs shares: who runs it and as what argv once the
// config audit has approved it (ResolvedScript), how a run ended (ScriptResult), and the
// port the health and VRRP sides run scripts through (implemented by src/sys/script/).

/** A script the audit approved: the argv to exec (PATH searched, symlinked dirs resolved) and its identity. */
export interface ResolvedScript {
  readonly argv: readonly string[];
  readonly uid: number;
  readonly gid: number;
  /** For messages: `name` or `uid:gid`. */
  readonly label: string;
  /** Neither `#!` nor ELF, or a `</file` test: keepalived hands it to system(), i.e. /bin/sh -c. */
  readonly viaShell: boolean;
}

export type ScriptResult =
  | { readonly kind: 'exit'; readonly code: number; readonly timedOut: boolean; readonly durationMs: number; readonly viaShell: boolean }
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals; readonly timedOut: boolean; readonly durationMs: number; readonly viaShell: boolean }
  | { readonly kind: 'spawn-error'; readonly error: string; readonly durationMs: number; readonly viaShell: boolean };

export function describeResult(r: ScriptResult): string {
  switch (r.kind) {
    case 'exit':
      return r.timedOut ? `timed out (exited ${r.code} on SIGTERM) after ${r.durationMs} ms` : `exited with status ${r.code} after ${r.durationMs} ms`;
    case 'signal':
      return r.timedOut ? `timed out (killed by ${r.signal}) after ${r.durationMs} ms` : `terminated by ${r.signal} after ${r.durationMs} ms`;
    case 'spawn-error':
      return `could not be started: ${r.error}`;
  }
}

/** A script as the config holds it: its text for logs, and what the audit resolved (absent: not approved). */
export interface RunnableScript {
  readonly text: string;
  readonly run?: ResolvedScript;
}

/** How the health and VRRP sides run scripts; refuses (spawn-error) a script the audit did not approve. */
export interface ScriptPort {
  run(script: RunnableScript, extraArgs: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<ScriptResult>;
}

/** SIGTERM to the group at the timeout, SIGKILL this long after (keepalived check_misc.c). */
export const KILL_GRACE_MS = 2000;
