// The addresses of one VRRP instance on the host: its VIPs, excluded VIPs, routes and
// rules, and the gratuitous ARP / unsolicited NA that announce them. Every change goes
// through one queue per instance so that "add VIPs, then GARP" and "delete, then add
// again" happen in the order decided, while adverts (instance-runner.ts) go out at once.
import type { Logger } from '../../core/log.js';
import { canonicalIp, type IpFamily } from '../proto/checksum.js';
import { ETH_BROADCAST, ETH_P_ARP, ETH_P_IPV6, NDISC } from '../proto/constants.js';
import { buildGratuitousArp, buildUnsolicitedNa, ipv6MulticastMac } from '../proto/garp.js';
import type { GarpCause, InstanceState } from '../fsm/fsm-types.js';
import type { VrrpPorts } from './ports.js';
import { addressDiff } from './reload.js';
import type { InstanceSpec, VipSpec } from './types.js';

/** The counters of InstanceCounters this part keeps. */
export interface AddressCounters {
  addressErrors: number;
  garpsSent: number;
  nasSent: number;
  vipsReadded: number;
}

export interface AddressDeps {
  readonly name: string;
  readonly ports: Pick<VrrpPorts, 'network' | 'packets' | 'addresses'>;
  readonly logger: Logger;
  readonly counters: AddressCounters;
  /** The instance's current state, read when a queued job runs. */
  readonly state: () => InstanceState;
  readonly rateLimitedLog: (key: string, detail: string) => void;
  /** EngineOptions.beforeVips. */
  readonly beforeVips?: (instance: string) => Promise<void>;
}

export class InstanceAddresses {
  readonly #d: AddressDeps;
  #spec: InstanceSpec;
  #queue: Promise<void> = Promise.resolve();

  constructor(spec: InstanceSpec, deps: AddressDeps) {
    this.#spec = spec;
    this.#d = deps;
  }

