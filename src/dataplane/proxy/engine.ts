// The userspace proxy engine: the Dataplane that runs without root. apply() diffs the
// desired state against the running one (model.diffDesired) and touches only what
// changed: an unchanged or edited service keeps its listening socket and every
// connection; a removed real server, or one set to weight 0, drains; a removed service
// stops accepting while its TCP connections finish. One coarse tick (default 250 ms)
// stamps activity, expires idle connections and persistence templates, and retries
// nothing by itself: listening on a missing VIP is retried by addressAvailable() and by
// every apply().

import { RealClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { HalbError } from '../../core/errors.js';
import {
  AddressNotAvailableError, type ApplyReport, type BackendEvent, type ConnectionSnapshot, type Dataplane,
  type DataplaneSnapshot, type SchedulerFactory, type ServiceFailure, type SnapshotOptions,
} from '../dataplane.js';
import { canonicalAddress, DesiredStateError, diffDesired, serviceKey, validateDesired, type DesiredState } from '../model.js';
import { createScheduler } from '../sched/index.js';
import { Counters, EstimatorSet, statsSnapshot, type CounterValues } from '../stats.js';
import { ProxyContext } from './context.js';
import type dgram from 'node:dgram';
import net from 'node:net';
import { bindUdp, listenTcp, type ListenOptions, type ListenResult } from './listen.js';
import { ServiceRuntime } from './service.js';
import type { Layout } from './shared-layout.js';
import type { SharedState } from './shared-state.js';
import { serviceSnapshot, templateSnapshots, type ListenerStatus } from './snapshot.js';
import { TcpConn, TcpListener } from './tcp-proxy.js';
import { UdpFlow, UdpListener } from './udp-proxy.js';

export interface ProxyEngineOptions {
  /** Builds each service's scheduler; defaults to sched/index.ts createScheduler. */
  readonly schedulers?: SchedulerFactory;
  readonly clock?: Clock;
  /** Period of the sweep that expires idle connections and connect attempts (ms). */
  readonly tickMs?: number;
  /** Connect timeout for services that set none (ms). */
  readonly connectTimeoutMs?: number;
  /** Attempts per client connection on distinct real servers while nothing was forwarded. */
  readonly connectAttempts?: number;
  /** IPVS sysctl expire_quiescent_template (default off: weight 0 keeps persistent clients). */
  readonly expireQuiescentTemplate?: boolean;
  /** Source of randomness for schedulers that use it (twos). */
  readonly random?: () => number;
  /** listen(2) backlog of TCP listeners. */
  readonly backlog?: number;
  /**
   * Opens a service's listening socket; defaults to binding it here (listen.ts). Worker
   * processes pass one that hands back the socket the primary shared with them.
   */
  readonly listen?: ListenProvider;
  /**
   * Scheduling state shared with the proxy's other processes (cluster.ts): services the
   * layout (setLayout) names schedule from it instead of from this process alone.
   */
  readonly shared?: SharedState;
}

export type ListenProvider = (o: ListenOptions & { readonly key: string }) => Promise<ListenResult<net.Server | dgram.Socket>>;

/** The default ListenProvider: bind here. */
export const listenHere: ListenProvider = (o) => (o.protocol === 'TCP' ? listenTcp(o) : bindUdp(o));

export const PROXY_DEFAULTS = { tickMs: 250, connectTimeoutMs: 5000, connectAttempts: 3, backlog: 511 } as const;

/** Templates are swept at most this often: they live for minutes. */
const PERSISTENCE_SWEEP_MS = 1000;

interface Entry {
  readonly svc: ServiceRuntime;
  listener: TcpListener | UdpListener | null;
  status: ListenerStatus;
}

const TOTALS = {};

export class ProxyEngine implements Dataplane {
  readonly engine = 'proxy';
  readonly #clock: Clock;
  readonly #ctx: ProxyContext;
  readonly #est: EstimatorSet<object>;
  readonly #tickMs: number;
  readonly #backlog: number;
  readonly #listenProvider: ListenProvider;
  readonly #svcOpts: ConstructorParameters<typeof ServiceRuntime>[2];
  readonly #entries = new Map<string, Entry>();
  /** Removed services whose connections are still finishing. */
  readonly #retired = new Set<ServiceRuntime>();
  /** Counters of services gone for good, so totals stay monotonic. */
  readonly #goneTotals = new Counters();
  #desired: DesiredState | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #tick: TimerHandle | undefined;
  #lastPersistSweep: number;
  #closed = false;
  #layout: Layout = {};

  constructor(opts: ProxyEngineOptions = {}) {
    this.#clock = opts.clock ?? new RealClock();
    const random = opts.random ?? Math.random;
    this.#ctx = new ProxyContext({ clock: this.#clock, connectAttempts: Math.max(1, opts.connectAttempts ?? PROXY_DEFAULTS.connectAttempts), random });
    this.#est = new EstimatorSet(this.#clock);
    this.#tickMs = opts.tickMs ?? PROXY_DEFAULTS.tickMs;
    this.#backlog = opts.backlog ?? PROXY_DEFAULTS.backlog;
    this.#listenProvider = opts.listen ?? listenHere;
    this.#svcOpts = {
      schedulers: opts.schedulers ?? createScheduler,
      defaultConnectTimeoutMs: opts.connectTimeoutMs ?? PROXY_DEFAULTS.connectTimeoutMs,
      expireQuiescentTemplate: opts.expireQuiescentTemplate === true,
      random,
      estimators: this.#est,
      ...(opts.shared ? { shared: { state: opts.shared, layout: () => this.#layout } } : {}),
    };
    this.#est.track(TOTALS, () => this.#totals());
    this.#lastPersistSweep = this.#clock.now();
    this.#armTick();
  }

  apply(desired: DesiredState): Promise<ApplyReport> {
    return this.#serial(() => this.#apply(desired));
  }

  /** The shared slots for the next apply (from the daemon's SlotAllocator). */
  setLayout(layout: Layout): void {
    this.#layout = layout;
  }

  addressAvailable(address: string): Promise<ApplyReport> {
    return this.#serial(async () => {
      const a = canonicalAddress(address);
      const waiting = [...this.#entries.values()].filter((e) => e.listener === null && e.svc.address === a);
      await Promise.all(waiting.map((e) => this.#listen(e)));
      return { added: [], removed: [], updated: [], unchanged: [], failed: this.#failures() };
    });
  }

  /** Everything lives in this process: snapshot() is always current. */
  refresh(): Promise<void> {
    return Promise.resolve();
  }

  onBackendEvent(cb: (ev: BackendEvent) => void): () => void {
    this.#ctx.listeners.push(cb);
    return () => {
      const i = this.#ctx.listeners.indexOf(cb);
      if (i >= 0) this.#ctx.listeners.splice(i, 1);
    };
  }

  snapshot(opts?: SnapshotOptions): DataplaneSnapshot {
    const rates = (o: object) => this.#est.rates(o);
    const services = [...this.#entries.values()].map((e) => serviceSnapshot(e.svc, e.status, rates));
    const snap: DataplaneSnapshot = {
      engine: this.engine,
      takenAt: this.#clock.wallNow(),
      services,
      totals: statsSnapshot(this.#totals(), this.#est.rates(TOTALS)),
    };
    if (!opts?.connections) return snap;
    const now = this.#clock.now();
    const connections: ConnectionSnapshot[] = [];
    for (const c of this.#ctx.table) {
      if (c instanceof TcpConn || c instanceof UdpFlow) connections.push(c.snapshot(now));
    }
    for (const svc of this.#allServices()) connections.push(...templateSnapshots(svc, now));
    return { ...snap, connections };
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#tick?.cancel();
      this.#est.stop();
      for (const e of this.#entries.values()) e.listener?.close();
      this.#entries.clear();
      for (const c of [...this.#ctx.table]) {
        if (c instanceof TcpConn || c instanceof UdpFlow) c.destroy();
      }
      // Destroyed sockets report 'close' on a later turn of the event loop.
      for (let i = 0; i < 50 && this.#ctx.table.size > 0; i++) await new Promise((r) => setImmediate(r));
      this.#retired.clear();
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #apply(desired: DesiredState): Promise<ApplyReport> {
    if (this.#closed) throw new HalbError('HALB_ERR_USAGE', 'the proxy dataplane is closed');
    const problems = validateDesired(desired);
    if (problems.length > 0) throw new DesiredStateError(problems);
    const diff = diffDesired(this.#desired, desired);
    const removed: string[] = [];
    for (const spec of diff.removed) {
      const key = serviceKey(spec);
      const e = this.#entries.get(key);
      if (!e) continue;
      this.#entries.delete(key);
      e.listener?.close();
      this.#retire(e.svc);
      removed.push(key);
    }
    for (const ch of diff.changed) this.#entries.get(ch.key)?.svc.update(ch.next, desired);
    this.#desired = desired;
    const added: string[] = [];
    for (const spec of diff.added) {
      const svc = new ServiceRuntime(spec, desired, this.#svcOpts);
      this.#entries.set(svc.key, { svc, listener: null, status: { state: 'failed' } });
      added.push(svc.key);
    }
    // New services, and any earlier one still without a socket, try to listen now.
    const pending = [...this.#entries.values()].filter((e) => e.listener === null);
    await Promise.all(pending.map((e) => this.#listen(e)));
    return {
      added,
      removed,
      updated: diff.changed.map((c) => c.key),
      unchanged: diff.unchanged.map((s) => serviceKey(s)),
      failed: this.#failures(),
    };
  }

  async #listen(e: Entry): Promise<void> {
    const svc = e.svc;
    const r = await this.#listenProvider({
      key: svc.key, protocol: svc.protocol, address: svc.address, port: svc.port, family: svc.family, backlog: this.#backlog,
    });
    if (!r.ok) {
      e.status = { state: r.error instanceof AddressNotAvailableError ? 'waiting-for-address' : 'failed', error: r.error };
      return;
    }
    const handle = r.value;
    if (this.#closed || this.#entries.get(svc.key) !== e) {
      handle.close();
      return;
    }
    e.listener = handle instanceof net.Server ? new TcpListener(this.#ctx, svc, handle) : new UdpListener(this.#ctx, svc, handle);
    e.status = { state: 'listening' };
  }

  #failures(): ServiceFailure[] {
    const out: ServiceFailure[] = [];
    for (const e of this.#entries.values()) {
      if (e.listener === null && e.status.error) out.push({ service: e.svc.key, error: e.status.error });
    }
    return out;
  }

  #retire(svc: ServiceRuntime): void {
    if (svc.liveConns > 0) this.#retired.add(svc);
    else this.#forgetService(svc);
  }

  #forgetService(svc: ServiceRuntime): void {
    this.#retired.delete(svc);
    svc.clearPersistence();
    svc.untrackAll();
    this.#goneTotals.add(svc.counters);
  }

  *#allServices(): IterableIterator<ServiceRuntime> {
    for (const e of this.#entries.values()) yield e.svc;
    yield* this.#retired;
  }

  #totals(): CounterValues {
    const t = new Counters();
    t.add(this.#goneTotals);
    for (const svc of this.#allServices()) t.add(svc.counters);
    return t;
  }

  #armTick(): void {
    this.#tick = this.#clock.setTimer(this.#tickMs, () => {
      if (this.#closed) return;
      const now = this.#clock.now();
      this.#ctx.now = now;
      this.#ctx.table.sweep(now);
      if (now - this.#lastPersistSweep >= PERSISTENCE_SWEEP_MS) {
        this.#lastPersistSweep = now;
        for (const svc of this.#allServices()) svc.sweepPersistence(now);
        for (const svc of [...this.#retired]) if (svc.liveConns === 0) this.#forgetService(svc);
      }
      this.#armTick();
    });
  }
}

/**
 * The proxy dataplane in this process only. For several cores use createProxyDataplane
 * from ./index.js with `workers`.
 */
export function createProxyDataplane(opts: ProxyEngineOptions = {}): Dataplane {
  return new ProxyEngine(opts);
}
