// Running notify and tracking scripts: exec'd directly (no shell), as keepalived does
// once it has split the command line. Notify scripts are fire-and-forget; check scripts
// report how they ended, and are killed when they overrun their timeout.
import { spawn, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

export type ScriptEnd =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: number }
  | { readonly kind: 'timeout' }
  /** Could not be started (ENOENT, EACCES, …). keepalived counts this as a failure. */
  | { readonly kind: 'error'; readonly message: string };

export interface ScriptIdentity {
  readonly user?: string;
  readonly group?: string;
}

function lookupId(file: string, name: string): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f[2] !== undefined) return Number(f[2]);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function spawnOptions(id: ScriptIdentity): SpawnOptions {
  const opts: SpawnOptions = { stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' } };
  if (id.user !== undefined) {
    const uid = lookupId('/etc/passwd', id.user);
    if (uid !== undefined) opts.uid = uid;
    let gid = id.group === undefined ? undefined : lookupId('/etc/group', id.group);
    if (gid === undefined && uid !== undefined) {
      const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid));
      const g = line?.split(':')[3];
      if (g !== undefined) gid = Number(g);
    }
    if (gid !== undefined) opts.gid = gid;
  }
  return opts;
}

/**
 * Start a notify script with `args` appended and forget it. `onError` hears about a
 * script that could not be started (it is logged, never fatal).
 */
export function runNotify(argv: readonly string[], args: readonly string[], id: ScriptIdentity, onError: (msg: string) => void): void {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return;
  try {
    const child = spawn(cmd, [...rest, ...args], spawnOptions(id));
    child.on('error', (e) => onError(`${cmd}: ${e.message}`));
    child.unref();
  } catch (e) {
    onError(`${cmd}: ${(e as Error).message}`);
  }
}

/** Run a check script, killing it (SIGKILL) after `timeoutMs`. */
export function runCheckScript(argv: readonly string[], timeoutMs: number, id: ScriptIdentity): Promise<ScriptEnd> {
  return new Promise((resolve) => {
    const [cmd, ...rest] = argv;
    if (cmd === undefined) {
      resolve({ kind: 'error', message: 'empty command' });
      return;
    }
    let done = false;
    let timedOut = false;
    const finish = (r: ScriptEnd): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(cmd, rest, spawnOptions(id));
    } catch (e) {
      resolve({ kind: 'error', message: `${cmd}: ${(e as Error).message}` });
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => finish({ kind: 'error', message: `${cmd}: ${e.message}` }));
    child.on('exit', (code, signal) => {
      if (timedOut) finish({ kind: 'timeout' });
      else if (code !== null) finish({ kind: 'exit', code });
      else finish({ kind: 'signal', signal: signal === null ? 0 : osConstants.signals[signal] });
    });
  });
}
