// The IPVS dataplane: the kernel's own LVS, programmed over generic netlink the way
// keepalived's check/ipwrapper.c + ipvswrapper.c do, by difference. See
// docs/dataplane-ipvs.md.
//
//   apply(desired) -> desiredTable (table.ts) -> planIpvs(applied, wanted) (plan.ts)
//                  -> backend.run(op) one by one (apply.ts); a refused op fails its
//                     service only, the rest goes on
//
// `#applied` is what halb believes it holds in the kernel: the services it owns. It is
// adopted at the first apply from the kernel and the ownership record (what an earlier,
// crashed run left), so a restart edits by difference too. Services halb does not own
// are never touched; a desired service that collides with one is reported as failed.
import { RealClock, type Clock } from '../../core/clock.js';
import { HalbError, NotSupportedError, PermissionError, SysError } from '../../core/errors.js';
import type {
  ApplyReport, BackendEvent, DataplaneSnapshot, Dataplane, ServiceFailure, SnapshotOptions, StatsSnapshot,
} from '../dataplane.js';
import { DesiredStateError, diffDesired, endpointKey, serviceKey, validateDesired, type DesiredState } from '../model.js';
import type { IpvsBackend, IpvsConnRead, IpvsServiceRead } from './backend.js';
import { afterOp, planIpvs, type IpvsOp } from './plan.js';
import { connectionSnapshots, serviceSnapshots } from './snapshot.js';
import { IPVS_DEFAULT_TIMEOUTS, desiredTable, desiredTimeouts, destKey, keyOfService, type IpvsServiceEntry, type IpvsTable, type IpvsTimeouts } from './table.js';

export interface IpvsEngineOptions {
  readonly backend: IpvsBackend;
  readonly clock?: Clock;
  /** Things worth a log line that are not failures (adopted services, conflicts). */
  readonly onNotice?: (message: string) => void;
  /**
   * `-I`, `--dont-release-ipvs` (keepalived's flag): close() leaves halb's services in the
   * kernel, and their ownership record with them, so the next halb adopts them.
   */
  readonly keepOnClose?: boolean;
}

const ZERO: StatsSnapshot = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0, cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

/** The kernel's table as read back, as an IpvsTable (for adoption and tests). */
export function tableOf(read: readonly IpvsServiceRead[], keep: (key: string) => boolean = () => true): IpvsTable {
  const out = new Map<string, IpvsServiceEntry>();
  for (const r of read) {
    const key = keyOfService(r.service);
    if (!keep(key)) continue;
    out.set(key, {
      key, service: r.service,
      dests: new Map(r.dests.map((d) => [destKey(d), {
        family: d.family, address: d.address, port: d.port, forward: d.forward, weight: d.weight,
        upperThreshold: d.upperThreshold, lowerThreshold: d.lowerThreshold, ...(d.tunnel !== undefined ? { tunnel: d.tunnel } : {}),
      }])),
    });
  }
  return out;
}

/** The kernel's error for `op`, in words naming the service and what to do. */
export function opError(op: IpvsOp, e: unknown): HalbError {
  const err = e instanceof HalbError ? e : new SysError('netlink', (e as Error).message, undefined, { cause: e });
  const errno = err instanceof SysError ? err.errno : undefined;
  const svc = op.key;
  if (err instanceof PermissionError) return err;
  if ((op.kind === 'add-service' || op.kind === 'edit-service') && errno === 'ENOENT') {
    return new NotSupportedError(`${svc}: the kernel has no IPVS scheduler '${op.service.scheduler}' (module ip_vs_${op.service.scheduler} missing): service not installed`, { cause: err });
  }
  if (op.kind === 'add-service' && errno === 'EEXIST') {
    return new SysError('netlink', `${svc}: a virtual service with this address already exists and was not created by halb: left alone`, errno, { cause: err });
  }
  if (op.kind === 'add-dest' || op.kind === 'edit-dest') {
    return new SysError('netlink', `${svc}: the kernel refused real server ${endpointKey(op.dest.address, op.dest.port)} (${op.dest.forward}): ${err.message}`, errno, { cause: err });
  }
  return new SysError('netlink', `${svc}: ${err.message}`, errno, { cause: err });
}

