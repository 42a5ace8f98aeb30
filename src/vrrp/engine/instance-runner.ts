// One VRRP instance inside the engine: performs the actions its state machine returns
// (adverts, VIPs, gratuitous ARP / NA, notify scripts, logs), keeps its counters and
// rate-limits its drop logs. Address changes go through a per-instance queue so that
// "add VIPs, then GARP" and "delete, then add again" happen in the order decided, while
// adverts go out at once.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { PacketSocket } from '../../core/packet-socket.js';
import type { InstanceExpectation } from '../proto/advert-check.js';
import { bytesToIp, tryIpToBytes, type IpFamily } from '../proto/checksum.js';
import { ETH_BROADCAST, ETH_P_ARP, ETH_P_IPV6, NDISC, VRRP_MCAST_V4, VRRP_MCAST_V6 } from '../proto/constants.js';
import type { DropReason } from '../proto/drop-reason.js';
import type { GarpCause, InstanceState, VrrpAction } from '../fsm/fsm-types.js';
import { buildGratuitousArp, buildUnsolicitedNa, ipv6MulticastMac } from '../proto/garp.js';
import { encodeAdvert, type EncodableAdvert } from '../proto/packet.js';
import type { PriorityEvaluation } from '../fsm/priority.js';
import { addressDiff } from './reload.js';
import type {
  EngineEvent, InstanceCounters, InstanceSnapshot, InstanceSpec, ScriptCommand, VipSpec, VrrpHost,
} from './types.js';

export interface RunnerDeps {
  readonly host: VrrpHost;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly emit: (ev: EngineEvent) => void;
  readonly dropLogIntervalMs: number;
  /** EngineOptions.beforeVips. */
  readonly beforeVips?: (instance: string) => Promise<void>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function canonicalIp(addr: string, family: IpFamily): string {
  const b = tryIpToBytes(addr.split('%')[0] ?? addr, family);
  return b ? bytesToIp(b) : addr;
}

const LOG_LEVEL = { info: 'info', warning: 'warn', debug: 'debug' } as const;

export class InstanceRunner {
  #spec: InstanceSpec;
  /** The spec as configured (primaryAddr '' when taken from the interface): what a reload compares. */
  #given: InstanceSpec;
  readonly name: string;
  state: InstanceState;
  evaluation: PriorityEvaluation;
  syncGroup: string | null = null;
  /** Clock ms until which a releaseMaster() hold pins the priority, or null. */
  releasedUntil: number | null = null;
  readonly #deps: RunnerDeps;
  #send: PacketSocket;
  #vipAddrs: readonly string[];
  readonly #counters: Mutable<InstanceCounters> & { drops: Record<string, number> };
  readonly #dropLog = new Map<string, { at: number; suppressed: number }>();
  #queue: Promise<void> = Promise.resolve();

  constructor(given: InstanceSpec, spec: InstanceSpec, initial: InstanceState, evaluation: PriorityEvaluation, send: PacketSocket, deps: RunnerDeps) {
    this.#given = given;
    this.#spec = spec;
    this.name = spec.fsm.name;
    this.state = initial;
    this.evaluation = evaluation;
    this.#deps = deps;
    this.#send = send;
    this.#vipAddrs = spec.io.vips.filter((v) => v.family === spec.io.family).map((v) => canonicalIp(v.address, v.family));
    this.#counters = {
      advertsSent: 0, advertsReceived: 0, sendErrors: 0, drops: {}, transitions: 0, becomeMaster: 0, releaseMaster: 0,
      priZeroSent: 0, priZeroReceived: 0, garpsSent: 0, nasSent: 0, vipsReadded: 0, addressErrors: 0, notifies: 0,
    };
  }

  get spec(): InstanceSpec {
    return this.#spec;
  }

  get given(): InstanceSpec {
    return this.#given;
  }