  /** VIPs then excluded VIPs, as configured. */
  all(): VipSpec[] {
    return [...this.#spec.io.vips, ...(this.#spec.io.excludedVips ?? [])];
  }

  /** Resolves when every queued address/GARP job has run. */
  idle(): Promise<void> {
    return this.#queue;
  }

  /** becoming MASTER: ask beforeVips (held in the queue, so the GARP after it waits too), then add everything. */
  add(): void {
    this.#enqueue(async () => {
      await this.#gate();
      await this.#addAll();
    });
  }

  del(): void {
    this.#enqueue(() => this.#delAll());
  }

  garp(repeat: number, cause: GarpCause): void {
    this.#enqueue(async () => this.#garp(this.all(), repeat, cause));
  }

  /**
   * A reload changed the instance in place. With the addresses set, what left the config
   * is removed and what is new added, with gratuitous ARP / NA for the new addresses
   * only (when MASTER); the addresses that stayed are not touched.
   */
  reconfigure(spec: InstanceSpec, vipSet: boolean): void {
    const prev = this.#spec;
    this.#spec = spec;
    if (!vipSet) return;
    const d = addressDiff(prev, spec);
    const { addresses } = this.#d.ports;
    const fail = (what: string) => (e: Error): void => this.#failed(what, e);
    this.#enqueue(async () => {
      for (const r of d.rules.removed) await addresses.delRule(r).catch(fail(`delete rule ${r.priority}`));
      for (const r of d.routes.removed) await addresses.delRoute(r).catch(fail(`delete route ${r.destination}`));
      for (const v of d.vips.removed) {
        const ifindex = this.#ifindexOf(v);
        if (ifindex !== undefined) await addresses.delAddress(v, ifindex).catch(fail(`delete ${v.address}/${v.prefixLength}`));
      }
      const added: VipSpec[] = [];
      for (const v of d.vips.added) if (await this.#addOne(v)) added.push(v);
      for (const r of d.routes.added) await addresses.addRoute(r).catch(fail(`add route ${r.destination}`));
      for (const r of d.rules.added) await addresses.addRule(r).catch(fail(`add rule ${r.priority}`));
      const s = this.#d.state();
      if (added.length > 0 && s.state === 'MASTER') this.#garp(added, s.config.garpMasterRepeat, 'reload');
    });
  }

  /**
   * An address of ours went away. While MASTER with the VIPs set, keepalived puts a
   * tracked VIP back; so do we, and announce it again.
   */
  onDeleted(ifindex: number, family: IpFamily, address: string): void {
    const holding = (): boolean => {
      const s = this.#d.state();
      return s.state === 'MASTER' && s.vipSet;
    };
    if (!holding()) return;
    const addr = canonicalIp(address, family);
    const vip = this.all().find((v) => v.family === family && !v.noTrack && canonicalIp(v.address, family) === addr
      && this.#ifindexOf(v) === ifindex);
    if (vip === undefined) return;
    this.#d.counters.vipsReadded++;
    this.#d.logger.warn(`(${this.#d.name}) virtual address ${vip.address} removed from ${vip.device ?? this.#spec.io.interface} - re-adding`,
      { reason: 'deleted by someone else while MASTER' });
    this.#enqueue(async () => {
      if (!holding()) return;
      if (await this.#addOne(vip)) this.#garp([vip], this.#d.state().config.garpMasterRepeat, 'become-master');
    });
  }

  #failed(what: string, e: Error): void {
    this.#d.counters.addressErrors++;
    this.#d.logger.error(`(${this.#d.name}) cannot ${what}: ${e.message}`);
  }

  #ifindexOf(vip: VipSpec): number | undefined {
    return this.#d.ports.network.link(vip.device ?? this.#spec.io.interface)?.ifindex;
  }

  async #gate(): Promise<void> {
    const gate = this.#d.beforeVips;
    if (gate === undefined) return;
    try {
      await gate(this.#d.name);
    } catch (e) {
      this.#d.logger.error(`(${this.#d.name}) before adding VIPs: ${(e as Error).message}; adding them anyway`);
    }
  }

  #enqueue(job: () => Promise<void>): void {
    this.#queue = this.#queue.then(job).catch((e: unknown) => {
      this.#d.logger.error(`(${this.#d.name}) ${(e as Error).message}`);
    });
  }

  async #addOne(vip: VipSpec): Promise<boolean> {
    const ifindex = this.#ifindexOf(vip);
    if (ifindex === undefined) {
      this.#d.counters.addressErrors++;
      this.#d.logger.error(`(${this.#d.name}) cannot add ${vip.address}: no interface ${vip.device ?? this.#spec.io.interface}`);
      return false;
    }
    try {
      await this.#d.ports.addresses.addAddress(vip, ifindex);
      return true;
    } catch (e) {
      this.#failed(`add ${vip.address}/${vip.prefixLength}`, e as Error);
      return false;
    }
  }

  async #addAll(): Promise<void> {
    for (const v of this.all()) await this.#addOne(v);
    const { addresses } = this.#d.ports;
    for (const r of this.#spec.io.routes ?? []) await addresses.addRoute(r).catch((e: Error) => this.#failed(`add route ${r.destination}`, e));
    for (const r of this.#spec.io.rules ?? []) await addresses.addRule(r).catch((e: Error) => this.#failed(`add rule ${r.priority}`, e));
  }

  async #delAll(): Promise<void> {
    const { addresses } = this.#d.ports;
    const { logger, name } = this.#d;
    for (const r of this.#spec.io.rules ?? []) {
      await addresses.delRule(r).catch((e: Error) => logger.error(`(${name}) cannot delete rule ${r.priority}: ${e.message}`));
    }
    for (const r of this.#spec.io.routes ?? []) {
      await addresses.delRoute(r).catch((e: Error) => logger.error(`(${name}) cannot delete route ${r.destination}: ${e.message}`));
    }
    for (const v of this.all()) {
      const ifindex = this.#ifindexOf(v);
      if (ifindex === undefined) continue;
      await addresses.delAddress(v, ifindex).catch((e: Error) => this.#failed(`delete ${v.address}/${v.prefixLength}`, e));
    }
  }

  /** keepalived's vrrp_send_link_update: `repeat` rounds of one GARP / NA per address. */
  #garp(vips: readonly VipSpec[], repeat: number, cause: GarpCause): void {
    const { network, packets } = this.#d.ports;
    for (const vip of vips) {
      const dev = vip.device ?? this.#spec.io.interface;
      const link = network.link(dev);
      if (link === undefined || link.mac === '') continue;
      const what = vip.family === 4 ? 'gratuitous ARPs' : 'unsolicited neighbour advertisements';
      this.#d.logger.info(`(${this.#d.name}) Sending/queueing ${what} on ${dev} for ${vip.address}`, { cause, repeat });
      const frame = vip.family === 4
        ? buildGratuitousArp({ mac: link.mac, vip: vip.address })
        : buildUnsolicitedNa({ mac: link.mac, vip: vip.address, router: network.ipv6Forwarding(dev) });
      for (let i = 0; i < repeat; i++) {
        try {
          if (vip.family === 4) {
            packets.sendFrame(link.ifindex, frame, ETH_P_ARP, ETH_BROADCAST);
            this.#d.counters.garpsSent++;
          } else {
            packets.sendFrame(link.ifindex, frame, ETH_P_IPV6, ipv6MulticastMac(NDISC.ALL_NODES));
            this.#d.counters.nasSent++;
          }
        } catch (e) {
          this.#d.rateLimitedLog('GARP_ERROR', `${what} on ${dev} failed: ${(e as Error).message}`);
        }
      }
    }
  }
}
