// The VRRP engine: the I/O shell around the pure state machines. It feeds received
// adverts (socket-pool.ts), timer deadlines, tracker changes and host events into
// fsm/instance-fsm.ts / fsm/sync-group.ts and hands the returned actions to each
// instance's runner (instance-runner.ts). One timer is armed for the earliest deadline of
// all instances and scripts (deadline-timer.ts). The ports (ports.ts: system-ports.ts or
// test doubles) are the only way out to the kernel.
// releaseMaster() is explained in release.ts; reload() in reload.ts.
import { HalbError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { DeadlineTimer } from './deadline-timer.js';
import type { EngineOptions } from './options.js';
import type { Logger } from '../../core/log.js';
import { InstanceRunner, type RunnerDeps } from './instance-runner.js';
import { SocketPool } from './socket-pool.js';
import { RELEASE_PRIORITY, relabelForRelease, releaseHoldMs, releaseRefusal } from './release.js';
import { TrackerBook, type TrackerKindName } from './trackers.js';
import type {
  EngineEvent, EngineSnapshot, EngineSpec, ReleaseOutcome,
} from './types.js';
import type { HostEvent, VrrpPorts } from './ports.js';
import { describeChange, diffInstances, reconfigureState } from './reload.js';
import { prepareInstance, reloadSyncGroups, type PreparedInstance } from './reload-apply.js';
import type { GroupStateName, InstanceState, VrrpAction, VrrpEvent } from '../fsm/fsm-types.js';
import { createInstance, step } from '../fsm/instance-fsm.js';
import { priorityEvents, type PriorityEvaluation } from '../fsm/priority.js';
import {
  createSyncGroup, startSyncGroup, stepSyncGroup, type GroupAction, type GroupStepResult, type SyncGroupState,
} from '../fsm/sync-group.js';


export type { EngineOptions } from './options.js';

export class VrrpEngine {
  #spec: EngineSpec;
  readonly #beforeVips: ((instance: string) => Promise<void>) | undefined;
  readonly #ports: VrrpPorts;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #runners = new Map<string, InstanceRunner>();
  readonly #groups = new Map<string, SyncGroupState>();
  readonly #groupOf = new Map<string, string>();
  readonly #listeners: ((ev: EngineEvent) => void)[] = [];
  readonly #pool: SocketPool;
  readonly #trackers: TrackerBook;
  readonly #timer: DeadlineTimer;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  /** While releaseMaster() steps the FSMs: the reason given for entering BACKUP. */
  #releasing: string | undefined;

  constructor(spec: EngineSpec, ports: VrrpPorts, opts: EngineOptions) {
    this.#spec = spec;
    this.#ports = ports;
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#beforeVips = opts.beforeVips;
    this.#pool = new SocketPool(ports.packets, (r, ev) => this.#dispatch(r.name, ev), (m) => this.#logger.warn(m));
    this.#trackers = new TrackerBook(spec, ports, opts.clock, opts.logger, (kind, names) => this.#trackerChanged(kind, names));
    this.#timer = new DeadlineTimer(opts.clock, opts.logger, () => this.#spec.lateTimerWarnMs ?? 100, (now) => this.#onTimer(now));
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
      this.#timer.cancel();
      this.#trackers.close();
      this.#closePorts();
      throw e;
    }
  }

  async #start(): Promise<void> {
    await this.#ports.network.init();
    await this.#trackers.init();
    const taken = new Map<string, string>();
    for (const spec of this.#spec.instances) this.#addRunner(prepareInstance(this.#ports.network, spec, taken));
    this.#ports.network.onEvent((ev) => this.#onHostEvent(ev));
    const now = this.#clock.now();
    for (const r of this.#runners.values()) r.releaseLeftovers();
    for (const g of this.#spec.syncGroups ?? []) {
      const members = g.members.filter((m) => this.#runners.has(m));
      for (const m of members) {
        this.#groupOf.set(m, g.name);
        this.#runners.get(m)!.setSyncGroup(g.name);
      }
      const group = createSyncGroup(g.name, members, this.#states(members));
      this.#applyGroup(startSyncGroup(group, this.#states(members), now));
    }
    for (const r of this.#runners.values()) {
      if (!this.#groupOf.has(r.name)) this.#stepOne(r, { kind: 'startup' }, now);
    }
    this.#trackers.runDue(now);
    this.#arm();
  }

  #deps(): RunnerDeps {
    return {
      ports: this.#ports, clock: this.#clock, logger: this.#logger, emit: (ev) => this.#emit(ev),
      dropLogIntervalMs: this.#spec.dropLogIntervalMs ?? 30_000,
      ...(this.#beforeVips !== undefined ? { beforeVips: this.#beforeVips } : {}),
    };
  }

  #addRunner(p: PreparedInstance): InstanceRunner {
    const { full } = p;
    const name = full.fsm.name;
    if (this.#runners.has(name)) throw new HalbError('HALB_ERR_CONFIG', `(${name}) instance defined twice`);
    for (const why of this.#trackers.unknownTrackers(full)) this.#logger.warn(`(${name}) ${why} - ignoring`);
    const evaluation = this.#trackers.evaluate(full);
    const initial = createInstance(full.fsm, { effectivePriority: evaluation.effective, faults: evaluation.faults });
    const runner = new InstanceRunner(p.given, full, initial, evaluation, this.#pool.sendSocket(full.io, full.fsm.primaryAddr), this.#deps());
    const clash = this.#pool.addReceiver(runner);
    if (clash !== undefined) throw new HalbError('HALB_ERR_CONFIG', clash);
    this.#runners.set(name, runner);
    this.#timer.set(name, null);
    return runner;
  }

  /**
   * Apply a new configuration instance by instance (reload.ts says what changed),
   * as keepalived's reload does: an unchanged instance is not touched; an updated one keeps
   * its state and VIPs, with addresses diffed in place and a priority change run through
   * the election (no stop advert); a removed one stops (priority 0 if MASTER); an added one
   * starts. Everything that can be refused is checked first: a refused reload changes
   * nothing. Resolves with one line per instance that changed.
   */
  async reload(next: EngineSpec): Promise<string[]> {
    if (this.#state !== 'running') throw new HalbError('HALB_ERR_USAGE', 'the VRRP engine is not running');
    const changes = diffInstances(this.#spec.instances, next.instances);
    const taken = new Map<string, string>();
    const prepared = new Map<string, PreparedInstance>();
    for (const c of changes) if (c.kind !== 'removed') prepared.set(c.name, prepareInstance(this.#ports.network, c.spec, taken));
    const prevGroups = this.#spec.syncGroups ?? [];
    this.#spec = next;
    await this.#trackers.reload(next);
    const now = this.#clock.now();
    const started: InstanceRunner[] = [];
    for (const c of changes) {
      if (c.kind === 'removed' || c.kind === 'replaced') this.#removeRunner(c.name);
      if (c.kind === 'updated') this.#updateRunner(this.#runners.get(c.name)!, prepared.get(c.name)!);
      if (c.kind === 'added' || c.kind === 'replaced') started.push(this.#addRunner(prepared.get(c.name)!));
    }
    const lines = changes.flatMap((c) => describeChange(c, this.#runners.get(c.name)?.state.state));
    for (const l of lines) this.#logger.info(`Reload: ${l}`);
    for (const r of started) r.releaseLeftovers();
    reloadSyncGroups({
      groups: this.#groups, groupOf: this.#groupOf, runners: this.#runners, states: (m) => this.#states(m),
      apply: (res) => this.#applyGroup(res), startup: (m) => this.#dispatch(m, { kind: 'startup' }),
    }, prevGroups, this.#spec.syncGroups ?? [], started, now);
    for (const r of started) if (!this.#groupOf.has(r.name)) this.#stepOne(r, { kind: 'startup' }, now);
    for (const c of changes) {
      const r = c.kind === 'updated' || c.kind === 'unchanged' ? this.#runners.get(c.name) : undefined;
      if (r !== undefined) this.#reevaluate(r);
    }
    this.#pool.prune(this.#runners.values());
    this.#trackers.runDue(now);
    this.#arm();
    return lines;
  }

  /** An instance changed in place: new spec and state, moved to the matching sockets. */
  #updateRunner(r: InstanceRunner, p: PreparedInstance): void {
    this.#pool.removeReceiver(r);
    r.reconfigure(p.given, p.full, reconfigureState(r.state, p.full.fsm), this.#pool.sendSocket(p.full.io, p.full.fsm.primaryAddr));
    const clash = this.#pool.addReceiver(r);
    if (clash !== undefined) this.#logger.error(clash);
  }

  /** Stop one instance as on shutdown (priority-0 advert when MASTER, VIPs removed) and forget it. */
  #removeRunner(name: string): void {
    const r = this.#runners.get(name)!;
    this.#dispatch(name, { kind: 'shutdown' });
    this.#pool.removeReceiver(r);
    this.#runners.delete(name);
    this.#timer.delete(name);
    this.#groupOf.delete(name);
  }

  #states(names: readonly string[]): Record<string, InstanceState> {
    const out: Record<string, InstanceState> = {};
    for (const n of names) out[n] = this.#runners.get(n)!.state;
    return out;
  }

  #stepOne(r: InstanceRunner, ev: VrrpEvent, now: number): void {
    const res = step(r.state, ev, now);
    this.#timer.set(r.name, res.nextDeadline);
    r.apply(res.state, relabelForRelease(res.actions, this.#releasing));
  }

  #applyGroup(res: GroupStepResult): void {
    let prevState: GroupStateName = this.#groups.get(res.group.name)?.state ?? 'INIT';
    this.#groups.set(res.group.name, res.group);
    const group = (ga: GroupAction): void => {
      if (ga.kind === 'log') {
        this.#logger.info(ga.message, ga.reason === undefined ? undefined : { reason: ga.reason });
        return;
      }
      this.#groupNotify(ga.group, prevState, ga.to, ga.reason);
      prevState = ga.to;
    };
    for (const ga of res.leadingGroupActions ?? []) group(ga);
    const byMember = new Map<string, VrrpAction[]>();
    for (const a of res.actions) {
      const list = byMember.get(a.instance) ?? [];
      list.push(a.action);
      byMember.set(a.instance, list);
    }
    for (const [name, d] of Object.entries(res.deadlines)) this.#timer.set(name, d);
    for (const [name, st] of Object.entries(res.instances)) {
      const r = this.#runners.get(name)!;
      if (st !== r.state || byMember.has(name)) r.apply(st, relabelForRelease(byMember.get(name) ?? [], this.#releasing));
    }
    for (const ga of res.groupActions) group(ga);
  }

  /** A sync group's notify scripts (keepalived's send_group_notifies) and event. */
  #groupNotify(group: string, from: GroupStateName | 'STOP', to: GroupStateName | 'STOP', reason: string): void {
    const n = (this.#spec.syncGroups ?? []).find((x) => x.name === group)?.notify;
    const cmd = to === 'MASTER' ? n?.master : to === 'BACKUP' ? n?.backup : to === 'FAULT' ? n?.fault : to === 'STOP' ? n?.stop : undefined;
    if (cmd !== undefined) this.#ports.scripts.notify(cmd, []);
    if (n?.generic !== undefined) this.#ports.scripts.notify(n.generic, ['GROUP', group, to, '0']);
    this.#emit({ kind: 'group-transition', group, from, to, reason });
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

  /** The evaluation as applied: a release hold pins the priority at RELEASE_PRIORITY. */
  #applied(r: InstanceRunner, e: PriorityEvaluation): PriorityEvaluation {
    return r.releasedUntil === null ? e : { ...e, effective: RELEASE_PRIORITY };
  }

  #reevaluate(r: InstanceRunner): void {
    const next = this.#trackers.evaluate(r.spec);
    const events = priorityEvents(this.#applied(r, r.evaluation), this.#applied(r, next));
    r.setEvaluation(next);
    for (const ev of events) this.#dispatch(r.name, ev);
  }

  #trackerChanged(kind: TrackerKindName, names: readonly string[]): void {
    if (this.#state !== 'running') return;
    for (const r of this.#runners.values()) {
      if (names.some((n) => this.#trackers.tracks(r.spec, kind, n))) this.#reevaluate(r);
    }
    this.#arm();
  }

  /**
   * Give up mastership now (see the file header). Refusals come back as values: an
   * unknown instance, one that is not MASTER, an address owner (priority 255 takes the
   * addresses straight back, RFC 5798 §6.4.2), or an engine that is not running.
   */
  releaseMaster(name: string, o: { readonly holdMs?: number } = {}): ReleaseOutcome {
    if (this.#state !== 'running') return { ok: false, reason: 'not-running', message: 'the VRRP engine is not running' };
    const r = this.#runners.get(name);
    if (r === undefined) return { ok: false, reason: 'unknown-instance', message: `no vrrp_instance ${name}` };
    const group = this.#groupOf.get(name);
    const members = (group === undefined ? [name] : this.#groups.get(group)!.members).map((m) => this.#runners.get(m)!);
    const refused = releaseRefusal(r, members);
    if (refused !== undefined) return refused;
    const first = members.find((m) => m.state.state === 'MASTER')!;
    const holdMs = releaseHoldMs(r, o.holdMs);
    const now = this.#clock.now();
    const why = group === undefined ? 'mastership released on request' : `mastership of sync group ${group} released on request`;
    this.#logger.info(`(${name}) releasing mastership: priority 0 sent, priority held at ${RELEASE_PRIORITY} for ${holdMs} ms`);
    this.#releasing = why;
    try {
      for (const m of members) {
        m.setReleasedUntil(now + holdMs);
        this.#dispatch(m.name, { kind: 'priority-changed', priority: RELEASE_PRIORITY });
      }
      // RFC 5798 §6.4.3's Shutdown advert: backups take over after Skew_Time.
      for (const m of members) if (m.state.state === 'MASTER') m.sendPriorityZero();
      // The FSM's MASTER -> BACKUP step (vrrp_state_leave_master); a sync group brings the
      // other members along.
      this.#dispatch(first.name, { kind: 'sync-goto-backup', group: group ?? name });
    } finally {
      this.#releasing = undefined;
    }
    this.#arm();
    return { ok: true, instances: members.map((m) => m.name), holdMs };
  }

  /** Release holds that are over: the trackers' priority applies again. */
  #endHolds(now: number): void {
    for (const r of this.#runners.values()) {
      if (r.releasedUntil === null || r.releasedUntil > now) continue;
      r.setReleasedUntil(null);
      this.#logger.info(`(${r.name}) release hold over: priority back to ${r.evaluation.effective}`);
      this.#dispatch(r.name, { kind: 'priority-changed', priority: r.evaluation.effective });
    }
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

  #arm(): void {
    if (this.#state !== 'running') return;
    this.#timer.arm([this.#trackers.nextDeadline(), ...[...this.#runners.values()].map((r) => r.releasedUntil)]);
  }

  #onTimer(now: number): void {
    for (const name of this.#timer.due(now)) this.#dispatch(name, { kind: 'timer' });
    this.#endHolds(now);
    this.#trackers.runDue(now);
    this.#arm();
  }

  /**
   * RFC 5798 §6.4.3 Shutdown for every instance: a master sends priority 0 and drops its
   * addresses. Resolves once the address changes are done and the sockets are closed.
   */
  async stop(): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'stopping';
    this.#timer.cancel();
    this.#trackers.close();
    for (const r of this.#runners.values()) this.#dispatch(r.name, { kind: 'shutdown' });
    // keepalived's notify_shutdown: every sync group is STOP too.
    for (const g of this.#groups.values()) this.#groupNotify(g.name, g.state, 'STOP', 'shutdown');
    await Promise.all([...this.#runners.values()].map((r) => r.idle()));
    this.#state = 'stopped';
    this.#closePorts();
  }

  #closePorts(): void {
    this.#pool.closeAll();
    this.#ports.packets.close();
    this.#ports.network.close();
  }

  snapshot(): EngineSnapshot {
    return {
      instances: [...this.#runners.values()].map((r) => r.snapshot()),
      syncGroups: [...this.#groups.values()].map((g) => ({ name: g.name, state: g.state, members: g.members })),
      timers: this.#timer.stats(),
      unattributedDrops: this.#pool.unattributedDrops(),
    };
  }
}
