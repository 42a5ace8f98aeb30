// One virtual service's scheduling state, without sockets: the pool as IPVS holds it,
// destinations that left it but still drain connections, the scheduler and the
// persistence templates. The TCP and UDP front ends ask it for a destination per new
// connection and hand it back when the connection ends.

import { isIP } from 'node:net';
import type { SchedulerFactory } from '../dataplane.js';
import {
  canonicalAddress, effectiveTimeouts, persistencePrefix, poolOf, serviceKey,
  type DesiredState, type IdleTimeouts, type L4Protocol, type VirtualServiceSpec,
} from '../model.js';
import type { Scheduler, SchedRequest } from '../sched/types.js';
import { Counters, type EstimatorSet } from '../stats.js';
import { PersistenceTable, type Template, type Templates } from './persistence.js';
import { RealServerState } from './real-server.js';
import type { Layout, ServiceLayout } from './shared-layout.js';
import type { SharedState } from './shared-state.js';
import { SharedTemplates } from './shared-templates.js';

/** Where a new connection comes from; net.Socket satisfies it, so TCP pays for getpeername only when read. */
export interface ClientSource {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
}

/**
 * The scheduler's view of a new connection, reused for every pick. Client address and
 * port are getters: schedulers that never read them (rr, wlc, ...) cost no lookup.
 */
class PickRequest implements SchedRequest {
  src: ClientSource = {};
  now = 0;
  random = 0;
  constructor(readonly destAddr: string, readonly destPort: number) {}
  get clientAddr(): string {
    return this.src.remoteAddress ?? '';
  }
  get clientPort(): number {
    return this.src.remotePort ?? 0;
  }
}

export interface Selection {
  readonly dest: RealServerState;
  readonly template: Template<RealServerState> | null;
}

export interface ServiceOptions {
  readonly schedulers: SchedulerFactory;
  readonly defaultConnectTimeoutMs: number;
  readonly expireQuiescentTemplate: boolean;
  readonly random: () => number;
  /** Rates for the service and each destination (IPVS runs one estimator per ip_vs_stats). */
  readonly estimators: EstimatorSet<object>;
  /** Scheduling state shared by every process of the proxy, for the services the layout names. */
  readonly shared?: SharedBinding;
}

export interface SharedBinding {
  readonly state: SharedState;
  /** The slots of the config being applied. */
  layout(): Layout;
}

export class ServiceRuntime {
  readonly key: string;
  readonly protocol: L4Protocol;
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  spec: VirtualServiceSpec;
  timeouts: IdleTimeouts;
  connectTimeoutMs: number;
  /** The pool in configuration order: what the scheduler sees. */
  pool: RealServerState[] = [];
  /** Pool members and draining former members, by endpoint key. */
  readonly dests = new Map<string, RealServerState>();
  scheduler: Scheduler;
  persistence: Templates<RealServerState> | null = null;
  readonly counters = new Counters();
  /** Connections and flows still open, including after the service was removed. */
  liveConns = 0;
  readonly #opts: ServiceOptions;
  #persistPrefix = -1;
  readonly #req: PickRequest;
  /** The shared segment and this service's slot, when the proxy's processes share its state. */
  readonly #sh: { readonly state: SharedState; readonly slot: number } | null;
  readonly #bySlot = new Map<number, RealServerState>();

  constructor(spec: VirtualServiceSpec, state: DesiredState, opts: ServiceOptions) {
    this.key = serviceKey(spec);
    this.protocol = spec.protocol;
    this.address = canonicalAddress(spec.address);
    this.port = spec.port;
    this.family = isIP(this.address) === 6 ? 6 : 4;
    this.#opts = opts;
    this.#req = new PickRequest(this.address, this.port);
    this.spec = spec;
    this.timeouts = effectiveTimeouts(state, spec);
    this.connectTimeoutMs = spec.connectTimeoutMs ?? opts.defaultConnectTimeoutMs;
    const lay = this.#layout();
    this.#sh = opts.shared && lay ? { state: opts.shared.state, slot: lay.slot } : null;
    this.scheduler = this.#newScheduler(spec);
    const counters = this.counters;
    opts.estimators.track(this, () => counters);
    this.update(spec, state, true);
  }

  get sorryActive(): boolean {
    return !this.spec.quorumUp && this.spec.sorryServer !== undefined;
  }

  /** Whether the proxy's processes share this service's scheduling state. */
  get shared(): boolean {
    return this.#sh !== null;
  }

  /** Take the new spec (same key): settings, scheduler, persistence and pool, keeping connections. */
  update(spec: VirtualServiceSpec, state: DesiredState, initial = false): void {
    this.#locked(() => this.#update(spec, state, initial));
  }

