// The nftables dataplane: the Dataplane whose forwarding runs in the kernel. apply()
// plans (plan.ts), renders (render.ts), diffs against what the kernel holds
// (transaction.ts) and commits one nftables transaction through the NftBackend
// (apply.ts on a real host). Established flows never depend on an update: NAT flows live
// in conntrack, DR flows in the engine's own sets, which updates leave in place.
//
// Three timers, each armed only when needed: the load tick reads connection counts for
// the load-driven schedulers and thresholds and re-renders their shares; the drain
// deadline retires real servers and DR services whose idle timeout passed; the stats
// tick reads the counters for IPVS's rate estimator.
import { RealClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { HalbError } from '../../core/errors.js';
import type {
  ApplyReport, BackendEvent, Dataplane, DataplaneSnapshot, RealServerSnapshot, ServiceFailure, ServiceSnapshot, SnapshotOptions,
} from '../dataplane.js';
import {
  DesiredStateError, FORWARD_COLUMN, diffDesired, forwardingOf, persistencePrefix, poolOf, serviceKey, validateDesired,
  type DesiredState, type VirtualServiceSpec,
} from '../model.js';
import { EstimatorSet, statsSnapshot, type CounterValues } from '../stats.js';
import type { NftBackend } from './backend.js';
import { TABLE } from './names.js';
import type { TableDef } from './nft-json.js';
import { connectionsOf, loadsOf, observe, type ServiceObserved } from './observe.js';
import { planNft, type NftPlan, type NftState, type RouteInfo, type ServicePlan } from './plan.js';
import { mergeReadings, type ConntrackEntry, type TableReading } from './readings.js';
import { renderTables, type RenderOptions } from './render.js';
import { buildTransaction, teardown } from './transaction.js';

export interface NftEngineOptions {
  readonly backend: NftBackend;
  readonly clock?: Clock;
  readonly render?: RenderOptions;
  /** How often connection counts are read for lc/wlc/sed/nq/lblc/lblcr/twos/ovf and thresholds (ms). */
  readonly loadIntervalMs?: number;
  /** How often counters are read for the rate estimator (ms); 0 reads them only in refresh(). */
  readonly statsIntervalMs?: number;
  /** Turn on IPv4/IPv6 forwarding when a NAT service needs it (replies pass through the director). */
  readonly manageForwarding?: boolean;
  /** Told about what the engine did to the host on its own (forwarding switched on, ...). */
  readonly onNotice?: (message: string) => void;
}

export const NFT_DEFAULTS = { loadIntervalMs: 1000, statsIntervalMs: 2000 } as const;

const EMPTY: TableReading = { counters: new Map(), sets: new Map() };
const ZERO = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
const TOTALS = '*';

function sum(a: CounterValues, b: CounterValues): CounterValues {
  return { conns: a.conns + b.conns, inPkts: a.inPkts + b.inPkts, outPkts: a.outPkts + b.outPkts, inBytes: a.inBytes + b.inBytes, outBytes: a.outBytes + b.outBytes };
}

export class NftEngine implements Dataplane {
  readonly engine = 'nft';
  readonly #backend: NftBackend;
  readonly #clock: Clock;
  readonly #render: RenderOptions;
  readonly #loadIntervalMs: number;
  readonly #statsIntervalMs: number;
  readonly #manageForwarding: boolean;
  readonly #notice: (m: string) => void;
  readonly #est: EstimatorSet<string>;
  #desired: DesiredState | undefined;
  #state: NftState | undefined;
  #plan: NftPlan | undefined;
  /** What the kernel holds: the tables of the last committed transaction. */
  #applied: TableDef[] | undefined;
  #routes = new Map<string, RouteInfo>();
  #reading: TableReading = EMPTY;
  #conntrack: readonly ConntrackEntry[] = [];
  #observed = new Map<string, ServiceObserved>();
  #lastConns = new Map<string, { conns: number; at: number }>();
  #arrivals = new Map<string, number>();
  #tracked = new Set<string>();
  #probedDr = false;
  #txFailure: HalbError | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #loadTimer: TimerHandle | undefined;
  #deadlineTimer: TimerHandle | undefined;
  #statsTimer: TimerHandle | undefined;
  #closed = false;

  constructor(opts: NftEngineOptions) {
    this.#backend = opts.backend;
    this.#clock = opts.clock ?? new RealClock();
    this.#render = opts.render ?? {};
    this.#loadIntervalMs = opts.loadIntervalMs ?? NFT_DEFAULTS.loadIntervalMs;
    this.#statsIntervalMs = opts.statsIntervalMs ?? NFT_DEFAULTS.statsIntervalMs;
    this.#manageForwarding = opts.manageForwarding ?? true;
    this.#notice = opts.onNotice ?? (() => undefined);
    this.#est = new EstimatorSet(this.#clock);
    this.#est.track(TOTALS, () => this.#totals());
    this.#armStats();
  }

  apply(desired: DesiredState): Promise<ApplyReport> {
    return this.#serial(() => this.#apply(desired));
  }

  /** nftables matches the VIP in the packet; it needs no local address to be ready. */
  addressAvailable(_address: string): Promise<ApplyReport> {
    return Promise.resolve({ added: [], removed: [], updated: [], unchanged: [], failed: this.#failures() });
  }

  refresh(opts?: SnapshotOptions): Promise<void> {
    return this.#serial(() => this.#read(opts?.connections === true || this.#hasNat()));
  }

  /** The kernel reports no per-connection outcomes to userspace: nothing to subscribe to. */
  onBackendEvent(_cb: (ev: BackendEvent) => void): () => void {
    return () => undefined;
  }

  snapshot(opts?: SnapshotOptions): DataplaneSnapshot {
    const plans = this.#plan?.services.filter((p) => !p.draining) ?? [];
    const services: ServiceSnapshot[] = plans.map((p) => this.#serviceSnapshot(p));
    for (const f of this.#failures()) {
      const spec = this.#desired?.services.find((s) => serviceKey(s) === f.service);
      if (spec === undefined || plans.some((p) => p.key === f.service)) continue;
      services.push({
        key: f.service, protocol: spec.protocol, address: spec.address, port: spec.port, scheduler: spec.scheduler,
        schedulerFlags: spec.schedulerFlags ?? {},
        ...(spec.persistence ? { persistence: { timeoutMs: spec.persistence.timeoutMs, granularity: persistencePrefix(spec) } } : {}),
        listener: 'failed', listenError: f.error.message, quorumUp: spec.quorumUp, sorryActive: false,
        stats: statsSnapshot(ZERO, this.#est.rates(f.service)),
        realServers: poolOf(spec).map((e) => ({
          key: e.key, address: e.address, port: e.port, weight: e.weight, forward: FORWARD_COLUMN[forwardingOf(spec)],
          activeConns: 0, inactiveConns: 0, persistConns: 0, overloaded: false, draining: false, sorry: e.sorry,
          stats: statsSnapshot(ZERO, this.#est.rates(`${f.service}|${e.key}`)),
        })),
      });
    }
    const snap: DataplaneSnapshot = {
      engine: this.engine, takenAt: this.#clock.wallNow(), services, totals: statsSnapshot(this.#totals(), this.#est.rates(TOTALS)),
    };
    if (opts?.connections !== true) return snap;
    return { ...snap, connections: connectionsOf(this.#plan?.services ?? [], this.#reading, this.#conntrack) };
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#loadTimer?.cancel();
      this.#deadlineTimer?.cancel();
      this.#statsTimer?.cancel();
      this.#est.stop();
      if (this.#applied !== undefined) {
        const tables = this.#applied;
        this.#applied = undefined;
        await this.#backend.transaction(teardown([{ family: 'inet', name: TABLE }, ...(tables.some((t) => t.family === 'netdev') ? [{ family: 'netdev' as const, name: TABLE }] : [])]));
      }
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #hasNat(): boolean {
    return this.#plan?.services.some((p) => p.forwarding === 'NAT') === true;
  }

  #failures(): ServiceFailure[] {
    const out: ServiceFailure[] = [...(this.#plan?.failures ?? [])];
    if (this.#txFailure !== undefined) {
      for (const s of this.#desired?.services ?? []) {
        const key = serviceKey(s);
        if (!out.some((f) => f.service === key)) out.push({ service: key, error: this.#txFailure });
      }
    }
    return out;
  }

  async #apply(desired: DesiredState): Promise<ApplyReport> {
    if (this.#closed) throw new HalbError('HALB_ERR_USAGE', 'the nft dataplane is closed');
    const problems = validateDesired(desired);
    if (problems.length > 0) throw new DesiredStateError(problems);
    const diff = diffDesired(this.#desired, desired);
    const dr = desired.services.some((s) => [forwardingOf(s), ...s.realServers.map((r) => forwardingOf(s, r))].includes('DR'));
    if (dr && !this.#probedDr) {
      await this.#backend.probe({ dr: true });
      this.#probedDr = true;
    }
    await this.#resolveRoutes(desired);
    if (this.#manageForwarding) await this.#forwarding(desired);
    this.#desired = desired;
    await this.#commit();
    const failed = new Set(this.#failures().map((f) => f.service));
    const keys = (list: readonly VirtualServiceSpec[]): string[] => list.map((s) => serviceKey(s)).filter((k) => !failed.has(k));
    return {
      added: keys(diff.added),
      removed: diff.removed.map((s) => serviceKey(s)),
      updated: diff.changed.map((c) => c.key).filter((k) => !failed.has(k)),
      unchanged: keys(diff.unchanged),
      failed: this.#failures(),
    };
  }

  async #resolveRoutes(desired: DesiredState): Promise<void> {
    const addrs = new Set<string>();
    for (const s of desired.services) {
      if (forwardingOf(s) !== 'DR' && !s.realServers.some((r) => forwardingOf(s, r) === 'DR')) continue;
      for (const p of poolOf({ ...s, quorumUp: true })) addrs.add(p.address);
      for (const p of poolOf({ ...s, quorumUp: false })) addrs.add(p.address);
    }
    const routes = new Map<string, RouteInfo>();
    await Promise.all([...addrs].map(async (a) => {
      try {
        routes.set(a, await this.#backend.route(a));
      } catch {
        // No route: the plan reports the service as failed.
      }
    }));
    this.#routes = routes;
  }

  async #forwarding(desired: DesiredState): Promise<void> {
    const families = new Set(desired.services.filter((s) => forwardingOf(s) === 'NAT').map((s) => (s.address.includes(':') ? 6 : 4) as 4 | 6));
    for (const f of families) {
      if (await this.#backend.ensureForwarding(f)) {
        this.#notice(`turned on IPv${f} forwarding (${f === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding'}=1): NAT replies pass through the director`);
      }
    }
  }

  /** Plan with the latest readings, render, and commit what differs from the kernel. */
  async #commit(): Promise<void> {
    const desired = this.#desired;
    if (desired === undefined) return;
    const plan = planNft(this.#state, desired, {
      now: this.#clock.now(), loads: loadsOf(this.#observed), arrivals: this.#arrivals, routes: this.#routes,
    });
    const tables = renderTables(plan, this.#render);
    const commands = buildTransaction(this.#applied, tables);
    try {
      if (commands.length > 0) await this.#backend.transaction(commands);
    } catch (e) {
      // The kernel took none of it: the previous ruleset (and state) stay in force.
      this.#txFailure = e instanceof HalbError ? e : new HalbError('HALB_ERR_SYS', `nft transaction failed: ${(e as Error).message}`, { cause: e });
      if (this.#applied === undefined) throw this.#txFailure;
      return;
    }
    this.#txFailure = undefined;
    this.#applied = tables;
    this.#state = plan.state;
    this.#plan = plan;
    this.#track(plan);
    this.#observed = observe(plan.services, this.#reading, this.#conntrack);
    this.#armLoad(plan);
    this.#armDeadline(plan);
  }

  /** Estimate rates for every service and server of `plan`; forget the ones gone. */
  #track(plan: NftPlan): void {
    const keep = new Set<string>();
    for (const p of plan.services) {
      keep.add(p.key);
      this.#est.track(p.key, () => this.#serviceCounters(p.key));
      for (const r of p.realServers) {
        const k = `${p.key}|${r.key}`;
        keep.add(k);
        this.#est.track(k, () => this.#rsCounters(p.key, r.key));
      }
    }
    for (const k of this.#tracked) if (!keep.has(k)) this.#est.untrack(k);
    this.#tracked = keep;
  }

  #rsCounters(svc: string, rs: string): CounterValues {
    const o = this.#observed.get(svc)?.rs.get(rs);
    return o === undefined ? ZERO : { conns: o.conns, inPkts: o.inPkts, outPkts: o.outPkts, inBytes: o.inBytes, outBytes: o.outBytes };
  }

  #serviceCounters(svc: string): CounterValues {
    const o = this.#observed.get(svc);
    if (o === undefined) return ZERO;
    let total: CounterValues = { ...ZERO, outPkts: o.repliesSeen.packets, outBytes: o.repliesSeen.bytes };
    for (const k of o.rs.keys()) total = sum(total, this.#rsCounters(svc, k));
    return total;
  }

  #totals(): CounterValues {
    let total: CounterValues = ZERO;
    for (const k of this.#observed.keys()) total = sum(total, this.#serviceCounters(k));
    return total;
  }

  #serviceSnapshot(p: ServicePlan): ServiceSnapshot {
    const spec = this.#desired?.services.find((s) => serviceKey(s) === p.key);
    const realServers: RealServerSnapshot[] = p.realServers.map((r) => {
      const o = this.#observed.get(p.key)?.rs.get(r.key);
      return {
        key: r.key, address: r.address, port: r.port, weight: r.weight, forward: FORWARD_COLUMN[p.forwarding],
        activeConns: o?.active ?? 0, inactiveConns: o?.inactive ?? 0, persistConns: o?.persist ?? 0,
        overloaded: r.overloaded, draining: r.draining, sorry: r.sorry,
        stats: statsSnapshot(this.#rsCounters(p.key, r.key), this.#est.rates(`${p.key}|${r.key}`)),
      };
    });
    return {
      key: p.key, protocol: p.protocol, address: p.address, port: p.port, scheduler: p.scheduler, schedulerFlags: p.flags,
      ...(spec?.persistence ? { persistence: { timeoutMs: spec.persistence.timeoutMs, granularity: persistencePrefix(spec) } } : {}),
      listener: 'listening', quorumUp: p.quorumUp, sorryActive: p.sorryActive,
      stats: statsSnapshot(this.#serviceCounters(p.key), this.#est.rates(p.key)), realServers,
    };
  }

  /** Read counters and set elements (and conntrack when NAT counts or the connection list are wanted). */
  async #read(withConntrack: boolean): Promise<void> {
    if (this.#closed || this.#applied === undefined) return;
    const dr = this.#applied.some((t) => t.family === 'netdev');
    const [inet, netdev, ct] = await Promise.all([
      this.#backend.table('inet', TABLE),
      dr ? this.#backend.table('netdev', TABLE) : Promise.resolve(EMPTY),
      withConntrack ? this.#backend.conntrack() : Promise.resolve(this.#conntrack),
    ]);
    this.#reading = mergeReadings(inet, netdev);
    this.#conntrack = ct;
    this.#observed = observe(this.#plan?.services ?? [], this.#reading, this.#conntrack);
  }

  #armLoad(plan: NftPlan): void {
    this.#loadTimer?.cancel();
    this.#loadTimer = undefined;
    if (!plan.loadDriven || this.#closed) return;
    this.#loadTimer = this.#clock.setTimer(this.#loadIntervalMs, () => {
      this.#loadTimer = undefined;
      void this.#serial(async () => {
        if (this.#closed) return;
        await this.#read(this.#hasNat());
        this.#estimateArrivals();
        await this.#commit();
      }).catch((e: unknown) => this.#notice(`reading connection counts failed: ${(e as Error).message}`));
    });
  }

  /** New connections per service expected in the next load interval, from the last one's rate. */
  #estimateArrivals(): void {
    const now = this.#clock.now();
    for (const [key, o] of this.#observed) {
      let conns = 0;
      for (const r of o.rs.values()) conns += r.conns;
      const last = this.#lastConns.get(key);
      this.#lastConns.set(key, { conns, at: now });
      if (last === undefined || now <= last.at) continue;
      this.#arrivals.set(key, Math.max(0, ((conns - last.conns) * this.#loadIntervalMs) / (now - last.at)));
    }
  }

  #armDeadline(plan: NftPlan): void {
    this.#deadlineTimer?.cancel();
    this.#deadlineTimer = undefined;
    if (plan.nextDeadline === undefined || this.#closed) return;
    this.#deadlineTimer = this.#clock.setTimer(Math.max(0, plan.nextDeadline - this.#clock.now()), () => {
      this.#deadlineTimer = undefined;
      void this.#serial(() => this.#commit()).catch((e: unknown) => this.#notice(`retiring drained servers failed: ${(e as Error).message}`));
    });
  }

  #armStats(): void {
    if (this.#statsIntervalMs <= 0 || this.#closed) return;
    this.#statsTimer = this.#clock.setTimer(this.#statsIntervalMs, () => {
      void this.#serial(async () => {
        if (this.#closed || this.#applied === undefined) return;
        const dr = this.#applied.some((t) => t.family === 'netdev');
        const [inet, netdev] = await Promise.all([
          this.#backend.counters('inet', TABLE), dr ? this.#backend.counters('netdev', TABLE) : Promise.resolve(EMPTY),
        ]);
        // Counters only: the set elements of the last full reading stay.
        this.#reading = { counters: mergeReadings(inet, netdev).counters, sets: this.#reading.sets };
        this.#observed = observe(this.#plan?.services ?? [], this.#reading, this.#conntrack);
      }).catch((e: unknown) => this.#notice(`reading counters failed: ${(e as Error).message}`)).finally(() => this.#armStats());
    });
  }
}
