// The VRRP engine's ports (ports.ts) on the real kernel, with src/sys/: rtnetlink for
// links, addresses, routes and rules and their notifications; raw sockets (protocol 112)
// and an AF_PACKET sender for gratuitous ARP / NA; direct exec of scripts; track files;
// /proc and the process connector. The engine logic is engine.ts.
import { constants as osConstants } from 'node:os';
import { RealClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { PacketSocket } from '../../core/packet-socket.js';
import type { IpRoute, IpRule } from '../../config/model/ip.js';
import { IFA_F, type AddressInfo, type AddressSpec } from '../../sys/netlink-codec.js';
import { NetlinkMonitor, RtNetlink, type NetlinkEvent } from '../../sys/netlink.js';
import { AfPacketSender, ipv6Forwarding } from '../../sys/packet-socket-af.js';
import { ProcConnector } from '../../sys/proc-connector.js';
import { listProcs, readProc } from '../../sys/proc-scan.js';
import { RawSocket } from '../../sys/raw-socket.js';
import { scriptPort } from '../../sys/script/runner.js';
import { describeResult } from '../../core/script.js';
import { HalbError } from '../../core/errors.js';
import { initTrackFile, readTrackFile, watchTrackFile } from '../../sys/track-file.js';
import type { IpFamily } from '../proto/checksum.js';
import { IPPROTO_VRRP } from '../proto/constants.js';
import { VrrpEngine } from './engine.js';
import type {
  AddressPort, Closable, HostEvent, HostLink, NetworkPort, PacketPort, ProcessEntry, ProcessEvent, ProcessPort, ScriptPort,
  TrackFilePort, VrrpPorts, VrrpSocketOptions,
} from './ports.js';
import type { EngineEvent, EngineSpec, ScriptCommand, VipSpec } from './types.js';
import type { ScriptOutcome } from '../fsm/track-script.js';

const RT_SCOPE_LINK = 253;
/** keepalived has no notify timeout; an unbounded child would pile up on a flapping peer. */
const NOTIFY_TIMEOUT_MS = 30_000;

/** A VIP line as an rtnetlink address request. */
export function vipToAddressSpec(vip: VipSpec, ifindex: number): AddressSpec {
  const flags = (vip.noDad === true ? IFA_F.NODAD : 0) | (vip.home === true ? IFA_F.HOMEADDRESS : 0)
    | (vip.manageTempAddr === true ? IFA_F.MANAGETEMPADDR : 0) | (vip.noPrefixRoute === true ? IFA_F.NOPREFIXROUTE : 0)
    | (vip.autoJoin === true ? IFA_F.MCAUTOJOIN : 0);
  return {
    family: vip.family, ifindex, address: vip.address, prefixLength: vip.prefixLength, flags,
    ...(vip.peer !== undefined ? { peer: vip.peer } : {}),
    ...(vip.broadcast !== undefined ? { broadcast: vip.broadcast } : {}),
    ...(vip.scope !== undefined ? { scope: vip.scope } : {}),
    ...(vip.label !== undefined ? { label: vip.label } : {}),
    ...(vip.preferredLft !== undefined ? { preferredLft: vip.preferredLft } : {}),
  };
}

/** Links and addresses from rtnetlink, kept current by its notifications. */
class SystemNetwork implements NetworkPort {
  readonly #logger: Logger;
  #rt: RtNetlink | undefined;
  #monitor: NetlinkMonitor | undefined;
  readonly #links = new Map<string, HostLink>();
  #addresses: AddressInfo[] = [];
  readonly #listeners: ((ev: HostEvent) => void)[] = [];

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  async init(): Promise<void> {
    this.#rt = new RtNetlink();
    // Subscribe first so no change between the dump and the subscription is lost.
    this.#monitor = new NetlinkMonitor((ev) => this.#onNetlink(ev));
    await this.#reread();
  }

  /** The rtnetlink socket, once init() has opened it: the address port changes addresses through it. */
  get rt(): RtNetlink {
    if (this.#rt === undefined) throw new HalbError('HALB_ERR_SYS', 'the VRRP network port is not initialised');
    return this.#rt;
  }

  async #reread(): Promise<void> {
    const [links, addrs] = await Promise.all([this.rt.links(), this.rt.addresses()]);
    for (const l of links) this.#setLink({ ifindex: l.ifindex, name: l.name, mac: l.mac, up: l.up });
    this.#addresses = addrs;
  }

  #setLink(l: HostLink): void {
    const old = this.#links.get(l.name);
    this.#links.set(l.name, l);
    // A link that appears after startup counts too: a track_interface waiting for it clears.
    if (old === undefined || old.up !== l.up) for (const cb of this.#listeners) cb({ kind: 'link', link: l });
  }

  #onNetlink(ev: NetlinkEvent): void {
    if (ev.kind === 'overrun') {
      this.#logger.warn(`netlink notifications lost (${ev.error.message}) - re-reading interfaces`);
      this.#reread().catch((e: Error) => this.#logger.error(`re-reading interfaces: ${e.message}`));
      return;
    }
    if (ev.kind === 'link') {
      this.#setLink({ ifindex: ev.link.ifindex, name: ev.link.name, mac: ev.link.mac, up: !ev.deleted && ev.link.up });
      return;
    }
    const a = ev.address;
    this.#addresses = this.#addresses.filter((x) => !(x.ifindex === a.ifindex && x.address === a.address));
    if (!ev.deleted) {
      this.#addresses.push(a);
      return;
    }
    for (const cb of this.#listeners) cb({ kind: 'address-deleted', ifindex: a.ifindex, family: a.family, address: a.address });
  }

  link(name: string): HostLink | undefined {
    return this.#links.get(name);
  }

  ifindexOf(name: string): number {
    const l = this.#links.get(name);
    if (l === undefined) throw new HalbError('HALB_ERR_CONFIG', `no interface ${name}`);
    return l.ifindex;
  }

  primaryAddress(ifname: string, family: IpFamily): string | undefined {
    const l = this.#links.get(ifname);
    if (l === undefined) return undefined;
    const mine = this.#addresses.filter((a) => a.ifindex === l.ifindex && a.family === family);
    // keepalived: the first (primary) IPv4 address; for IPv6 the link-local address.
    const pick = family === 4 ? mine.find((a) => (a.flags & IFA_F.SECONDARY) === 0) : mine.find((a) => a.scope === RT_SCOPE_LINK);
    return pick?.address;
  }

  ipv6Forwarding(ifname: string): boolean {
    return ipv6Forwarding(ifname);
  }

  onEvent(cb: (ev: HostEvent) => void): void {
    this.#listeners.push(cb);
  }

  close(): void {
    this.#monitor?.close();
    this.#rt?.close();
  }
}

/** Addresses, routes and rules, through the network port's rtnetlink socket. */
class SystemAddresses implements AddressPort {
  readonly #net: SystemNetwork;
  readonly #ifindexOf = (name: string): number => this.#net.ifindexOf(name);

  constructor(net: SystemNetwork) {
    this.#net = net;
  }

  addAddress(vip: VipSpec, ifindex: number): Promise<void> {
    return this.#net.rt.addAddress(vipToAddressSpec(vip, ifindex));
  }

  delAddress(vip: VipSpec, ifindex: number): Promise<void> {
    return this.#net.rt.delAddress(vipToAddressSpec(vip, ifindex));
  }

  addRoute(r: IpRoute): Promise<void> {
    return this.#net.rt.addRoute(r, this.#ifindexOf);
  }

  delRoute(r: IpRoute): Promise<void> {
    return this.#net.rt.delRoute(r, this.#ifindexOf);
  }

  addRule(r: IpRule): Promise<void> {
    return this.#net.rt.addRule(r);
  }

  delRule(r: IpRule): Promise<void> {
    return this.#net.rt.delRule(r);
  }
}

/** Raw VRRP sockets, and an AF_PACKET sender opened on the first frame. */
class SystemPackets implements PacketPort {
  #af: AfPacketSender | undefined;

  openSocket(o: VrrpSocketOptions): PacketSocket {
    return new RawSocket({
      family: o.family, protocol: IPPROTO_VRRP, ifname: o.ifname,
      ...(o.groups !== undefined ? { groups: o.groups } : {}),
      ...(o.bindAddr !== undefined ? { bindAddr: o.bindAddr } : {}),
      ...(o.ttl !== undefined ? { ttl: o.ttl } : {}),
    });
  }

  sendFrame(ifindex: number, frame: Buffer, ethertype: number, dstMac: string): void {
    this.#af ??= new AfPacketSender();
    this.#af.send(ifindex, frame, ethertype, dstMac);
  }

  close(): void {
    this.#af?.close();
  }
}

/** Scripts exec'd directly (src/sys/script/runner.ts). */
class SystemScripts implements ScriptPort {
  readonly #logger: Logger;
  readonly #scripts = scriptPort();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  notify(cmd: ScriptCommand, args: readonly string[]): void {
    // keepalived does not wait for notify scripts; the timeout only bounds a stuck one.
    void this.#scripts.run(scriptSpec(cmd), args, NOTIFY_TIMEOUT_MS).then((r) => {
      if (r.kind === 'spawn-error') this.#logger.warn(`notify script ${commandText(cmd)} ${describeResult(r)}`);
    });
  }

  async run(cmd: ScriptCommand, timeoutMs: number): Promise<ScriptOutcome> {
    const end = await this.#scripts.run(scriptSpec(cmd), [], timeoutMs);
    if (end.kind === 'spawn-error') {
      this.#logger.warn(`script ${commandText(cmd)} ${describeResult(end)}`);
      // What a shell reports for a command it cannot run.
      return { kind: 'exit', code: 127 };
    }
    if (end.timedOut) return { kind: 'timeout' };
    if (end.kind === 'signal') return { kind: 'signal', signal: osConstants.signals[end.signal] };
    return { kind: 'exit', code: end.code };
  }
}