  #update(spec: VirtualServiceSpec, state: DesiredState, initial: boolean): void {
    const old = this.spec;
    this.spec = spec;
    this.timeouts = effectiveTimeouts(state, spec);
    this.connectTimeoutMs = spec.connectTimeoutMs ?? this.#opts.defaultConnectTimeoutMs;
    if (!initial && (old.scheduler !== spec.scheduler ||
      (old.schedulerFlags?.port === true) !== (spec.schedulerFlags?.port === true) ||
      (old.schedulerFlags?.fallback === true) !== (spec.schedulerFlags?.fallback === true))) {
      this.scheduler = this.#newScheduler(spec);
    }
    this.#updatePersistence(spec);
    this.#updatePool(spec);
  }

  #updatePersistence(spec: VirtualServiceSpec): void {
    const p = spec.persistence;
    if (!p) {
      this.persistence?.clear();
      this.persistence = null;
      this.forgetIdle();
      return;
    }
    const prefix = persistencePrefix(spec);
    if (this.persistence && this.#persistPrefix === prefix) {
      this.persistence.timeoutMs = p.timeoutMs;
      return;
    }
    this.persistence?.clear();
    const opts = { timeoutMs: p.timeoutMs, prefix, expireQuiescent: this.#opts.expireQuiescentTemplate };
    const table = this.#sh ? this.#layout()?.table ?? -1 : -1;
    if (this.#sh && table >= 0) {
      const bySlot = this.#bySlot;
      this.persistence = new SharedTemplates(this.#sh.state, table, opts, {
        destOf: (slot) => bySlot.get(slot),
        slotOf: (d) => d.slot,
      });
    } else {
      this.persistence = new PersistenceTable(opts);
    }
    this.#persistPrefix = prefix;
  }

  #updatePool(spec: VirtualServiceSpec): void {
    const entries = poolOf(spec);
    const next: RealServerState[] = [];
    const inNext = new Set<string>();
    for (const e of entries) {
      let d = this.dests.get(e.key);
      if (d) d.update(e);
      else {
        d = new RealServerState(e);
        const slot = this.#sh ? this.#layout()?.dests[e.key] : undefined;
        if (this.#sh && slot !== undefined) {
          d.share(this.#sh.state, slot);
          this.#bySlot.set(slot, d);
        }
        this.dests.set(e.key, d);
        const counters = d.counters;
        this.#opts.estimators.track(d, () => counters);
      }
      next.push(d);
      inNext.add(e.key);
    }
    for (const d of this.pool) {
      if (!inNext.has(d.id)) d.inPool = false;
    }
    this.pool = next;
    this.forgetIdle();
    this.scheduler.poolChanged?.(this.pool);
  }

  /**
   * Choose the destination for a new connection and account for it, or undefined when no
   * destination may take it. `exclude` lists servers already tried for this client
   * connection: a retry ignores persistence and picks among the others.
   */
  select(src: ClientSource, now: number, exclude?: readonly RealServerState[]): Selection | undefined {
    const sh = this.#sh;
    if (sh === null) return this.#select(src, now, exclude);
    sh.state.lock(sh.slot);
    try {
      return this.#select(src, now, exclude);
    } finally {
      sh.state.unlock(sh.slot);
    }
  }

  #select(src: ClientSource, now: number, exclude?: readonly RealServerState[]): Selection | undefined {
    const req = this.#req;
    req.src = src;
    req.now = now;
    req.random = this.#opts.random();
    const table = this.persistence;
    if (table && !exclude) {
      const addr = src.remoteAddress;
      // No peer address: the client is already gone (reset before we looked).
      if (addr === undefined) return undefined;
      const key = table.keyFor(addr);
      let t = table.find(key, now);
      if (!t) {
        const dest = this.scheduler.pick(this.pool, req) as RealServerState | undefined;
        if (!dest) return undefined;
        t = table.create(key, dest, now);
        if (!t) {
          // No room for another template: this connection goes without one.
          dest.bind();
          return { dest, template: null };
        }
      }
      table.attach(t, now);
      t.dest.bind();
      return { dest: t.dest, template: t };
    }
    const pool = exclude ? this.pool.filter((d) => !exclude.includes(d)) : this.pool;
    const dest = this.scheduler.pick(pool, req) as RealServerState | undefined;
    if (!dest) return undefined;
    dest.bind();
    return { dest, template: null };
  }

  /** A connection or flow to `dest` ended. */
  release(dest: RealServerState, template: Template<RealServerState> | null, wasActive: boolean): void {
    this.#locked(() => {
      dest.unbind(wasActive);
      if (template) this.persistence?.detach(template);
    });
    if (!dest.inPool && dest.idle) this.#forget(dest);
  }

  /** Expire persistence templates and forget destinations that have drained. */
  sweepPersistence(now: number): void {
    if (!this.persistence) return;
    this.#locked(() => this.persistence?.sweep(now));
    this.forgetIdle();
  }

  /** Drop every persistence template (the service is gone). */
  clearPersistence(): void {
    this.#locked(() => this.persistence?.clear());
  }

  forgetIdle(): void {
    for (const d of this.dests.values()) {
      if (!d.inPool && d.idle) this.#forget(d);
    }
  }

  /** Stop estimating everything this service tracks (it was removed and has drained). */
  untrackAll(): void {
    this.#opts.estimators.untrack(this);
    for (const d of this.dests.values()) this.#opts.estimators.untrack(d);
  }

  #forget(d: RealServerState): void {
    if (this.dests.get(d.id) !== d) return;
    this.dests.delete(d.id);
    if (this.#bySlot.get(d.slot) === d) this.#bySlot.delete(d.slot);
    this.#opts.estimators.untrack(d);
  }

  #layout(): ServiceLayout | undefined {
    return this.#opts.shared?.layout()[this.key];
  }

  #newScheduler(spec: VirtualServiceSpec): Scheduler {
    const store = this.#sh ? this.#sh.state.store(this.#sh.slot) : undefined;
    return this.#opts.schedulers(spec.scheduler, spec.schedulerFlags ?? {}, store);
  }

  /** Run `fn` holding the service's lock when its state is shared. */
  #locked(fn: () => void): void {
    const sh = this.#sh;
    if (sh === null) {
      fn();
      return;
    }
    sh.state.lock(sh.slot);
    try {
      fn();
    } finally {
      sh.state.unlock(sh.slot);
    }
  }
}