  /**
   * A reload changed this instance in place (engine-reload.ts). A MASTER holding its
   * addresses removes what left the config and adds what is new, and sends gratuitous
   * ARP / NA for the new addresses only; the addresses that stayed are not touched.
   */
  reconfigure(given: InstanceSpec, spec: InstanceSpec, state: InstanceState, send: PacketSocket): void {
    const prev = this.#spec;
    this.#given = given;
    this.#spec = spec;
    this.#send = send;
    this.#vipAddrs = spec.io.vips.filter((v) => v.family === spec.io.family).map((v) => canonicalIp(v.address, v.family));
    this.state = state;
    if (!state.vipSet) return;
    const d = addressDiff(prev, spec);
    const { host, logger } = this.#deps;
    const fail = (what: string) => (e: Error): void => {
      this.#counters.addressErrors++;
      logger.error(`(${this.name}) cannot ${what}: ${e.message}`);
    };
    this.#enqueue(async () => {
      for (const r of d.rules.removed) await host.delRule(r).catch(fail(`delete rule ${r.priority}`));
      for (const r of d.routes.removed) await host.delRoute(r).catch(fail(`delete route ${r.destination}`));
      for (const v of d.vips.removed) {
        const ifindex = this.#ifindexOf(v);
        if (ifindex !== undefined) await host.delAddress(v, ifindex).catch(fail(`delete ${v.address}/${v.prefixLength}`));
      }
      const added: VipSpec[] = [];
      for (const v of d.vips.added) if (await this.#addOne(v)) added.push(v);
      for (const r of d.routes.added) await host.addRoute(r).catch(fail(`add route ${r.destination}`));
      for (const r of d.rules.added) await host.addRule(r).catch(fail(`add rule ${r.priority}`));
      if (added.length > 0 && this.state.state === 'MASTER') this.#garp(added, this.state.config.garpMasterRepeat, 'reload');
    });
  }

  get unicast(): boolean {
    return (this.spec.io.unicastPeers?.length ?? 0) > 0;
  }

  get primaryAddr(): string {
    return this.state.config.primaryAddr;
  }

  /** What checkAdvertForInstance needs, with the current effective priority. */
  expectation(): InstanceExpectation {
    const io = this.spec.io;
    return {
      vrid: this.spec.fsm.vrid, version: this.spec.fsm.version, family: io.family, priority: this.state.effectivePriority,
      advertIntervalCs: this.spec.fsm.advertIntCs, auth: io.auth ?? { type: 'none' }, vips: this.#vipAddrs,
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
    const prev = this.state;
    this.state = next;
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
        this.#enqueue(async () => {
          await this.#gate();
          await this.#addAll();
        });
        break;
      case 'del-vips':
        this.#enqueue(() => this.#delAll());
        break;
      case 'garp':
        this.#enqueue(async () => this.#garp(this.#allVips(), a.repeat, a.cause));
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

  #advertBytes(priority: number, dst: string): Buffer {
    const f = this.spec.fsm;
    const io = this.spec.io;
    const advert: EncodableAdvert = f.version === 2
      ? {
          version: 2, family: 4, vrid: f.vrid, priority, advertIntervalSec: Math.max(1, Math.round(f.advertIntCs / 100)),
          auth: io.auth?.type === 'pass' ? { type: 'pass', password: io.auth.password } : { type: 'none' }, addresses: this.#vipAddrs,
        }
      : { version: 3, family: io.family, vrid: f.vrid, priority, advertIntervalCs: f.advertIntCs, addresses: this.#vipAddrs };
    return encodeAdvert(advert, { src: this.primaryAddr, dst, v3Checksum: io.v3ChecksumAsV2 === true ? 'as-v2' : 'rfc5798' });
  }

  #sendAdvert(priority: number): void {
    const io = this.spec.io;
    const dsts = this.unicast ? (io.unicastPeers ?? []).map((p) => p.address) : [io.family === 4 ? VRRP_MCAST_V4 : VRRP_MCAST_V6];
    for (const dst of dsts) {
      try {
        this.#send.send(this.#advertBytes(priority, dst), dst);
        this.#counters.advertsSent++;
        if (priority === 0) this.#counters.priZeroSent++;
      } catch (e) {
        this.#counters.sendErrors++;
        this.rateLimitedLog('SEND_ERROR', `send advert to ${dst} failed: ${(e as Error).message}`);
      }
    }
  }

  #allVips(): VipSpec[] {
    return [...this.spec.io.vips, ...(this.spec.io.excludedVips ?? [])];
  }

  #ifindexOf(vip: VipSpec): number | undefined {
    return this.#deps.host.link(vip.device ?? this.spec.io.interface)?.ifindex;
  }

  /** EngineOptions.beforeVips: held in the address queue, so the GARP after it waits too. */
  async #gate(): Promise<void> {
    const gate = this.#deps.beforeVips;
    if (gate === undefined) return;
    try {
      await gate(this.name);
    } catch (e) {
      this.#deps.logger.error(`(${this.name}) before adding VIPs: ${(e as Error).message}; adding them anyway`);
    }
  }

  #enqueue(job: () => Promise<void>): void {
    this.#queue = this.#queue.then(job).catch((e: unknown) => {
      this.#deps.logger.error(`(${this.name}) ${(e as Error).message}`);
    });
  }

  /**
   * At startup, before the first state: addresses a previous run left behind (a crash)
   * are removed, as keepalived does ("removing VIPs.") unless it comes up MASTER.
   */
  releaseLeftovers(): void {
    this.#deps.logger.info(`(${this.name}) removing VIPs.`);
    this.#enqueue(() => this.#delAll());
  }

  /** Resolves when every queued address/GARP job has run. */
  idle(): Promise<void> {
    return this.#queue;
  }

  async #addOne(vip: VipSpec): Promise<boolean> {
    const ifindex = this.#ifindexOf(vip);
    if (ifindex === undefined) {
      this.#counters.addressErrors++;
      this.#deps.logger.error(`(${this.name}) cannot add ${vip.address}: no interface ${vip.device ?? this.spec.io.interface}`);
      return false;
    }
    try {
      await this.#deps.host.addAddress(vip, ifindex);
      return true;
    } catch (e) {
      this.#counters.addressErrors++;
      this.#deps.logger.error(`(${this.name}) cannot add ${vip.address}/${vip.prefixLength}: ${(e as Error).message}`);
      return false;
    }
  }

  async #addAll(): Promise<void> {
    for (const v of this.#allVips()) await this.#addOne(v);
    const { host, logger } = this.#deps;
    for (const r of this.spec.io.routes ?? []) {
      await host.addRoute(r).catch((e: Error) => { this.#counters.addressErrors++; logger.error(`(${this.name}) cannot add route ${r.destination}: ${e.message}`); });
    }
    for (const r of this.spec.io.rules ?? []) {
      await host.addRule(r).catch((e: Error) => { this.#counters.addressErrors++; logger.error(`(${this.name}) cannot add rule ${r.priority}: ${e.message}`); });
    }
  }

  async #delAll(): Promise<void> {
    const { host, logger } = this.#deps;
    for (const r of this.spec.io.rules ?? []) {
      await host.delRule(r).catch((e: Error) => logger.error(`(${this.name}) cannot delete rule ${r.priority}: ${e.message}`));
    }
    for (const r of this.spec.io.routes ?? []) {
      await host.delRoute(r).catch((e: Error) => logger.error(`(${this.name}) cannot delete route ${r.destination}: ${e.message}`));
    }
    for (const v of this.#allVips()) {
      const ifindex = this.#ifindexOf(v);
      if (ifindex === undefined) continue;
      await host.delAddress(v, ifindex).catch((e: Error) => {
        this.#counters.addressErrors++;
        logger.error(`(${this.name}) cannot delete ${v.address}/${v.prefixLength}: ${e.message}`);
      });
    }
  }

  /** keepalived's vrrp_send_link_update: `repeat` rounds of one GARP / NA per address. */
  #garp(vips: readonly VipSpec[], repeat: number, cause: GarpCause): void {
    const { host, logger } = this.#deps;
    for (const vip of vips) {
      const dev = vip.device ?? this.spec.io.interface;
      const link = host.link(dev);
      if (link === undefined || link.mac === '') continue;
      const what = vip.family === 4 ? 'gratuitous ARPs' : 'unsolicited neighbour advertisements';
      logger.info(`(${this.name}) Sending/queueing ${what} on ${dev} for ${vip.address}`, { cause, repeat });
      const frame = vip.family === 4
        ? buildGratuitousArp({ mac: link.mac, vip: vip.address })
        : buildUnsolicitedNa({ mac: link.mac, vip: vip.address, router: host.ipv6Forwarding(dev) });
      for (let i = 0; i < repeat; i++) {
        try {
          if (vip.family === 4) {
            host.sendFrame(link.ifindex, frame, ETH_P_ARP, ETH_BROADCAST);
            this.#counters.garpsSent++;
          } else {
            host.sendFrame(link.ifindex, frame, ETH_P_IPV6, ipv6MulticastMac(NDISC.ALL_NODES));
            this.#counters.nasSent++;
          }
        } catch (e) {
          this.rateLimitedLog('GARP_ERROR', `${what} on ${dev} failed: ${(e as Error).message}`);
        }
      }
    }
  }

  #notify(to: string, priority: number): void {
    const n = this.spec.io.notify;
    this.#deps.emit({ kind: 'notify', instance: this.name, to: to as never, priority });
    const run = (cmd: ScriptCommand | undefined, args: readonly string[]): void => {
      if (cmd === undefined) return;
      this.#counters.notifies++;
      this.#deps.host.runNotify(cmd, args);
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

  /**
   * An address of ours went away. While MASTER with the VIPs set, keepalived puts a
   * tracked VIP back; so do we, and announce it again.
   */
  onAddressDeleted(ifindex: number, family: IpFamily, address: string): void {
    if (this.state.state !== 'MASTER' || !this.state.vipSet) return;
    const addr = canonicalIp(address, family);
    const vip = this.#allVips().find((v) => v.family === family && !v.noTrack && canonicalIp(v.address, family) === addr
      && this.#ifindexOf(v) === ifindex);
    if (vip === undefined) return;
    this.#counters.vipsReadded++;
    this.#deps.logger.warn(`(${this.name}) virtual address ${vip.address} removed from ${vip.device ?? this.spec.io.interface} - re-adding`,
      { reason: 'deleted by someone else while MASTER' });
    this.#enqueue(async () => {
      if (this.state.state !== 'MASTER' || !this.state.vipSet) return;
      if (await this.#addOne(vip)) this.#garp([vip], this.state.config.garpMasterRepeat, 'become-master');
    });
  }

  snapshot(): InstanceSnapshot {
    const s = this.state;
    const io = this.spec.io;
    return {
      name: this.name, vrid: s.config.vrid, version: s.config.version, family: io.family, interface: io.interface,
      unicast: this.unicast, primaryAddr: this.primaryAddr, state: s.state, wantState: s.wantState,
      basePriority: s.config.priority, effectivePriority: s.effectivePriority, contributors: this.evaluation.contributors,
      faults: s.faults, masterAddr: s.masterAddr, masterPriority: s.masterPriority, vipSet: s.vipSet,
      vips: this.#allVips().map((v) => `${v.address}/${v.prefixLength}`), syncGroup: this.syncGroup,
      lastTransition: s.lastTransition === null ? null : this.#deps.clock.wallNow() - (this.#deps.clock.now() - s.lastTransition),
      releasedUntil: this.releasedUntil === null ? null : this.#deps.clock.wallNow() + (this.releasedUntil - this.#deps.clock.now()),
      counters: { ...this.#counters, drops: { ...this.#counters.drops } },
    };
  }
}
