// One VRRP instance inside the engine: performs the actions its state machine returns
// (adverts, VIPs, gratuitous ARP / NA, notify scripts, logs), keeps its counters and
// rate-limits its drop logs. Its addresses are instance-addresses.ts; its adverts are
// encoded once per change (advert-cache.ts). Its state is its own: the engine changes it
// only through apply(), reconfigure() and the few setters below.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { PacketSocket } from '../../core/packet-socket.js';
import type { InstanceExpectation } from '../proto/advert-check.js';
import { canonicalIp } from '../proto/checksum.js';
import { VRRP_MCAST_V4, VRRP_MCAST_V6 } from '../proto/constants.js';
import type { DropReason } from '../proto/drop-reason.js';
import type { InstanceState, VrrpAction } from '../fsm/fsm-types.js';
import type { PriorityEvaluation } from '../fsm/priority.js';
import { AdvertCache } from './advert-cache.js';
import { InstanceAddresses } from './instance-addresses.js';
import type { VrrpPorts } from './ports.js';
import type {
  EngineEvent, InstanceCounters, InstanceSnapshot, InstanceSpec, ScriptCommand,
} from './types.js';

export interface RunnerDeps {
  readonly ports: Pick<VrrpPorts, 'network' | 'packets' | 'addresses' | 'scripts'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly emit: (ev: EngineEvent) => void;
  readonly dropLogIntervalMs: number;
  /** EngineOptions.beforeVips. */
  readonly beforeVips?: (instance: string) => Promise<void>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const LOG_LEVEL = { info: 'info', warning: 'warn', debug: 'debug' } as const;

/** The VIPs an advert carries: those of the instance's family, in canonical form. */
function advertAddresses(spec: InstanceSpec): string[] {
  return spec.io.vips.filter((v) => v.family === spec.io.family).map((v) => canonicalIp(v.address, v.family));
}

export class InstanceRunner {
  readonly name: string;
  /** The spec as configured (primaryAddr '' when taken from the interface): what a reload compares. */
  #given: InstanceSpec;
  #spec: InstanceSpec;
  #state: InstanceState;
  #evaluation: PriorityEvaluation;
  #syncGroup: string | null = null;
  #releasedUntil: number | null = null;
  readonly #deps: RunnerDeps;
  #send: PacketSocket;
  #vipAddrs: readonly string[];
  #adverts: AdvertCache;
  readonly #addresses: InstanceAddresses;
  readonly #counters: Mutable<InstanceCounters> & { drops: Record<string, number> };
  readonly #dropLog = new Map<string, { at: number; suppressed: number }>();

