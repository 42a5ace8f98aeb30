// A raw IP socket for VRRP (protocol 112) bound to one interface, implementing the
// engine's PacketSocket. The options are the ones keepalived's vrrp_if.c sets:
// bind to device, multicast membership on that interface, multicast TTL/hop limit 255,
// no multicast loop, no IP_MULTICAST_ALL, and ancillary data for TTL and pktinfo.
import { readFileSync, readlinkSync } from 'node:fs';
import { PermissionError, SysError } from '../core/errors.js';
import type { PacketMeta, PacketSocket } from '../core/packet-socket.js';
import { native, type NativeAddon } from './native.js';

export interface RawSocketOptions {
  readonly family: 4 | 6;
  readonly protocol: number;
  readonly ifname: string;
  /** Multicast groups to join on `ifname` (224.0.0.18 / ff02::12 for VRRP). */
  readonly groups?: readonly string[];
  /** Source address to bind (unicast_src_ip / mcast_src_ip). */
  readonly bindAddr?: string;
  readonly ttl?: number;
  /** Receive our own multicast (tests on one host); keepalived turns it off. */
  readonly multicastLoop?: boolean;
}

/** Packets read per readiness event (see onPacket). */
export const READ_BATCH = 32;

type Errnoish = Error & { code?: string; syscall?: string };

function wrap(e: unknown, what: string): Error {
  const err = e as Errnoish;
  if (err.code === 'EPERM' || err.code === 'EACCES') {
    return new PermissionError('CAP_NET_RAW', `${what}: permission denied: halb needs CAP_NET_RAW (and CAP_NET_ADMIN for addresses) — run as root or grant them (see contrib/systemd)`, { cause: e });
  }
  return new SysError(err.syscall ?? what, `${what}: ${err.message}`, err.code, { cause: e });
}

export class RawSocket implements PacketSocket {
  readonly #n: NativeAddon;
  readonly #fd: number;
  readonly #family: 4 | 6;
  readonly ifindex: number;
  #poll: object | undefined;
  #closed = false;
  readonly #buf = Buffer.allocUnsafe(65536);

  constructor(opts: RawSocketOptions) {
    this.#n = native();
    const n = this.#n;
    this.#family = opts.family;
    try {
      this.ifindex = n.ifNameToIndex(opts.ifname);
    } catch (e) {
      throw wrap(e, `interface ${opts.ifname}`);
    }
    try {
      this.#fd = n.socket(opts.family === 4 ? n.AF_INET : n.AF_INET6, n.SOCK_RAW, opts.protocol);
    } catch (e) {
      throw wrap(e, `raw socket (protocol ${opts.protocol})`);
    }
    try {
      this.#configure(opts);
    } catch (e) {
      n.close(this.#fd);
      throw wrap(e, `raw socket on ${opts.ifname}`);
    }
  }

  #configure(opts: RawSocketOptions): void {
    const n = this.#n;
    const fd = this.#fd;
    const ttl = opts.ttl ?? 255;
    n.bindToDevice(fd, opts.ifname);
    if (opts.bindAddr !== undefined) n.bindAddr(fd, opts.bindAddr, this.ifindex);
    if (this.#family === 4) {
      n.setsockoptInt(fd, n.IPPROTO_IP, n.IP_TTL, ttl);
      n.setsockoptInt(fd, n.IPPROTO_IP, n.IP_MULTICAST_TTL, ttl);
      n.setsockoptInt(fd, n.IPPROTO_IP, n.IP_MULTICAST_LOOP, opts.multicastLoop === true ? 1 : 0);
      n.setsockoptInt(fd, n.IPPROTO_IP, n.IP_MULTICAST_ALL, 0);
      n.setsockoptInt(fd, n.IPPROTO_IP, n.IP_PKTINFO, 1);
      n.setsockoptInt(fd, n.IPPROTO_IP, n.IP_RECVTTL, 1);
      n.multicastIf4(fd, this.ifindex);
    } else {
      n.setsockoptInt(fd, n.IPPROTO_IPV6, n.IPV6_UNICAST_HOPS, ttl);
      n.setsockoptInt(fd, n.IPPROTO_IPV6, n.IPV6_MULTICAST_HOPS, ttl);
      n.setsockoptInt(fd, n.IPPROTO_IPV6, n.IPV6_MULTICAST_LOOP, opts.multicastLoop === true ? 1 : 0);
      n.setsockoptInt(fd, n.IPPROTO_IPV6, n.IPV6_MULTICAST_IF, this.ifindex);
      n.setsockoptInt(fd, n.IPPROTO_IPV6, n.IPV6_RECVPKTINFO, 1);
      n.setsockoptInt(fd, n.IPPROTO_IPV6, n.IPV6_RECVHOPLIMIT, 1);
    }
    for (const g of opts.groups ?? []) n.membership(fd, g, this.ifindex, true);
  }

  send(buf: Buffer, dst: string): void {
    if (this.#closed) return;
    try {
      this.#n.sendTo(this.#fd, buf, dst, this.ifindex);
    } catch (e) {
      throw wrap(e, `send to ${dst}`);
    }
  }

  setFilter(program: Buffer): void {
    if (this.#closed) return;
    try {
      this.#n.attachFilter(this.#fd, program);
    } catch (e) {
      throw wrap(e, 'attach the VRRP socket filter');
    }
  }

  /** The `drops` column of /proc/net/raw(6) for this socket (sk_drops: receive queue overflows). */
  kernelDrops(): number | undefined {
    if (this.#closed) return undefined;
    try {
      const link = readlinkSync(`/proc/self/fd/${this.#fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode === undefined) return undefined;
      const table = readFileSync(this.#family === 4 ? '/proc/net/raw' : '/proc/net/raw6', 'utf8');
      for (const line of table.split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f[9] === inode) return Number(f[f.length - 1]);
      }
    } catch {
      // /proc not mounted or the socket just closed: no figure, not an error.
    }
    return undefined;
  }

  onPacket(cb: (buf: Buffer, meta: PacketMeta) => void): void {
    if (this.#poll !== undefined || this.#closed) return;
    this.#poll = this.#n.pollStart(this.#fd, () => {
      // At most READ_BATCH packets per readiness event: the poll is level-triggered, so
      // what is left is read on the next turn of the event loop, after the timers that
      // are due. A flood then delays adverts by one batch at most instead of starving them.
      for (let i = 0; i < READ_BATCH; i++) {
        if (this.#closed) return;
        const r = this.#n.recvMsg(this.#fd, this.#buf);
        if (r === null) return;
        const bytes = Math.min(r.bytes, this.#buf.length);
        cb(Buffer.from(this.#buf.subarray(0, bytes)), { src: r.src, dst: r.dst, ifindex: r.ifindex, ttl: r.ttl });
      }
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#poll !== undefined) this.#n.pollStop(this.#poll);
    this.#n.close(this.#fd);
  }
}
