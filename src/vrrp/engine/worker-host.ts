// Starts the VRRP engine in its own worker thread (worker.ts) and talks to it: logs and
// engine events come back to the caller's logger and listener, snapshots are asked for
// by id, stop() runs the priority-0 shutdown and waits for it.
import { Worker } from 'node:worker_threads';
import { HalbError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { EngineEvent, EngineSpec, ReleaseOutcome } from './types.js';
import type { FromWorker, ReloadOutcome, ToWorker, WorkerData, WorkerSnapshot } from './worker-protocol.js';

export interface VrrpWorkerOptions {
  readonly logger: Logger;
  readonly onEvent?: (ev: EngineEvent) => void;
  /** Called when the thread ends without stop() (a crash): the daemon decides what to do. */
  readonly onExit?: (code: number) => void;
  /** EngineOptions.beforeVips, run on this thread; the engine waits at most beforeVipsTimeoutMs (dflt 5000). */
  readonly beforeVips?: (instance: string) => Promise<void>;
  readonly beforeVipsTimeoutMs?: number;
  /** Ask beforeVips from the start (dflt false; setGate() changes it). */
  readonly beforeVipsOn?: boolean;
}

export class VrrpWorker {
  readonly #worker: Worker;
  /** Requests waiting for the thread's answer, by id (snapshot, release, reload). */
  readonly #pending = new Map<number, (answer: never) => void>();
  #nextId = 1;
  #stopping: Promise<void> | undefined;
  #exited = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /** Start the thread; resolves once every instance has started, rejects with the reason it could not. */
  static start(spec: EngineSpec, opts: VrrpWorkerOptions): Promise<VrrpWorker> {
    const data: WorkerData = {
      spec, ...(opts.beforeVips !== undefined ? { beforeVipsTimeoutMs: opts.beforeVipsTimeoutMs ?? 5000, beforeVipsOn: opts.beforeVipsOn === true } : {}),
    };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: data });
    const w = new VrrpWorker(worker);
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (m: FromWorker) => {
        switch (m.t) {
          case 'started':
            started = true;
            resolve(w);
            break;
          case 'failed':
            reject(new HalbError((m.error.code as never) ?? 'HALB_ERR_SYS', `VRRP engine failed to start: ${m.error.message}`));
            break;
          case 'log':
            opts.logger[m.level](m.msg, m.fields);
            break;
          case 'event':
            opts.onEvent?.(m.ev);
            break;
          case 'snapshot':
            w.#answer(m.id, m.snapshot);
            break;
          case 'released':
            w.#answer(m.id, m.outcome);
            break;
          case 'before-vips': {
            const done = (): void => w.#post({ t: 'before-vips-done', id: m.id });
            const gate = opts.beforeVips;
            if (gate === undefined) done();
            else {
              gate(m.instance).then(done, (e: unknown) => {
                opts.logger.error(`(${m.instance}) before adding VIPs: ${e instanceof Error ? e.message : String(e)}`);
                done();
              });
            }
            break;
          }
          case 'reloaded':
            w.#answer(m.id, m.outcome);
            break;
          case 'stopped':
            break;
        }
      });
      worker.on('error', (e) => {
        opts.logger.error(`VRRP worker error: ${e.message}`);
        if (!started) reject(e);
      });
      worker.on('exit', (code) => {
        w.#exited = true;
        if (!started) reject(new HalbError('HALB_ERR_SYS', `VRRP worker exited with code ${code} before starting`));
        else if (w.#stopping === undefined) {
          opts.logger.error(`VRRP worker exited unexpectedly with code ${code}`);
          opts.onExit?.(code);
        }
      });
    });
  }

  #post(m: ToWorker): void {
    this.#worker.postMessage(m);
  }

  #answer(id: number, answer: unknown): void {
    const settle = this.#pending.get(id);
    this.#pending.delete(id);
    settle?.(answer as never);
  }

  /**
   * Post one request and wait for its answer: `settle` turns the answer into the result
   * (or a rejection); no answer within `timeoutMs` rejects.
   */
  #request<A, R>(what: string, timeoutMs: number, msg: (id: number) => ToWorker, settle: (answer: A) => R): Promise<R> {
    if (this.#exited) return Promise.reject(new HalbError('HALB_ERR_SYS', 'VRRP worker is not running'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new HalbError('HALB_ERR_SYS', `VRRP worker did not answer a ${what} request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, (answer: A) => {
        clearTimeout(timer);
        try {
          resolve(settle(answer));
        } catch (e) {
          reject(e);
        }
      });
      this.#post(msg(id));
    });
  }

  /** Turn the beforeVips question on or off, without restarting the engine. */
  setGate(on: boolean): void {
    if (!this.#exited) this.#post({ t: 'gate', on });
  }

  snapshot(timeoutMs = 2000): Promise<WorkerSnapshot> {
    return this.#request('snapshot', timeoutMs, (id) => ({ t: 'snapshot', id }), (s: WorkerSnapshot) => s);
  }

  /**
   * Give up mastership of `instance` (and its sync group) now: priority 0 sent, VIPs
   * removed, priority held at 1 for `holdMs` (dflt one Master_Down_Interval). Resolves
   * with what was released; rejects (HALB_ERR_USAGE) when the engine refuses: unknown
   * instance, not MASTER, address owner.
   */
  releaseMaster(instance: string, o: { readonly holdMs?: number; readonly timeoutMs?: number } = {}): Promise<Extract<ReleaseOutcome, { ok: true }>> {
    return this.#request('release', o.timeoutMs ?? 2000,
      (id) => ({ t: 'release', id, instance, ...(o.holdMs !== undefined ? { holdMs: o.holdMs } : {}) }),
      (out: ReleaseOutcome) => {
        if (!out.ok) throw new HalbError('HALB_ERR_USAGE', out.message);
        return out;
      });
  }

  /**
   * Reload instance by instance (VrrpEngine.reload). Resolves with what changed; rejects
   * (HALB_ERR_CONFIG) when the engine refused the new configuration, which then changed nothing.
   */
  reload(spec: EngineSpec, timeoutMs = 10_000): Promise<readonly string[]> {
    return this.#request('reload', timeoutMs, (id) => ({ t: 'reload', id, spec }), (out: ReloadOutcome) => {
      if (!out.ok) throw new HalbError('HALB_ERR_CONFIG', out.message);
      return out.lines;
    });
  }

  /** Shut every instance down (priority-0 adverts, VIPs removed) and end the thread. */
  stop(timeoutMs = 5000): Promise<void> {
    this.#stopping ??= new Promise<void>((resolve) => {
      if (this.#exited) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        void this.#worker.terminate().then(() => resolve());
      }, timeoutMs);
      this.#worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#post({ t: 'stop' });
    });
    return this.#stopping;
  }
}
