// The proxy on several cores: this process runs a ProxyEngine and opens every listening
// socket; N forked workers run their own engines on the same sockets, passed to them as
// IPC handles, so each process accepts for itself and the kernel spreads connections
// (SCHED_NONE-style: no hand-off through the primary, which PLATFORM.md measured as
// slower). Counters come back from the workers periodically and are summed before IPVS's
// estimator runs, as IPVS sums its per-CPU stats.
//
// Scheduling is one IPVS table across the processes: this process creates a shared
// memory segment (shared-state.ts) and hands it to every worker at spawn; rr/wrr
// positions, each real server's connection counts and overload state, and persistence
// templates live there, so every process's scheduler decides as the one kernel table
// would, with no round trip to this process (docs/dataplane-proxy.md). What stays in
// this process only: UDP services (flows are keyed by client) and lblc/lblcr services
// (their tables are not in the segment). Without the segment (no addon) workers
// schedule alone, as before: rr exact per process, persistent services here only.

import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { RealClock, type Clock, type TimerHandle } from '../../core/clock.js';
import type {
  ApplyReport, BackendEvent, Dataplane, DataplaneSnapshot, SnapshotOptions,
} from '../dataplane.js';
import { DesiredStateError, serviceKey, validateDesired, type DesiredState, type VirtualServiceSpec } from '../model.js';
import { Counters, ESTIMATOR_PERIOD_MS, RateEstimator, ZERO_RATES, type CounterValues } from '../stats.js';
import { closeSegmentFd, createSegment, yieldCpu } from '../../sys/shm.js';
import { listenHere, ProxyEngine, type ProxyEngineOptions } from './engine.js';
import { SlotAllocator, type Layout } from './shared-layout.js';
import { MAX_PROCS, SEGMENT_BYTES, SharedState } from './shared-state.js';
import { addCounters, countersOf, mergeSnapshots } from './snapshot-merge.js';
import type { FromWorker, ToWorker, WorkerEngineSettings } from './worker-protocol.js';

export interface ProxyClusterOptions extends ProxyEngineOptions {
  /** Worker processes besides this one. */
  readonly workers: number;
  /** How often workers push their counters (ms). */
  readonly reportMs?: number;
  /** How long to wait for a worker's answer before treating it as gone (ms). */
  readonly workerTimeoutMs?: number;
}

const WORKER_SCRIPT = fileURLToPath(new URL('./worker-main.js', import.meta.url));
const RESPAWN_DELAY_MS = 1000;

/** Whether workers may serve `svc` too when the processes share no scheduling state. */
export function shareable(svc: VirtualServiceSpec): boolean {
  return svc.protocol === 'TCP' && svc.persistence === undefined;
}

/** The child's descriptor for the shared segment (after stdin, stdout, stderr, ipc). */
const SHARED_FD_IN_CHILD = 4;

interface Worker {
  child: ChildProcess;
  /** Process slot in the shared segment. */
  readonly proc: number;
  /** Listener keys this worker holds a socket for. */
  readonly sent: Set<string>;
  readonly waiting: Map<number, (m: FromWorker | undefined) => void>;
  last: DataplaneSnapshot | undefined;
  ready: Promise<boolean>;
  gone: boolean;
}

export class ProxyCluster implements Dataplane {
  readonly engine = 'proxy';
  readonly #local: ProxyEngine;
  readonly #clock: Clock;
  readonly #settings: WorkerEngineSettings;
  readonly #timeoutMs: number;
  readonly #workers: Worker[] = [];
  /** This process's listening TCP sockets, shared with workers. */
  readonly #handles = new Map<string, net.Server>();
  /** Counters of workers that exited, so sums stay monotonic. */
  readonly #dead = new Map<string, Counters>();
  readonly #est = new Map<string, RateEstimator>();
  readonly #listeners: ((ev: BackendEvent) => void)[] = [];
  #desired: DesiredState | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #estTimer: TimerHandle | undefined;
  #unsubLocal: (() => void) | undefined;
  #seq = 0;
  #closed = false;
  readonly #shared: { readonly state: SharedState; readonly fd: number; readonly slots: SlotAllocator } | undefined;
  #layout: Layout = {};

