// Runs and supervises a BIRD 2 daemon for halb: `bird -f -c CONF -s SOCK -P PID`, its
// output logged as halb's, its death reported and the daemon started again after a
// backoff (1 s doubling to 30 s). A missing program is reported as such and retried the
// same way, so installing BIRD later heals a running halb.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Logger } from '../core/log.js';

export type DaemonState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'running'; readonly pid: number; readonly since: number }
  | { readonly kind: 'down'; readonly error: string; readonly since: number; readonly retryInMs: number }
  | { readonly kind: 'stopped' };

export interface BirdDaemonOptions {
  readonly birdPath: string;
  readonly configFile: string;
  readonly socket: string;
  readonly pidFile: string;
  readonly log: Logger;
  /** Called on every state change (started, died, gave up waiting). */
  readonly onState: (s: DaemonState) => void;
  readonly now?: () => number;
}

const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

export class BirdDaemon {
  readonly #o: BirdDaemonOptions;
  #child: ChildProcess | undefined;
  #state: DaemonState = { kind: 'starting' };
  #backoff = MIN_BACKOFF_MS;
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  /** Deaths since start, for metrics. */
  restarts = 0;

  constructor(o: BirdDaemonOptions) {
    this.#o = o;
  }

  get state(): DaemonState {
    return this.#state;
  }

  #set(s: DaemonState): void {
    this.#state = s;
    this.#o.onState(s);
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  start(): void {
    if (this.#stopping) return;
    // A socket left by a BIRD that died would make the new one refuse to start.
    rmSync(this.#o.socket, { force: true });
    const argv = ['-f', '-c', this.#o.configFile, '-s', this.#o.socket, '-P', this.#o.pidFile];
    let child: ChildProcess;
    try {
      child = spawn(this.#o.birdPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      this.#died(`cannot start ${this.#o.birdPath}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.#child = child;
    let failed = false;
    child.on('error', (e: NodeJS.ErrnoException) => {
      failed = true;
      this.#child = undefined;
      this.#died(e.code === 'ENOENT'
        ? `BGP daemon '${this.#o.birdPath}' not found (install bird2, or set bird_path in halb_bgp)`
        : `cannot start ${this.#o.birdPath}: ${e.message}`);
    });
    const relay = (stream: NodeJS.ReadableStream | null): void => {
      stream?.setEncoding('utf8');
      let rest = '';
      stream?.on('data', (c: string) => {
        rest += c;
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          // BIRD stamps its own time; halb's logger stamps the line already.
          const line = rest.slice(0, nl).trim().replace(/^\d{4}-\d\d-\d\d [\d:.]+ /, '');
          rest = rest.slice(nl + 1);
          if (line !== '') this.#o.log.info(`bird: ${line}`);
        }
      });
    };
    relay(child.stdout);
    relay(child.stderr);
    child.on('spawn', () => {
      this.#set({ kind: 'running', pid: child.pid ?? 0, since: this.#now() });
    });
    child.on('exit', (code, signal) => {
      if (failed) return;
      this.#child = undefined;
      if (this.#stopping) {
        this.#set({ kind: 'stopped' });
        return;
      }
      this.#died(`BGP daemon bird (pid ${child.pid ?? '?'}) exited ${signal !== null ? `on ${signal}` : `with status ${code ?? '?'}`}`);
    });
  }

  #died(error: string): void {
    if (this.#stopping) return;
    this.restarts++;
    const retryInMs = this.#backoff;
    this.#o.log.error(`${error}; starting it again in ${retryInMs / 1000} s`);
    this.#set({ kind: 'down', error, since: this.#now(), retryInMs });
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#timer = setTimeout(() => this.start(), retryInMs);
    this.#timer.unref();
  }

  /** A daemon that has run a while earns a fresh backoff. */
  healthy(): void {
    this.#backoff = MIN_BACKOFF_MS;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const c = this.#child;
    if (c === undefined || c.exitCode !== null) {
      this.#set({ kind: 'stopped' });
      return;
    }
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => c.kill('SIGKILL'), 3000);
      c.once('exit', () => { clearTimeout(kill); resolve(); });
      c.kill('SIGTERM');
    });
    rmSync(this.#o.socket, { force: true });
  }
}
