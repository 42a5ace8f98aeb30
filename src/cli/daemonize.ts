// keepalived's start-up conventions for `halb -f CONF`: without -n the daemon detaches
// (a new session, no controlling terminal, stdio closed unless -l) and the command
// returns 0 once the detached daemon serves, or the daemon's own error and exit code if
// it could not start; its pid file is written (default /run/halb.pid). Node cannot
// fork(), so the daemon is the same program started again with HALB_DAEMON_CHILD=1 and
// an IPC channel for that one answer, which it closes once it has given it.
// Logging: syslog by default (LOG_DAEMON, or LOG_LOCALn with -S n) unless -l (console)
// or -G; -g FILE adds a file.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createLogger, type LogFormat } from '../daemon/logger.js';
import { UsageError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { DEFAULT_SYSLOG_SOCKET, FACILITY_DAEMON, localFacility, syslogSink, type SyslogSink } from '../sys/syslog.js';

export const CHILD_ENV = 'HALB_DAEMON_CHILD';
export const DEFAULT_PID_FILE = '/run/halb.pid';

type ChildMessage = { readonly ready: true } | { readonly ready: false; readonly error: string; readonly code: number };

export function isDaemonChild(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[CHILD_ENV] === '1' && typeof process.send === 'function';
}

/** The detached daemon's one answer to the command that started it; then the channel closes. */
export function tellParent(m: ChildMessage): void {
  if (!isDaemonChild() || process.send === undefined) return;
  process.send(m, () => process.disconnect());
}

/**
 * Start the daemon detached and wait for its answer. Resolves to the exit code for this
 * command: 0 once the daemon serves.
 */
export function forkDaemon(argv: readonly string[], o: { readonly console: boolean }): Promise<number> {
  const out = o.console ? 'inherit' : 'ignore';
  const child = spawn(process.execPath, [...process.execArgv, ...argv.slice(1)], {
    detached: true, stdio: ['ignore', out, out, 'ipc'], env: { ...process.env, [CHILD_ENV]: '1' },
  });
  return new Promise((resolve) => {
    let answered = false;
    child.once('message', (m: ChildMessage) => {
      answered = true;
      if (!m.ready) process.stderr.write(`halb: ${m.error}\n`);
      child.unref();
      child.channel?.unref();
      resolve(m.ready ? 0 : m.code);
    });
    child.once('error', (e) => {
      if (answered) return;
      answered = true;
      process.stderr.write(`halb: cannot start the daemon: ${e.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      if (answered) return;
      answered = true;
      process.stderr.write(`halb: the daemon exited before serving (${signal ?? `exit ${code ?? '?'}`})\n`);
      resolve(code !== null && code !== 0 ? code : 1);
    });
  });
}

/** `-S`: keepalived takes 0..7 for LOG_LOCAL0..7; `local0`..`local7` and `daemon` are accepted too. */
export function parseFacility(v: string | undefined): number {
  if (v === undefined) return FACILITY_DAEMON;
  const m = /^(?:local)?([0-7])$/i.exec(v.trim());
  if (m !== null) return localFacility(Number(m[1]));
  if (v.trim().toLowerCase() === 'daemon') return FACILITY_DAEMON;
  throw new UsageError(`-S ${v}: expected a syslog facility 0..7 (LOG_LOCAL0..LOG_LOCAL7), local0..local7 or daemon`);
}

export interface LogChoice {
  readonly format: LogFormat;
  readonly level: 'debug' | 'info';
  /** -l */
  readonly console: boolean;
  /** -G gives false. */
  readonly syslog: boolean;
  readonly facility?: string;
  /** -g FILE */
  readonly file?: string;
  /** --syslog-socket (tests, chroots): default /dev/log. */
  readonly syslogSocket?: string;
}

/** The daemon's logger for keepalived's -l / -g / -S / -G. */
export function daemonLogger(c: LogChoice): Logger {
  const facility = parseFacility(c.facility);
  let sink: SyslogSink | undefined;
  let missing: string | undefined;
  if (!c.console && c.syslog) {
    try {
      sink = syslogSink(c.syslogSocket ?? DEFAULT_SYSLOG_SOCKET);
    } catch (e) {
      missing = e instanceof Error ? e.message : String(e);
    }
  }
  const also = c.file !== undefined ? [createWriteStream(c.file, { flags: 'a', mode: 0o640 })] : [];
  // Without syslog (-G, or no addon) and without -l, stderr is the last resort.
  const console = c.console || (sink === undefined && also.length === 0 && missing !== undefined);
  const log = createLogger({
    format: c.format, level: c.level, stream: console ? process.stderr : null, also,
    ...(sink !== undefined ? { syslog: { sink, facility } } : {}),
  });
  if (missing !== undefined) log.warn(`not logging to syslog: ${missing}`);
  return log;
}