export class IpvsEngine implements Dataplane {
  readonly engine = 'ipvs';
  readonly #backend: IpvsBackend;
  readonly #clock: Clock;
  readonly #notice: (m: string) => void;
  #desired: DesiredState | undefined;
  #applied: IpvsTable | undefined;
  #timeouts: IpvsTimeouts | undefined;
  #failures = new Map<string, HalbError>();
  #reading: readonly IpvsServiceRead[] = [];
  #conns: readonly IpvsConnRead[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #keepOnClose: boolean;

  constructor(opts: IpvsEngineOptions) {
    this.#backend = opts.backend;
    this.#clock = opts.clock ?? new RealClock();
    this.#notice = opts.onNotice ?? (() => undefined);
    this.#keepOnClose = opts.keepOnClose === true;
  }

  apply(desired: DesiredState): Promise<ApplyReport> {
    return this.#serial(() => this.#apply(desired));
  }

  /** IPVS matches the VIP in the packet: no local address is needed to be ready. */
  addressAvailable(_address: string): Promise<ApplyReport> {
    return Promise.resolve({ added: [], removed: [], updated: [], unchanged: [], failed: this.#failed() });
  }

  refresh(opts?: SnapshotOptions): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return;
      this.#reading = await this.#backend.read();
      if (opts?.connections === true) this.#conns = await this.#backend.connections();
    });
  }

  /** The kernel reports no per-connection outcomes to userspace. */
  onBackendEvent(_cb: (ev: BackendEvent) => void): () => void {
    return () => undefined;
  }

  /** What halb holds in the kernel (tests compare it with a fresh reading). */
  applied(): IpvsTable {
    return this.#applied ?? new Map();
  }

  snapshot(opts?: SnapshotOptions): DataplaneSnapshot {
    const owned = this.#applied ?? new Map();
    const specs = new Map((this.#desired?.services ?? []).map((s) => [serviceKey(s), s]));
    const services = serviceSnapshots(this.#reading, (k) => owned.has(k), {
      quorumUp: (k) => specs.get(k)?.quorumUp ?? true,
      sorryKey: (k) => {
        const s = specs.get(k)?.sorryServer;
        return s === undefined ? undefined : endpointKey(s.address, s.port);
      },
    });
    const totals = services.reduce<StatsSnapshot>((t, s) => ({
      conns: t.conns + s.stats.conns, inPkts: t.inPkts + s.stats.inPkts, outPkts: t.outPkts + s.stats.outPkts,
      inBytes: t.inBytes + s.stats.inBytes, outBytes: t.outBytes + s.stats.outBytes, cps: t.cps + s.stats.cps,
      inPps: t.inPps + s.stats.inPps, outPps: t.outPps + s.stats.outPps, inBps: t.inBps + s.stats.inBps, outBps: t.outBps + s.stats.outBps,
    }), ZERO);
    const snap: DataplaneSnapshot = { engine: this.engine, takenAt: this.#clock.wallNow(), services, totals };
    return opts?.connections === true ? { ...snap, connections: connectionSnapshots(this.#conns) } : snap;
  }

  /**
   * Remove every service halb owns, and only those; then forget the ownership record.
   * With keepOnClose (-I) remove nothing: as keepalived's checker skips clear_services().
   */
  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return;
      this.#closed = true;
      try {
        if (this.#keepOnClose) {
          const kept = this.#applied?.size ?? (await this.#backend.loadOwned()).length;
          this.#notice(`leaving ${kept} virtual service(s) in the kernel on stop (--dont-release-ipvs)`);
          return;
        }
        const applied = this.#applied ?? await this.#adopt();
        const left = new Set<string>();
        for (const op of planIpvs(applied, new Map())) {
          try {
            await this.#backend.run(op);
          } catch (e) {
            left.add(op.key);
            this.#notice(`removing ${op.key} failed: ${opError(op, e).message}`);
          }
        }
        await this.#backend.saveOwned([...left]);
      } finally {
        this.#backend.close();
      }
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #failed(): ServiceFailure[] {
    return [...this.#failures].map(([service, error]) => ({ service, error }));
  }

  /** What an earlier run left: the kernel's services named in the ownership record. */
  async #adopt(): Promise<IpvsTable> {
    const owned = new Set(await this.#backend.loadOwned());
    const read = await this.#backend.read();
    this.#reading = read;
    const adopted = tableOf(read, (k) => owned.has(k));
    if (adopted.size > 0) this.#notice(`adopting ${adopted.size} IPVS service(s) an earlier run of halb left: ${[...adopted.keys()].join(', ')}`);
    return adopted;
  }

  async #apply(desired: DesiredState): Promise<ApplyReport> {
    if (this.#closed) throw new HalbError('HALB_ERR_USAGE', 'the ipvs dataplane is closed');
    const problems = validateDesired(desired);
    if (problems.length > 0) throw new DesiredStateError(problems);
    if (this.#applied === undefined) this.#applied = await this.#adopt();
    const diff = diffDesired(this.#desired, desired);
    const wanted = new Map(desiredTable(desired));
    // Services in the kernel that halb does not own are not halb's to change.
    const foreign = new Set(tableOf(this.#reading, (k) => !this.#applied!.has(k)).keys());
    const failures = new Map<string, HalbError>();
    for (const k of [...wanted.keys()]) {
      if (!foreign.has(k)) continue;
      wanted.delete(k);
      failures.set(k, new SysError('netlink', `${k}: a virtual service with this address already exists in IPVS and was not created by halb: left alone (remove it with ipvsadm -D to let halb manage it)`, 'EEXIST'));
    }
    const before = this.#applied;
    const ops = planIpvs(this.#applied, wanted);
    const adding = ops.filter((o) => o.kind === 'add-service').map((o) => o.key);
    // Record ownership before creating, so a crash in between leaves nothing unowned.
    if (adding.length > 0) await this.#backend.saveOwned([...new Set([...this.#applied.keys(), ...adding])]);
    let table = this.#applied;
    const broken = new Set<string>();
    for (const op of ops) {
      if (broken.has(op.key)) continue;
      try {
        await this.#backend.run(op);
        table = afterOp(table, op);
      } catch (e) {
        const err = opError(op, e);
        if (err instanceof PermissionError) {
          this.#applied = table;
          await this.#backend.saveOwned([...table.keys()]);
          throw err;
        }
        failures.set(op.key, err);
        // A service that could not be created or edited takes no destinations; a refused
        // destination leaves the rest of the service's pool going in.
        if (op.kind === 'add-service' || op.kind === 'edit-service') broken.add(op.key);
      }
    }
    this.#applied = table;
    this.#desired = desired;
    this.#failures = failures;
    await this.#backend.saveOwned([...table.keys()]);
    await this.#applyTimeouts(desired);
    const ok = (k: string): boolean => !failures.has(k);
    // A service adopted from an earlier run is new to this run's configuration but not to the
    // kernel: it was updated if an operation touched it, else left unchanged.
    const touched = new Set(ops.map((o) => o.key));
    const added = diff.added.map((s) => serviceKey(s)).filter(ok);
    const adopted = added.filter((k) => before.has(k));
    return {
      added: added.filter((k) => !before.has(k)),
      removed: diff.removed.map((s) => serviceKey(s)),
      updated: [...diff.changed.map((c) => c.key).filter(ok), ...adopted.filter((k) => touched.has(k))],
      unchanged: [...diff.unchanged.map((s) => serviceKey(s)).filter(ok), ...adopted.filter((k) => !touched.has(k))],
      failed: this.#failed(),
    };
  }

  /** lvs_timeouts: SET_CONFIG when they change; IPVS keeps them per network namespace. */
  async #applyTimeouts(desired: DesiredState): Promise<void> {
    // A configuration that no longer sets lvs_timeouts gets the kernel's defaults back, as
    // keepalived 2.2.7 does on reload; one that never set them leaves the kernel alone.
    const t = desiredTimeouts(desired) ?? (this.#timeouts !== undefined ? IPVS_DEFAULT_TIMEOUTS : undefined);
    if (t === undefined) return;
    if (this.#timeouts !== undefined && t.tcpS === this.#timeouts.tcpS && t.tcpFinS === this.#timeouts.tcpFinS && t.udpS === this.#timeouts.udpS) return;
    try {
      await this.#backend.setTimeouts(t);
      this.#timeouts = t;
    } catch (e) {
      this.#notice(`setting the IPVS timeouts failed: ${(e as Error).message}`);
    }
  }
}
