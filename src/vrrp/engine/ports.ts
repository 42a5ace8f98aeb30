// The ports the VRRP engine acts through, one job each. system-ports.ts implements them
// on the kernel with src/sys/; the unit tests implement them in memory. The engine hands
// each part only the ports it needs: the socket pool the packet port, a runner the
// network, packet, address and script ports, the trackers the script, file and process
// ports.
import type { IpRoute, IpRule } from '../../config/model/ip.js';
import type { PacketSocket } from '../../core/packet-socket.js';
import type { ProcessEntry, ProcessEvent } from '../../core/process-table.js';
import type { ScriptOutcome } from '../fsm/track-script.js';
import type { IpFamily } from '../proto/checksum.js';
import type { ScriptCommand, VipSpec } from './types.js';

export type { ProcessEntry, ProcessEvent } from '../../core/process-table.js';

export interface HostLink {
  readonly ifindex: number;
  readonly name: string;
  readonly mac: string;
  /** IFF_UP and IFF_RUNNING. */
  readonly up: boolean;
}

export type HostEvent =
  | { readonly kind: 'link'; readonly link: HostLink }
  | { readonly kind: 'address-deleted'; readonly ifindex: number; readonly family: IpFamily; readonly address: string };

export interface Closable {
  close(): void;
}

/** The interfaces as the kernel shows them: links, their addresses, and changes to both. */
export interface NetworkPort extends Closable {
  /** Read links and addresses; called once before anything else. */
  init(): Promise<void>;
  link(name: string): HostLink | undefined;
  /** The first IPv4 address of `ifname`, or its IPv6 link-local address. */
  primaryAddress(ifname: string, family: IpFamily): string | undefined;
  /** Whether `ifname` forwards IPv6 (an unsolicited NA then carries the router flag). */
  ipv6Forwarding(ifname: string): boolean;
  /** Link changes and addresses deleted, from now on. */
  onEvent(cb: (ev: HostEvent) => void): void;
}

export interface VrrpSocketOptions {
  readonly ifname: string;
  readonly family: IpFamily;
  /** Bind to this local address (send sockets, unicast receive sockets). */
  readonly bindAddr?: string;
  /** Multicast groups to join (224.0.0.18 / ff02::12 on multicast receive sockets). */
  readonly groups?: readonly string[];
  readonly ttl?: number;
}

/** Packets on the wire: VRRP (IP protocol 112) sockets, and Ethernet frames for gratuitous ARP / NA. */
export interface PacketPort extends Closable {
  openSocket(opts: VrrpSocketOptions): PacketSocket;
  sendFrame(ifindex: number, frame: Buffer, ethertype: number, dstMac: string): void;
}

/** The addresses, routes and rules an instance installs while MASTER. */
export interface AddressPort {
  addAddress(vip: VipSpec, ifindex: number): Promise<void>;
  delAddress(vip: VipSpec, ifindex: number): Promise<void>;
  addRoute(r: IpRoute): Promise<void>;
  delRoute(r: IpRoute): Promise<void>;
  addRule(r: IpRule): Promise<void>;
  delRule(r: IpRule): Promise<void>;
}

/** notify scripts (not waited for) and vrrp_script checks (waited for, with a timeout). */
export interface ScriptPort {
  notify(cmd: ScriptCommand, args: readonly string[]): void;
  run(cmd: ScriptCommand, timeoutMs: number): Promise<ScriptOutcome>;
}

/** track_file: integers read from files. */
export interface TrackFilePort {
  /**
   * The integer in a track file as keepalived reads it (strtol base 0 of the first bytes):
   * a missing, empty or unreadable file is 0; undefined when the number is out of range
   * (the last value stays).
   */
  read(path: string): Promise<number | undefined>;
  /** init_file: write `value` unless the file exists (or always with `overwrite`). */
  init(path: string, value: number, overwrite: boolean): Promise<void>;
  /** Call `changed` whenever the file may have changed (written, created, moved, deleted). */
  watch(path: string, changed: () => void): Closable;
}

/** vrrp_track_process: the process table and its changes. */
export interface ProcessPort {
  /** Every running process; the command line only when asked for. */
  list(withCmdline: boolean): Promise<ProcessEntry[]>;
  /** One process, or undefined when it is gone (or a zombie). */
  read(pid: number, withCmdline: boolean): Promise<ProcessEntry | undefined>;
  /** Process events from the kernel, or undefined when they are not available here (then /proc is polled). */
  watch(cb: (ev: ProcessEvent) => void): Closable | undefined;
}

/** Everything the engine is given to reach the host; it closes the network and packet ports on stop. */
export interface VrrpPorts {
  readonly network: NetworkPort;
  readonly packets: PacketPort;
  readonly addresses: AddressPort;
  readonly scripts: ScriptPort;
  readonly files: TrackFilePort;
  readonly processes: ProcessPort;
}