  constructor(opts: ProxyClusterOptions) {
    this.#clock = opts.clock ?? new RealClock();
    this.#timeoutMs = opts.workerTimeoutMs ?? 10_000;
    this.#shared = openShared(Math.max(0, opts.workers) + 1, this.#clock);
    this.#settings = {
      reportMs: opts.reportMs ?? 500,
      ...(opts.tickMs !== undefined ? { tickMs: opts.tickMs } : {}),
      ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
      ...(opts.connectAttempts !== undefined ? { connectAttempts: opts.connectAttempts } : {}),
      ...(opts.expireQuiescentTemplate !== undefined ? { expireQuiescentTemplate: opts.expireQuiescentTemplate } : {}),
      ...(opts.backlog !== undefined ? { backlog: opts.backlog } : {}),
    };
    this.#local = new ProxyEngine({
      ...opts,
      clock: this.#clock,
      ...(this.#shared ? { shared: this.#shared.state } : {}),
      listen: async (o) => {
        const r = await listenHere(o);
        if (r.ok && r.value instanceof net.Server) this.#handles.set(o.key, r.value);
        return r;
      },
    });
    for (let i = 0; i < Math.max(0, opts.workers); i++) this.#workers.push(this.#spawn(i + 1));
    this.#armEstimator();
  }

  apply(desired: DesiredState): Promise<ApplyReport> {
    return this.#serial(async () => {
      const problems = validateDesired(desired);
      if (problems.length > 0) throw new DesiredStateError(problems);
      const layout = this.#shared ? this.#shared.slots.assign(desired.services) : {};
      // Workers first let go of sockets whose services leave them, so that the same
      // address:port can be bound again by this process in the same apply.
      const nextShared = new Set(desired.services.filter((s) => this.#shareable(s, layout)).map(serviceKey));
      await this.#syncWorkers((s) => nextShared.has(serviceKey(s)) && this.#lastShared().has(serviceKey(s)), this.#desired);
      this.#local.setLayout(layout);
      const report = await this.#local.apply(desired);
      this.#desired = desired;
      this.#layout = layout;
      // The engine closed these listeners; later applies must not share them.
      for (const key of report.removed) this.#handles.delete(key);
      await this.#syncWorkers(() => true, desired);
      return report;
    });
  }

  addressAvailable(address: string): Promise<ApplyReport> {
    return this.#serial(async () => {
      const report = await this.#local.addressAvailable(address);
      if (this.#desired) await this.#syncWorkers(() => true, this.#desired);
      return report;
    });
  }

  onBackendEvent(cb: (ev: BackendEvent) => void): () => void {
    this.#listeners.push(cb);
    // Events cost an object per connection: produce them only while someone listens.
    if (this.#listeners.length === 1) {
      this.#unsubLocal = this.#local.onBackendEvent((ev) => this.#emit(ev));
      for (const w of this.#workers) this.#send(w, { t: 'events', on: true });
    }
    return () => {
      const i = this.#listeners.indexOf(cb);
      if (i < 0) return;
      this.#listeners.splice(i, 1);
      if (this.#listeners.length === 0) {
        this.#unsubLocal?.();
        this.#unsubLocal = undefined;
        for (const w of this.#workers) this.#send(w, { t: 'events', on: false });
      }
    };
  }

  /** Ask every worker for a fresh report (with its connection table when asked). */
  async refresh(opts?: SnapshotOptions): Promise<void> {
    await Promise.all(this.#workers.map(async (w) => {
      const m = await this.#request(w, (id) => ({ t: 'report', id, connections: opts?.connections === true }));
      if (m?.t === 'stats') w.last = m.snapshot;
    }));
  }

  /** Connections each process has taken so far (this one first), from the last reports. */
  processConns(): { pid: number; conns: number }[] {
    const out = [{ pid: process.pid, conns: this.#local.snapshot().totals.conns }];
    for (const w of this.#workers) {
      if (!w.gone && w.child.pid !== undefined) out.push({ pid: w.child.pid, conns: w.last?.totals.conns ?? 0 });
    }
    return out;
  }

  snapshot(opts?: SnapshotOptions): DataplaneSnapshot {
    const local = this.#local.snapshot(opts);
    const reports = this.#workers.flatMap((w) => (w.last && !w.gone ? [w.last] : []));
    const sums = this.#sums(local, reports);
    return mergeSnapshots(local, reports, sums, (k) => this.#est.get(k)?.rates() ?? ZERO_RATES);
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#estTimer?.cancel();
      await Promise.all(this.#workers.map((w) => this.#stop(w)));
      await this.#local.close();
      this.#handles.clear();
      if (this.#shared) closeSegmentFd(this.#shared.fd);
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #lastShared(): Set<string> {
    return new Set((this.#desired?.services ?? []).filter((s) => this.#shareable(s, this.#layout)).map(serviceKey));
  }

  /** Workers serve `svc` too: its state is in the segment, or (no segment) it needs none shared. */
  #shareable(svc: VirtualServiceSpec, layout: Layout): boolean {
    return this.#shared ? layout[serviceKey(svc)] !== undefined : shareable(svc);
  }

  /** Give workers the sockets they lack and the shareable services that are listening here. */
  async #syncWorkers(keep: (s: VirtualServiceSpec) => boolean, desired: DesiredState | undefined): Promise<void> {
    const services = (desired?.services ?? []).filter((s) => this.#shareable(s, this.#layout) && keep(s) && this.#handles.has(serviceKey(s)));
    const layout = this.#layout;
    const state: DesiredState = { ...(desired?.timeouts ? { timeouts: desired.timeouts } : {}), services };
    await Promise.all(this.#workers.map(async (w) => {
      if (!(await w.ready)) return;
      for (const s of services) {
        const key = serviceKey(s);
        const h = this.#handles.get(key);
        if (h && !w.sent.has(key)) {
          w.sent.add(key);
          this.#send(w, { t: 'listener', key }, h);
        }
      }
      await this.#request(w, (id) => ({ t: 'apply', id, desired: state, layout }));
      for (const key of [...w.sent]) if (!services.some((s) => serviceKey(s) === key)) w.sent.delete(key);
    }));
  }

  #spawn(proc: number): Worker {
    const sh = this.#shared;
    const child = fork(WORKER_SCRIPT, [], {
      stdio: sh ? ['ignore', 'inherit', 'inherit', 'ipc', sh.fd] : ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
      // The parent's flags minus the test runner's, which would turn the worker into a test run.
      execArgv: process.execArgv.filter((a) => !a.startsWith('--test')),
    });
    const w: Worker = { child, proc, sent: new Set(), waiting: new Map(), last: undefined, ready: Promise.resolve(false), gone: false };
    if (sh && child.pid !== undefined) sh.state.setPid(proc, child.pid);
    w.ready = new Promise<boolean>((resolve) => {
      child.once('message', (m: FromWorker) => resolve(m.t === 'ready'));
      child.once('exit', () => resolve(false));
    });
    child.on('message', (m: FromWorker) => this.#onMessage(w, m));
    child.on('exit', () => this.#onExit(w));
    child.on('error', () => undefined);
    this.#send(w, { t: 'init', settings: sh ? { ...this.#settings, shared: { fd: SHARED_FD_IN_CHILD, proc } } : this.#settings });
    if (this.#listeners.length > 0) this.#send(w, { t: 'events', on: true });
    return w;
  }

  #onMessage(w: Worker, m: FromWorker): void {
    if (m.t === 'stats' && m.id === undefined) w.last = m.snapshot;
    else if (m.t === 'events') for (const ev of m.events) this.#emit(ev);
    if ('id' in m && m.id !== undefined) {
      const done = w.waiting.get(m.id);
      w.waiting.delete(m.id);
      done?.(m);
    }
  }

  #onExit(w: Worker): void {
    if (w.gone) return;
    w.gone = true;
    if (w.last) addCounters(this.#dead, countersOf(w.last));
    for (const done of w.waiting.values()) done(undefined);
    w.waiting.clear();
    // Its connections died with it: its counts, template marks and any lock it held go
    // now, before a new worker takes its process slot.
    if (this.#shared) {
      const used = this.#shared.slots.inUse();
      this.#shared.state.setPid(w.proc, 0);
      this.#shared.state.recover(w.proc, used.services, used.dests);
    }
    if (this.#closed) return;
    // Replace it; the new worker gets the sockets and the state again.
    this.#clock.setTimer(RESPAWN_DELAY_MS, () => {
      if (this.#closed) return;
      const i = this.#workers.indexOf(w);
      if (i < 0) return;
      const fresh = this.#spawn(w.proc);
      this.#workers[i] = fresh;
      void this.#serial(() => this.#syncWorkers(() => true, this.#desired));
    });
  }

  async #stop(w: Worker): Promise<void> {
    if (w.gone) return;
    const exited = new Promise<void>((r) => (w.child.exitCode !== null ? r() : w.child.once('exit', () => r())));
    await this.#request(w, (id) => ({ t: 'close', id }));
    w.gone = true;
    const timer = this.#clock.setTimer(this.#timeoutMs, () => {
      if (w.child.exitCode === null && w.child.pid !== undefined) w.child.kill('SIGKILL');
    });
    await exited;
    timer.cancel();
  }

  #send(w: Worker, m: ToWorker, handle?: net.Server): void {
    if (w.gone || !w.child.connected) return;
    if (handle) w.child.send(m, handle);
    else w.child.send(m);
  }

  #request(w: Worker, make: (id: number) => ToWorker): Promise<FromWorker | undefined> {
    if (w.gone || !w.child.connected) return Promise.resolve(undefined);
    const id = ++this.#seq;
    return new Promise((resolve) => {
      const timer = this.#clock.setTimer(this.#timeoutMs, () => {
        w.waiting.delete(id);
        resolve(undefined);
      });
      w.waiting.set(id, (m) => {
        timer.cancel();
        resolve(m);
      });
      this.#send(w, make(id));
    });
  }

  #emit(ev: BackendEvent): void {
    for (const cb of [...this.#listeners]) {
      try {
        cb(ev);
      } catch (err) {
        process.emitWarning(err instanceof Error ? err : String(err), 'HalbBackendListenerWarning');
      }
    }
  }

  #sums(local: DataplaneSnapshot, reports: readonly DataplaneSnapshot[]): Map<string, Counters> {
    const sums = new Map<string, Counters>();
    addCounters(sums, countersOf(local));
    for (const r of reports) addCounters(sums, countersOf(r));
    addCounters(sums, this.#dead);
    return sums;
  }

  #armEstimator(): void {
    this.#estTimer = this.#clock.setTimer(ESTIMATOR_PERIOD_MS, () => {
      if (this.#closed) return;
      const reports = this.#workers.flatMap((w) => (w.last && !w.gone ? [w.last] : []));
      const sums: Map<string, CounterValues> = this.#sums(this.#local.snapshot(), reports);
      for (const [k, c] of sums) {
        const est = this.#est.get(k);
        if (est) est.sample(c);
        else this.#est.set(k, new RateEstimator(c));
      }
      for (const k of [...this.#est.keys()]) if (!sums.has(k)) this.#est.delete(k);
      // Between applies, when every process runs the same config: give back idle slots.
      const sh = this.#shared;
      if (sh) void this.#serial(() => Promise.resolve(sh.slots.collect()));
      this.#armEstimator();
    });
  }
}

/** The shared scheduling segment, or undefined (then each process schedules alone) when it cannot be had. */
function openShared(procs: number, clock: Clock): { state: SharedState; fd: number; slots: SlotAllocator } | undefined {
  if (procs < 2) return undefined;
  if (procs > MAX_PROCS) {
    process.emitWarning(`${procs} proxy processes: at most ${MAX_PROCS} share one scheduling state; each schedules alone`, 'HalbProxyWarning');
    return undefined;
  }
  try {
    const seg = createSegment(SEGMENT_BYTES);
    const state = new SharedState(seg.buffer, 0, yieldCpu, clock.now());
    state.format(procs);
    state.setPid(0, process.pid);
    return { state, fd: seg.fd, slots: new SlotAllocator(state) };
  } catch (err) {
    process.emitWarning(`no shared scheduling state, each proxy process schedules alone: ${err instanceof Error ? err.message : String(err)}`, 'HalbProxyWarning');
    return undefined;
  }
}
