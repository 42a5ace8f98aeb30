// The VRRP engine: the I/O shell around the pure state machines. It feeds received
// adverts (engine-rx.ts), timer deadlines, tracker changes and host events into
// instance-fsm.ts / sync-group.ts and hands the returned actions to each instance's
// runner (engine-instance.ts). One timer is armed for the earliest deadline of all
// instances and scripts, as keepalived reads its timers with vrrp_compute_timer(); a
// timer that fires late is logged with how late, as keepalived logs a late thread timer.
// The host (engine.ts or a test double) is the only way out to the kernel.
import { HalbError } from '../core/errors.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { InstanceRunner, type RunnerDeps } from './engine-instance.js';
import { SocketPool } from './engine-rx.js';
import { TrackerBook } from './engine-trackers.js';
import type { EngineEvent, EngineSnapshot, EngineSpec, HostEvent, InstanceSpec, VrrpHost } from './engine-types.js';
import type { InstanceState, VrrpAction, VrrpEvent } from './fsm-types.js';
import { createInstance, step } from './instance-fsm.js';
import { priorityEvents } from './priority.js';
import {
  createSyncGroup, startSyncGroup, stepSyncGroup, type GroupStepResult, type SyncGroupState,
} from './sync-group.js';

export interface EngineOptions {
  readonly clock: Clock;
  readonly logger: Logger;
}

export class VrrpEngine {
  readonly #spec: EngineSpec;
  readonly #host: VrrpHost;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #runners = new Map<string, InstanceRunner>();
  readonly #deadlines = new Map<string, number | null>();
  readonly #groups = new Map<string, SyncGroupState>();
  readonly #groupOf = new Map<string, string>();
  readonly #listeners: ((ev: EngineEvent) => void)[] = [];
  readonly #pool: SocketPool;
  readonly #trackers: TrackerBook;
  #timer: TimerHandle | undefined;
  #armedFor: number | null = null;
  #timerStats = { fired: 0, late: 0, maxLateMs: 0 };
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(spec: EngineSpec, host: VrrpHost, opts: EngineOptions) {
    this.#spec = spec;
    this.#host = host;
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#pool = new SocketPool(host, (r, ev) => this.#dispatch(r.name, ev));
    this.#trackers = new TrackerBook(spec.scripts ?? [], host, opts.clock, opts.logger);
  }

  onEvent(cb: (ev: EngineEvent) => void): void {
    this.#listeners.push(cb);
  }

  #emit(ev: EngineEvent): void {
    for (const l of this.#listeners) l(ev);
  }

