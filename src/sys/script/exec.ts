// Running a script the way keepalived's system_call_script() does: in its own process
// group (so a timeout kills everything it started), as the script user, exec'd directly
// from its argv with keepalived's environment (the daemon's own) and stdin/stdout/stderr
// on /dev/null (set_std_fd), so no output can ever block it. A shell (/bin/sh -c) is used
// only where keepalived uses system(): a command starting `</` (a "can this file be
// opened" test) or a file that is neither a `#!` script nor an ELF binary ("Please add
// a #! shebang"); the command line is then keepalived's cmd_str(): every word in '...'.
// On timeout: SIGTERM to the group, then SIGKILL KILL_GRACE_MS later (check_misc.c).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { KILL_GRACE_MS, type ScriptResult } from '../../core/script.js';

export interface ScriptRunSpec {
  readonly argv: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
  /** Infinity: no timeout (the notify FIFO readers). */
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Force /bin/sh -c (the audit found no #! / ELF magic); otherwise decided here. */
  readonly viaShell?: boolean;
}

/** keepalived's SC_SYSTEM: `<` then optional blanks then `/`. */
export function isOpenTest(cmd: string): boolean {
  return /^<[ \t]*\//.test(cmd);
}

/** Whether the file starts with `#!` or the ELF magic; unreadable files count as executable (exec reports why). */
export function hasExecMagic(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(4);
    const n = readSync(fd, b, 0, 4, 0);
    if (n >= 2 && b[0] === 0x23 && b[1] === 0x21) return true;
    return n === 4 && b[0] === 0x7f && b.toString('latin1', 1, 4) === 'ELF';
  } catch {
    return true;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** keepalived's cmd_str(): words joined by blanks, each in single quotes except a leading `<`/`>` redirection. */
export function shellCommandLine(argv: readonly string[]): string {
  return argv.map((w, i) => (i === 0 && (w.startsWith('<') || w.startsWith('>')) ? w : `'${w}'`)).join(' ');
}

/** The argv actually spawned: the script itself, or /bin/sh -c with keepalived's command line. */
export function execPlan(argv: readonly string[], viaShell?: boolean): { file: string; args: string[]; viaShell: boolean } {
  const [cmd = '', ...rest] = argv;
  if (viaShell === true || isOpenTest(cmd) || (viaShell === undefined && !hasExecMagic(cmd))) {
    return { file: '/bin/sh', args: ['-c', shellCommandLine(argv)], viaShell: true };
  }
  return { file: cmd, args: rest, viaShell: false };
}

function killGroup(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, sig);
    return true;
  } catch {
    return false; // the group is gone already
  }
}

/**
 * Run to completion; never rejects. `signal` aborting (daemon stop, reload) terminates the
 * script like a timeout does.
 */
export function runScript(spec: ScriptRunSpec, signal?: AbortSignal): Promise<ScriptResult> {
  const t0 = performance.now();
  const plan = execPlan(spec.argv, spec.viaShell);
  const dur = (): number => Math.round(performance.now() - t0);
  return new Promise<ScriptResult>((resolve) => {
    let child;
    try {
      child = spawn(plan.file, plan.args, {
        argv0: plan.viaShell ? 'sh' : spec.argv[0],
        detached: true, // setsid: the child leads a new process group
        stdio: 'ignore',
        env: spec.env ?? process.env,
        ...(spec.uid !== undefined && spec.uid !== process.getuid?.() ? { uid: spec.uid } : {}),
        ...(spec.gid !== undefined && spec.gid !== process.getgid?.() ? { gid: spec.gid } : {}),
      });
    } catch (e) {
      resolve({ kind: 'spawn-error', error: e instanceof Error ? e.message : String(e), durationMs: dur(), viaShell: plan.viaShell });
      return;
    }
    const pid = child.pid;
    let timedOut = false;
    let termTimer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const terminate = (): void => {
      if (pid === undefined || killTimer !== undefined) return;
      timedOut = true;
      killGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    // A notify FIFO's reader runs for the daemon's life (keepalived's TIMER_NEVER): no timer.
    if (Number.isFinite(spec.timeoutMs)) termTimer = setTimeout(terminate, spec.timeoutMs);
    const onAbort = (): void => terminate();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted === true) terminate();
    const done = (r: ScriptResult): void => {
      clearTimeout(termTimer);
      clearTimeout(killTimer);
      termTimer = undefined;
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    child.once('error', (e) => done({ kind: 'spawn-error', error: e.message, durationMs: dur(), viaShell: plan.viaShell }));
    child.once('exit', (code, sig) => {
      // Whatever the leader did, nothing it started may outlive a terminated run.
      if (timedOut && pid !== undefined) killGroup(pid, 'SIGKILL');
      if (sig !== null) done({ kind: 'signal', signal: sig, timedOut, durationMs: dur(), viaShell: plan.viaShell });
      else done({ kind: 'exit', code: code ?? 0, timedOut, durationMs: dur(), viaShell: plan.viaShell });
    });
  });
}
