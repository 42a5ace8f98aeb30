// conntrackd as a child process: the daemon itself in console mode (no -d, so halb sees
// it die and supervises it), and the control commands primary-backup.sh runs against it
// (`conntrackd -C CONF -c` and so on) with a time limit. Nothing here decides when: that
// is src/daemon/conntrack-sync.ts. A missing binary or a command that fails is a value
// with a reason, never a throw.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The control commands of conntrack-tools' doc/sync/primary-backup.sh. */
export const CONNTRACKD_CTL = {
  /** commit the external cache into the kernel table */
  commit: '-c',
  /** flush the internal and the external caches */
  flush: '-f',
  /** resynchronise the internal cache with the kernel table */
  resyncKernel: '-R',
  /** send a bulk update to the other nodes */
  bulkSend: '-B',
  /** shorten the kernel's conntrack timers (zombie entries of a former master) */
  shortenTimers: '-t',
  /** ask the other node for a full resync */
  requestResync: '-n',
  /** statistics (also: is it answering?) */
  stats: '-s',
} as const;

export type ConntrackdCtl = keyof typeof CONNTRACKD_CTL;

export type CtlOutcome =
  | { readonly ok: true; readonly stdout: string; readonly ms: number }
  | { readonly ok: false; readonly reason: 'missing' | 'exit' | 'timeout' | 'spawn'; readonly detail: string; readonly ms: number };

const ENV = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };

/** Run one control command against the conntrackd that reads `conf`; resolves, never rejects. */
export function conntrackdCtl(binary: string, conf: string, what: ConntrackdCtl, timeoutMs: number): Promise<CtlOutcome> {
  const t0 = performance.now();
  const ms = (): number => Math.round(performance.now() - t0);
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(binary, ['-C', conf, CONNTRACKD_CTL[what]], { stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
    } catch (e) {
      resolve({ ok: false, reason: 'spawn', detail: (e as Error).message, ms: ms() });
      return;
    }
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { if (out.length < 65536) out += d; });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => { if (err.length < 4096) err += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ok: false, reason: 'timeout', detail: `conntrackd ${CONNTRACKD_CTL[what]} did not finish within ${timeoutMs} ms`, ms: ms() });
    }, timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: e.code === 'ENOENT' ? 'missing' : 'spawn', detail: `${binary}: ${e.message}`, ms: ms() });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true, stdout: out, ms: ms() });
      else {
        const why = (err.trim() || out.trim()).split('\n').slice(-2).join(' ');
        resolve({ ok: false, reason: 'exit', detail: `conntrackd ${CONNTRACKD_CTL[what]} ${signal !== null ? `killed by ${signal}` : `exited ${code}`}${why !== '' ? `: ${why}` : ''}`, ms: ms() });
      }
    });
  });
}

export interface ConntrackdHandle {
  readonly pid: number | undefined;
  /** Ask it to stop (SIGTERM, SIGKILL after graceMs); resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface ConntrackdEvents {
  /** One line it printed (console mode logs to stdout). */
  readonly onLine: (line: string) => void;
  /** It ended: exit code or signal, or it could not be started (ENOENT: not installed). */
  readonly onExit: (end: { readonly code: number | null; readonly signal: string | null; readonly error?: NodeJS.ErrnoException }) => void;
}

/** Start `conntrackd -C conf` in the foreground, in this process's network namespace and process group. */
export function spawnConntrackd(binary: string, conf: string, ev: ConntrackdEvents): ConntrackdHandle {
  const child = spawn(binary, ['-C', conf], { stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
  let ended = false;
  const gone = new Promise<void>((resolve) => {
    let reported = false;
    const report = (end: Parameters<ConntrackdEvents['onExit']>[0]): void => {
      ended = true;
      if (!reported) {
        reported = true;
        ev.onExit(end);
      }
      resolve();
    };
    child.on('error', (e: NodeJS.ErrnoException) => report({ code: null, signal: null, error: e }));
    child.on('exit', (code, signal) => report({ code, signal }));
  });
  for (const s of [child.stdout, child.stderr]) {
    if (s !== null) createInterface({ input: s }).on('line', (l) => { if (l.trim() !== '') ev.onLine(l); });
  }
  return {
    pid: child.pid,
    async stop(graceMs = 3000) {
      if (ended) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}

export interface ConntrackdStats {
  /** Entries this node tracks from its own kernel table. */
  readonly internal: number;
  /** Entries received from the other node(s), waiting to be committed. */
  readonly external: number;
}

/** The "current active connections" of each cache in `conntrackd -s`'s output; undefined when absent. Pure. */
export function parseConntrackdStats(text: string): ConntrackdStats | undefined {
  const cache = (name: string): number | undefined => {
    const m = new RegExp(`cache ${name}:\\s*\\ncurrent active connections:\\s*(\\d+)`).exec(text);
    return m === null ? undefined : Number(m[1]);
  };
  const internal = cache('internal');
  const external = cache('external');
  return internal === undefined || external === undefined ? undefined : { internal, external };
}