const commandText = (cmd: ScriptCommand): string => cmd.text ?? cmd.argv.join(' ');
const scriptSpec = (cmd: ScriptCommand): { text: string; run?: ScriptCommand['run'] } =>
  ({ text: commandText(cmd), ...(cmd.run !== undefined ? { run: cmd.run } : {}) });

/** track_file reads, init_file writes, and watches (src/sys/track-file.ts). */
class SystemTrackFiles implements TrackFilePort {
  readonly #logger: Logger;
  readonly #pollMs: number;

  constructor(logger: Logger, pollMs: number) {
    this.#logger = logger;
    this.#pollMs = pollMs;
  }

  read(path: string): Promise<number | undefined> {
    return readTrackFile(path);
  }

  init(path: string, value: number, overwrite: boolean): Promise<void> {
    return initTrackFile(path, value, overwrite);
  }

  watch(path: string, changed: () => void): Closable {
    return watchTrackFile(path, changed, {
      pollMs: this.#pollMs,
      onFallback: (why) => this.#logger.warn(`track file ${path}: ${why}; polling every ${this.#pollMs} ms`),
    });
  }
}

/** /proc and the kernel's process connector. */
class SystemProcesses implements ProcessPort {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  list(withCmdline: boolean): Promise<ProcessEntry[]> {
    return listProcs(withCmdline);
  }