  constructor(given: InstanceSpec, spec: InstanceSpec, initial: InstanceState, evaluation: PriorityEvaluation, send: PacketSocket, deps: RunnerDeps) {
    this.#given = given;
    this.#spec = spec;
    this.name = spec.fsm.name;
    this.#state = initial;
    this.#evaluation = evaluation;
    this.#deps = deps;
    this.#send = send;
    this.#vipAddrs = advertAddresses(spec);
    this.#adverts = new AdvertCache(spec, this.#vipAddrs);
    this.#counters = {
      advertsSent: 0, advertsReceived: 0, sendErrors: 0, drops: {}, transitions: 0, becomeMaster: 0, releaseMaster: 0,
      priZeroSent: 0, priZeroReceived: 0, garpsSent: 0, nasSent: 0, vipsReadded: 0, addressErrors: 0, notifies: 0,
    };
    this.#addresses = new InstanceAddresses(spec, {
      name: this.name, ports: deps.ports, logger: deps.logger, counters: this.#counters, state: () => this.#state,
      rateLimitedLog: (k, d) => this.rateLimitedLog(k, d), ...(deps.beforeVips !== undefined ? { beforeVips: deps.beforeVips } : {}),
    });
  }

  get spec(): InstanceSpec {
    return this.#spec;
  }

  get given(): InstanceSpec {
    return this.#given;
  }

  /** The state machine's state, as last applied. */
  get state(): InstanceState {
    return this.#state;
  }

  /** The trackers' verdict on the priority, as last evaluated. */
  get evaluation(): PriorityEvaluation {
    return this.#evaluation;
  }

  /** A new tracker evaluation; the engine turns the difference into FSM events. */
  setEvaluation(e: PriorityEvaluation): void {
    this.#evaluation = e;
  }

  get syncGroup(): string | null {
    return this.#syncGroup;
  }

  setSyncGroup(group: string | null): void {
    this.#syncGroup = group;
  }

  /** Clock ms until which a releaseMaster() hold pins the priority, or null. */
  get releasedUntil(): number | null {
    return this.#releasedUntil;
  }

  setReleasedUntil(at: number | null): void {
    this.#releasedUntil = at;
  }

  /**
   * A reload changed this instance in place (reload.ts): new spec, state and send socket.
   * A MASTER holding its addresses diffs them in place (instance-addresses.ts).
   */
  reconfigure(given: InstanceSpec, spec: InstanceSpec, state: InstanceState, send: PacketSocket): void {
    this.#given = given;
    this.#spec = spec;
    this.#send = send;
    this.#vipAddrs = advertAddresses(spec);
    this.#adverts = new AdvertCache(spec, this.#vipAddrs);
    this.#state = state;
    this.#addresses.reconfigure(spec, state.vipSet);
  }

  get unicast(): boolean {
    return (this.#spec.io.unicastPeers?.length ?? 0) > 0;
  }

  get primaryAddr(): string {
    return this.#state.config.primaryAddr;
  }

  /** What checkAdvertForInstance needs, with the current effective priority. */
  expectation(): InstanceExpectation {
    const io = this.#spec.io;
    return {
      vrid: this.#spec.fsm.vrid, version: this.#spec.fsm.version, family: io.family, priority: this.#state.effectivePriority,
      advertIntervalCs: this.#spec.fsm.advertIntCs, auth: io.auth ?? { type: 'none' }, vips: this.#vipAddrs,
      vipCheck: io.vipCheck ?? 'drop', unicastPeers: (io.unicastPeers ?? []).map((p) => p.address), checkUnicastSrc: true,
    };
  }

  countReceived(): void {
    this.#counters.advertsReceived++;
  }

  /** Count a dropped advert and log it, at most once per interval per reason. */
  countDrop(reason: DropReason | string, detail: string): void {
    this.#counters.drops[reason] = (this.#counters.drops[reason] ?? 0) + 1;
    this.rateLimitedLog(reason, detail);
  }

  rateLimitedLog(key: string, detail: string): void {
    const now = this.#deps.clock.now();
    const seen = this.#dropLog.get(key);
    if (seen !== undefined && now - seen.at < this.#deps.dropLogIntervalMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.#dropLog.set(key, { at: now, suppressed: 0 });
    this.#deps.logger.warn(`(${this.name}) ${detail}`, { reason: key, ...(suppressed > 0 ? { suppressed } : {}) });
  }

  /** Take the state machine's new state and perform its actions. */
  apply(next: InstanceState, actions: readonly VrrpAction[]): void {
    const prev = this.#state;
    this.#state = next;
    const c = this.#counters;
    c.becomeMaster = next.stats.becomeMaster;
    c.releaseMaster = next.stats.releaseMaster;
    c.priZeroReceived = next.stats.priZeroRcvd;
    let why = '';
    for (const a of actions) {
      if (a.kind === 'log' && a.reason !== undefined && /Entering \w+ STATE/.test(a.message)) why = a.reason;
      this.#perform(a);
    }
    if (prev.state !== next.state) {
      c.transitions++;
      this.#deps.emit({ kind: 'transition', instance: this.name, from: prev.state, to: next.state, priority: next.effectivePriority, reason: why });
    }
  }

  #perform(a: VrrpAction): void {
    switch (a.kind) {
      case 'send-advert':
        this.#sendAdvert(a.priority);
        break;
      case 'add-vips':
        this.#addresses.add();
        break;
      case 'del-vips':
        this.#addresses.del();
        break;
      case 'garp':
        this.#addresses.garp(a.repeat, a.cause);
        break;
      case 'notify':
        this.#notify(a.to, a.priority);
        break;
      case 'log': {
        const fields = a.reason === undefined ? undefined : { reason: a.reason };
        this.#deps.logger[LOG_LEVEL[a.level]](a.message, fields);
        break;
      }
    }
  }

  /** The priority-0 advert of a release on request (RFC 5798 §6.4.3's Shutdown advert). */
  sendPriorityZero(): void {
    this.#sendAdvert(0);
  }

  #sendAdvert(priority: number): void {
    const io = this.#spec.io;
    const dsts = this.unicast ? (io.unicastPeers ?? []).map((p) => p.address) : [io.family === 4 ? VRRP_MCAST_V4 : VRRP_MCAST_V6];
    for (const dst of dsts) {
      try {
        this.#send.send(this.#adverts.bytes(priority, this.primaryAddr, dst), dst);
        this.#counters.advertsSent++;
        if (priority === 0) this.#counters.priZeroSent++;
      } catch (e) {
        this.#counters.sendErrors++;
        this.rateLimitedLog('SEND_ERROR', `send advert to ${dst} failed: ${(e as Error).message}`);
      }
    }
  }

  /**
   * At startup, before the first state: addresses a previous run left behind (a crash)
   * are removed, as keepalived does ("removing VIPs.") unless it comes up MASTER.
   */
  releaseLeftovers(): void {
    this.#deps.logger.info(`(${this.name}) removing VIPs.`);
    this.#addresses.del();
  }

  /** Resolves when every queued address/GARP job has run. */
  idle(): Promise<void> {
    return this.#addresses.idle();
  }

  #notify(to: string, priority: number): void {
    const n = this.#spec.io.notify;
    this.#deps.emit({ kind: 'notify', instance: this.name, to: to as never, priority });
    const run = (cmd: ScriptCommand | undefined, args: readonly string[]): void => {
      if (cmd === undefined) return;
      this.#counters.notifies++;
      this.#deps.ports.scripts.notify(cmd, args);
    };
    if (to === 'MASTER_RX_LOWER_PRI') {
      run(n?.masterRxLowerPri, []);
      return;
    }
    const byState = { MASTER: n?.master, BACKUP: n?.backup, FAULT: n?.fault, STOP: n?.stop } as Record<string, ScriptCommand | undefined>;
    if (!(to in byState)) return;
    run(byState[to], []);
    run(n?.generic, ['INSTANCE', this.name, to, String(priority)]);
  }

  /** An address of ours went away: a MASTER puts a tracked VIP back (instance-addresses.ts). */
  onAddressDeleted(ifindex: number, family: 4 | 6, address: string): void {
    this.#addresses.onDeleted(ifindex, family, address);
  }

  snapshot(): InstanceSnapshot {
    const s = this.#state;
    const io = this.#spec.io;
    const { clock } = this.#deps;
    return {
      name: this.name, vrid: s.config.vrid, version: s.config.version, family: io.family, interface: io.interface,
      unicast: this.unicast, primaryAddr: this.primaryAddr, state: s.state, wantState: s.wantState,
      basePriority: s.config.priority, effectivePriority: s.effectivePriority, contributors: this.#evaluation.contributors,
      faults: s.faults, masterAddr: s.masterAddr, masterPriority: s.masterPriority, vipSet: s.vipSet,
      vips: this.#addresses.all().map((v) => `${v.address}/${v.prefixLength}`), syncGroup: this.#syncGroup,
      lastTransition: s.lastTransition === null ? null : clock.wallNow() - (clock.now() - s.lastTransition),
      releasedUntil: this.#releasedUntil === null ? null : clock.wallNow() + (this.#releasedUntil - clock.now()),
      counters: { ...this.#counters, drops: { ...this.#counters.drops } },
    };
  }
}
