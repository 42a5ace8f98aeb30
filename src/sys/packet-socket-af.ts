// An AF_PACKET sender for whole Ethernet frames (gratuitous ARP, unsolicited Neighbor
// Advertisements), as keepalived's vrrp_arp.c / vrrp_ndisc.c send them. Protocol 0 means
// the socket receives nothing: it only sends, so it costs nothing on a busy link.
// Also a receiver (ETH_P_ALL) for tests and captures.
import { readFileSync } from 'node:fs';
import { PermissionError, SysError } from '../core/errors.js';
import { native, type NativeAddon } from './native.js';

type Errnoish = Error & { code?: string; syscall?: string };

function wrap(e: unknown, what: string): Error {
  const err = e as Errnoish;
  if (err.code === 'EPERM' || err.code === 'EACCES') {
    return new PermissionError('CAP_NET_RAW', `${what}: permission denied: sending gratuitous ARP needs CAP_NET_RAW`, { cause: e });
  }
  return new SysError(err.syscall ?? what, `${what}: ${err.message}`, err.code, { cause: e });
}

/** ETH_P_ALL in network byte order, as socket(2) wants the protocol of an AF_PACKET socket. */
const ETH_P_ALL_BE = 0x0300;

function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
}

export class AfPacketSender {
  readonly #n: NativeAddon;
  readonly #fd: number;
  #closed = false;

  constructor() {
    this.#n = native();
    try {
      this.#fd = this.#n.socket(this.#n.AF_PACKET, this.#n.SOCK_RAW, 0);
    } catch (e) {
      throw wrap(e, 'AF_PACKET socket');
    }
  }

  /** Send `frame` (Ethernet header included) out of `ifindex`. */
  send(ifindex: number, frame: Buffer, ethertype: number, dstMac: string): void {
    if (this.#closed) return;
    try {
      this.#n.sendPacket(this.#fd, frame, ifindex, ethertype, macBytes(dstMac));
    } catch (e) {
      throw wrap(e, `send frame on ifindex ${ifindex}`);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#n.close(this.#fd);
  }
}

/** Every frame seen by this network namespace (all interfaces), for captures. */
export class AfPacketCapture {
  readonly #n: NativeAddon;
  readonly #fd: number;
  readonly #buf = Buffer.allocUnsafe(65536);
  #poll: object | undefined;
  #closed = false;

  constructor() {
    this.#n = native();
    try {
      this.#fd = this.#n.socket(this.#n.AF_PACKET, this.#n.SOCK_RAW, ETH_P_ALL_BE);
    } catch (e) {
      throw wrap(e, 'AF_PACKET capture socket');
    }
  }

  onFrame(cb: (frame: Buffer) => void): void {
    if (this.#poll !== undefined || this.#closed) return;
    this.#poll = this.#n.pollStart(this.#fd, () => {
      for (;;) {
        if (this.#closed) return;
        const r = this.#n.recvMsg(this.#fd, this.#buf);
        if (r === null) return;
        cb(Buffer.from(this.#buf.subarray(0, Math.min(r.bytes, this.#buf.length))));
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

/**
 * Whether the interface forwards IPv6 (keepalived sets the Router flag of its NAs then).
 * /proc/sys/net is per network namespace, so this reads the caller's namespace.
 */
export function ipv6Forwarding(ifname: string): boolean {
  try {
    return readFileSync(`/proc/sys/net/ipv6/conf/${ifname}/forwarding`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}