  read(pid: number, withCmdline: boolean): Promise<ProcessEntry | undefined> {
    return readProc(pid, withCmdline);
  }

  watch(cb: (ev: ProcessEvent) => void): Closable | undefined {
    try {
      return new ProcConnector(cb);
    } catch (e) {
      this.#logger.info(`process connector not available (${(e as Error).message}): polling /proc for vrrp_track_process`);
      return undefined;
    }
  }
}

/** Every port on the real kernel. `filePollMs`: a track file whose directory cannot be watched is re-read this often. */
export function systemPorts(logger: Logger, filePollMs = 1000): VrrpPorts {
  const network = new SystemNetwork(logger);
  return {
    network, addresses: new SystemAddresses(network), packets: new SystemPackets(), scripts: new SystemScripts(logger),
    files: new SystemTrackFiles(logger, filePollMs), processes: new SystemProcesses(logger),
  };
}

export interface StartOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** EngineOptions.beforeVips. */
  readonly beforeVips?: (instance: string) => Promise<void>;
  /** Subscribed before the instances start: their startup transitions and notifies are events too. */
  readonly onEvent?: (ev: EngineEvent) => void;
}

/** Build the engine on the real kernel and start every instance. */
export async function startVrrpEngine(spec: EngineSpec, opts: StartOptions): Promise<VrrpEngine> {
  const engine = new VrrpEngine(spec, systemPorts(opts.logger, spec.filePollMs), {
    clock: opts.clock ?? new RealClock(), logger: opts.logger,
    ...(opts.beforeVips !== undefined ? { beforeVips: opts.beforeVips } : {}),
  });
  if (opts.onEvent !== undefined) engine.onEvent(opts.onEvent);
  await engine.start();
  return engine;
}