  /** Read the host, open the sockets and start every instance (RFC 5798 §6.4.1 Startup). */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new HalbError('HALB_ERR_USAGE', 'the VRRP engine was already started');
    this.#state = 'running';
    try {
      await this.#start();
    } catch (e) {
      this.#state = 'stopped';
      this.#timer?.cancel();
      this.#trackers.close();
      this.#pool.closeAll();
      this.#host.close();
      throw e;
    }
  }

  async #start(): Promise<void> {
    await this.#host.init();
    const deps: RunnerDeps = {
      host: this.#host, clock: this.#clock, logger: this.#logger, emit: (ev) => this.#emit(ev),
      dropLogIntervalMs: this.#spec.dropLogIntervalMs ?? 30_000,
    };
    for (const spec of this.#spec.instances) this.#addRunner(spec, deps);
    this.#host.onEvent((ev) => this.#onHostEvent(ev));
    const now = this.#clock.now();
    for (const r of this.#runners.values()) r.releaseLeftovers();
    for (const g of this.#spec.syncGroups ?? []) {
      const members = g.members.filter((m) => this.#runners.has(m));
      for (const m of members) {
        this.#groupOf.set(m, g.name);
        this.#runners.get(m)!.syncGroup = g.name;
      }
      const group = createSyncGroup(g.name, members, this.#states(members));
      this.#applyGroup(startSyncGroup(group, this.#states(members), now));
    }
    for (const r of this.#runners.values()) {
      if (!this.#groupOf.has(r.name)) this.#stepOne(r, { kind: 'startup' }, now);
    }
    this.#trackers.runDue(now, (name) => this.#scriptChanged(name));
    this.#arm();
  }

  #addRunner(spec: InstanceSpec, deps: RunnerDeps): void {
    const io = spec.io;
    const name = spec.fsm.name;
    if (this.#runners.has(name)) throw new HalbError('HALB_ERR_CONFIG', `(${name}) instance defined twice`);
    if (io.auth?.type === 'ah') {
      throw new HalbError('HALB_ERR_NOT_SUPPORTED', `(${name}) auth_type AH: halb checks AH adverts but cannot send them; use PASS or no authentication`);
    }
    if (spec.fsm.version === 2 && io.family === 6) throw new HalbError('HALB_ERR_CONFIG', `(${name}) VRRPv2 cannot run over IPv6`);
    const link = this.#host.link(io.interface);
    if (link === undefined) throw new HalbError('HALB_ERR_CONFIG', `(${name}) interface ${io.interface} does not exist`);
    const primary = spec.fsm.primaryAddr !== '' ? spec.fsm.primaryAddr : io.srcAddr ?? this.#host.primaryAddress(io.interface, io.family);
    if (primary === undefined) {
      throw new HalbError('HALB_ERR_CONFIG', `(${name}) interface ${io.interface} has no IPv${io.family} address to send adverts from`);
    }
    for (const s of this.#trackers.unknownScripts(spec)) this.#logger.warn(`(${name}) track_script ${s} is not a vrrp_script - ignoring`);
    const full: InstanceSpec = { ...spec, fsm: { ...spec.fsm, primaryAddr: primary } };
    const evaluation = this.#trackers.evaluate(full);
    const initial = createInstance(full.fsm, { effectivePriority: evaluation.effective, faults: evaluation.faults });
    const runner = new InstanceRunner(full, initial, evaluation, this.#pool.sendSocket(io, primary), deps);
    const clash = this.#pool.addReceiver(runner);
    if (clash !== undefined) throw new HalbError('HALB_ERR_CONFIG', clash);
    this.#runners.set(name, runner);
    this.#deadlines.set(name, null);
  }

  #states(names: readonly string[]): Record<string, InstanceState> {
    const out: Record<string, InstanceState> = {};
    for (const n of names) out[n] = this.#runners.get(n)!.state;
    return out;
  }

  #stepOne(r: InstanceRunner, ev: VrrpEvent, now: number): void {
    const res = step(r.state, ev, now);
    this.#deadlines.set(r.name, res.nextDeadline);
    r.apply(res.state, res.actions);
  }

  #applyGroup(res: GroupStepResult): void {
    this.#groups.set(res.group.name, res.group);
    const byMember = new Map<string, VrrpAction[]>();
    for (const a of res.actions) {
      const list = byMember.get(a.instance) ?? [];
      list.push(a.action);
      byMember.set(a.instance, list);
    }
    for (const [name, d] of Object.entries(res.deadlines)) this.#deadlines.set(name, d);
    for (const [name, st] of Object.entries(res.instances)) {
      const r = this.#runners.get(name)!;
      if (st !== r.state || byMember.has(name)) r.apply(st, byMember.get(name) ?? []);
    }
    for (const ga of res.groupActions) {
      if (ga.kind === 'log') {
        this.#logger.info(ga.message, ga.reason === undefined ? undefined : { reason: ga.reason });
        continue;
      }
      const g = (this.#spec.syncGroups ?? []).find((x) => x.name === ga.group);
      const cmd = ga.to === 'MASTER' ? g?.notify?.master : ga.to === 'BACKUP' ? g?.notify?.backup : g?.notify?.fault;
      if (cmd !== undefined) this.#host.runNotify(cmd, []);
      if (g?.notify?.generic !== undefined) this.#host.runNotify(g.notify.generic, ['GROUP', ga.group, ga.to, '0']);
    }
  }

  /** Feed one event to an instance (through its sync group if it has one). */
  #dispatch(name: string, ev: VrrpEvent): void {
    if (this.#state !== 'running' && ev.kind !== 'shutdown') return;
    const r = this.#runners.get(name);
    if (r === undefined) return;
    const now = this.#clock.now();
    const g = this.#groupOf.get(name);
    if (g === undefined) this.#stepOne(r, ev, now);
    else {
      const group = this.#groups.get(g)!;
      this.#applyGroup(stepSyncGroup(group, this.#states(group.members), name, ev, now));
    }
    this.#arm();
  }

  #reevaluate(r: InstanceRunner): void {
    const next = this.#trackers.evaluate(r.spec);
    const events = priorityEvents(r.evaluation, next);
    r.evaluation = next;
    for (const ev of events) this.#dispatch(r.name, ev);
  }

  #scriptChanged(script: string): void {
    if (this.#state !== 'running') return;
    for (const r of this.#runners.values()) if (this.#trackers.tracksScript(r.spec, script)) this.#reevaluate(r);
    this.#arm();
  }

  #onHostEvent(ev: HostEvent): void {
    if (this.#state !== 'running') return;
    if (ev.kind === 'address-deleted') {
      for (const r of this.#runners.values()) r.onAddressDeleted(ev.ifindex, ev.family, ev.address);
      return;
    }
    for (const r of this.#runners.values()) if (this.#trackers.tracksInterface(r.spec, ev.link.name)) this.#reevaluate(r);
    this.#arm();
  }

  #earliest(): number | null {
    let best = this.#trackers.nextDeadline();
    for (const d of this.#deadlines.values()) if (d !== null && (best === null || d < best)) best = d;
    return best;
  }

  #arm(): void {
    if (this.#state !== 'running') return;
    const next = this.#earliest();
    if (next === this.#armedFor && this.#timer !== undefined) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#armedFor = next;
    if (next === null) return;
    this.#timer = this.#clock.setTimer(next - this.#clock.now(), () => this.#onTimer(next));
  }

  #onTimer(deadline: number): void {
    this.#timer = undefined;
    this.#armedFor = null;
    const now = this.#clock.now();
    const late = now - deadline;
    this.#timerStats.fired++;
    if (late > this.#timerStats.maxLateMs) this.#timerStats.maxLateMs = late;
    if (late > (this.#spec.lateTimerWarnMs ?? 100)) {
      this.#timerStats.late++;
      this.#logger.warn(`VRRP thread timer expired ${late.toFixed(1)} ms late`, { reason: 'event loop lag: adverts and timeouts are delayed' });
    }
    for (const [name, d] of this.#deadlines) if (d !== null && d <= now) this.#dispatch(name, { kind: 'timer' });
    this.#trackers.runDue(now, (script) => this.#scriptChanged(script));
    this.#arm();
  }

  /**
   * RFC 5798 §6.4.3 Shutdown for every instance: a master sends priority 0 and drops its
   * addresses. Resolves once the address changes are done and the sockets are closed.
   */
  async stop(): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'stopping';
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#trackers.close();
    for (const r of this.#runners.values()) this.#dispatch(r.name, { kind: 'shutdown' });
    await Promise.all([...this.#runners.values()].map((r) => r.idle()));
    this.#state = 'stopped';
    this.#pool.closeAll();
    this.#host.close();
  }

  snapshot(): EngineSnapshot {
    return {
      instances: [...this.#runners.values()].map((r) => r.snapshot()),
      syncGroups: [...this.#groups.values()].map((g) => ({ name: g.name, state: g.state, members: g.members })),
      timers: { ...this.#timerStats },
      unattributedDrops: this.#pool.unattributedDrops(),
    };
  }
}
