// Runs a host command, optionally inside a named network namespace (`ip netns exec`),
// and hands back its exit status and output. The nftables engine and `halb realserver`
// drive nft, sysctl and ip through this; tests point them at a namespace instead of the
// host.
import { spawn } from 'node:child_process';
import { NotSupportedError, SysError } from '../core/errors.js';

export interface NsOptions {
  /** Run inside this network namespace (as `ip netns exec NAME ...`); the caller's own when absent. */
  readonly netns?: string;
}

export interface ExecOptions extends NsOptions {
  /** Written to the command's stdin. */
  readonly input?: string;
  /** Kill the command after this long (default 30 s). */
  readonly timeoutMs?: number;
}

export interface ExecResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The argv that runs `cmd args` where `opts` says. */
export function inNamespace(cmd: string, args: readonly string[], opts: NsOptions = {}): [string, string[]] {
  return opts.netns === undefined ? [cmd, [...args]] : ['ip', ['netns', 'exec', opts.netns, cmd, ...args]];
}

/**
 * Run a command to completion. Rejects with NotSupportedError when the program is not
 * installed, with SysError when it cannot be started or overruns its timeout; a non-zero
 * exit is a result, not an error, so callers can read what the tool said.
 */
export function execCommand(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [file, argv] = inNamespace(cmd, args, opts);
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ENOENT') reject(new NotSupportedError(`'${file}' is not installed (not found on PATH)`, { cause: e }));
      else reject(new SysError('spawn', `cannot run ${file}: ${e.message}`, e.code, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(new SysError(cmd, `${cmd} ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 30_000} ms`, 'ETIMEDOUT'));
        return;
      }
      resolve({ status: code ?? (signal !== null ? 128 : 1), stdout, stderr });
    });
    // A command that exits before reading its input closes the pipe under us: its exit
    // status says what went wrong, not the EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}
