// The engine's sockets and receive path. As keepalived does (vrrp_scheduler.c
// open_sockpool), instances share a receive socket per interface, family and mode
// (multicast: unbound, joined to the VRRP group; unicast: bound to the source address),
// and each instance sends from a socket bound to its own source address, so the kernel
// puts the address the checksum was computed over in the IP header. A received packet is
// decoded once, then checked against the instance its VRID names.
import type { PacketMeta, PacketSocket } from '../../core/packet-socket.js';
import { checkAdvertForInstance } from '../proto/advert-check.js';
import { canonicalIp, type IpFamily } from '../proto/checksum.js';
import { VRRP_MCAST_V4, VRRP_MCAST_V6 } from '../proto/constants.js';
import type { InstanceRunner } from './instance-runner.js';
import type { InstanceIo } from './types.js';
import type { PacketPort, VrrpSocketOptions } from './ports.js';
import type { VrrpEvent } from '../fsm/fsm-types.js';
import { decodeAdvert } from '../proto/packet.js';
import { buildVrrpFilter, encodeBpf } from '../proto/bpf-filter.js';

interface PooledSocket {
  readonly socket: PacketSocket;
  readonly family: IpFamily;
  /** Instances receiving on this socket, by VRID. */
  readonly receivers: Map<number, InstanceRunner>;
}

export type AdvertSink = (runner: InstanceRunner, event: Extract<VrrpEvent, { kind: 'advert' }>) => void;

function keyOf(o: VrrpSocketOptions): string {
  return `${o.ifname}|${o.family}|${o.bindAddr ?? '*'}|${o.ttl ?? '-'}`;
}

function sendOptions(io: InstanceIo, primaryAddr: string): VrrpSocketOptions {
  const ttl = (io.unicastPeers?.length ?? 0) > 0 ? io.unicastTtl ?? 255 : 255;
  return { ifname: io.interface, family: io.family, bindAddr: primaryAddr, ttl };
}

function receiveOptions(io: InstanceIo, primaryAddr: string): VrrpSocketOptions {
  if ((io.unicastPeers?.length ?? 0) > 0) return { ifname: io.interface, family: io.family, bindAddr: primaryAddr, ttl: io.unicastTtl ?? 255 };
  return { ifname: io.interface, family: io.family, groups: [io.family === 4 ? VRRP_MCAST_V4 : VRRP_MCAST_V6] };
}

export class SocketPool {
  readonly #packets: PacketPort;
  readonly #sockets = new Map<string, PooledSocket>();
  readonly #sink: AdvertSink;
  readonly #unattributed: Record<string, number> = {};

  readonly #warn: (msg: string) => void;

  constructor(packets: PacketPort, sink: AdvertSink, warn: (msg: string) => void = () => undefined) {
    this.#packets = packets;
    this.#sink = sink;
    this.#warn = warn;
  }

  /**
   * Give the kernel the socket's filter (proto/bpf-filter.ts) for the instances now receiving
   * on it: a send-only socket accepts nothing; an IPv4 multicast one requires TTL 255.
   */
  #refilter(p: PooledSocket): void {
    if (p.socket.setFilter === undefined) return;
    const rs = [...p.receivers.values()];
    const prog = buildVrrpFilter({
      family: p.family,
      versions: [...new Set(rs.map((r) => r.spec.fsm.version))],
      vrids: rs.map((r) => r.spec.fsm.vrid),
      ttl255: p.family === 4 && rs.length > 0 && rs.every((r) => !r.unicast),
    });
    try {
      p.socket.setFilter(encodeBpf(prog));
    } catch (e) {
      this.#warn(`VRRP socket filter not attached (every packet reaches the VRRP thread): ${(e as Error).message}`);
    }
  }

  #open(o: VrrpSocketOptions): PooledSocket {
    const key = keyOf(o);
    const have = this.#sockets.get(key);
    if (have !== undefined) return have;
    const pooled: PooledSocket = { socket: this.#packets.openSocket(o), family: o.family, receivers: new Map() };
    this.#sockets.set(key, pooled);
    this.#refilter(pooled);
    // Every socket is drained, even a send-only one, so that its queue never fills.
    pooled.socket.onPacket((buf, meta) => this.#receive(pooled, buf, meta));
    return pooled;
  }

  /** The socket an instance sends from: bound to its primary address. */
  sendSocket(io: InstanceIo, primaryAddr: string): PacketSocket {
    return this.#open(sendOptions(io, primaryAddr)).socket;
  }

  /** Register an instance for receiving; returns an error text when its VRID is already taken there. */
  addReceiver(r: InstanceRunner): string | undefined {
    const pooled = this.#open(receiveOptions(r.spec.io, r.primaryAddr));
    const other = pooled.receivers.get(r.spec.fsm.vrid);
    if (other !== undefined && other !== r) return `VRID ${r.spec.fsm.vrid} is used by both ${other.name} and ${r.name} on ${r.spec.io.interface}`;
    pooled.receivers.set(r.spec.fsm.vrid, r);
    this.#refilter(pooled);
    return undefined;
  }

  /** Stop delivering adverts to this instance (reload: removed, replaced or re-registered). */
  removeReceiver(r: InstanceRunner): void {
    for (const p of this.#sockets.values()) {
      let had = false;
      for (const [vrid, x] of p.receivers) {
        if (x !== r) continue;
        p.receivers.delete(vrid);
        had = true;
      }
      if (had) this.#refilter(p);
    }
  }

  /** Close the sockets no running instance sends or receives on any more (after a reload). */
  prune(runners: Iterable<InstanceRunner>): void {
    const used = new Set<string>();
    for (const r of runners) {
      used.add(keyOf(sendOptions(r.spec.io, r.primaryAddr)));
      used.add(keyOf(receiveOptions(r.spec.io, r.primaryAddr)));
    }
    for (const [key, p] of this.#sockets) {
      if (used.has(key)) continue;
      p.socket.close();
      this.#sockets.delete(key);
    }
  }

  /**
   * Packets that reached no instance, by reason, and KERNEL_QUEUE_FULL: what the kernel
   * dropped because a socket's receive queue was full (its sk_drops). What the socket
   * filter drops is not counted by Linux for raw sockets and is not in these figures.
   */
  unattributedDrops(): Record<string, number> {
    let queueFull = 0;
    for (const p of this.#sockets.values()) queueFull += p.socket.kernelDrops?.() ?? 0;
    return { ...this.#unattributed, ...(queueFull > 0 ? { KERNEL_QUEUE_FULL: queueFull } : {}) };
  }

  #receive(p: PooledSocket, buf: Buffer, meta: PacketMeta): void {
    if (p.receivers.size === 0) return;
    const v4 = p.family === 4;
    const decoded = decodeAdvert(buf, v4
      ? { family: 4, framing: 'ip-header', ttlRange: 'ignore' }
      : { family: 6, framing: 'payload', src: meta.src, dst: meta.dst, ttl: meta.ttl, ttlRange: 'ignore' });
    if (!decoded.ok) {
      const r = p.receivers.get(guessVrid(buf, v4));
      if (r !== undefined) r.countDrop(decoded.reason, decoded.detail);
      else this.#unattributed[decoded.reason] = (this.#unattributed[decoded.reason] ?? 0) + 1;
      return;
    }
    const pkt = decoded.packet;
    const r = p.receivers.get(pkt.advert.vrid);
    if (r === undefined) {
      this.#unattributed.VRID_MISMATCH = (this.#unattributed.VRID_MISMATCH ?? 0) + 1;
      return;
    }
    const src = pkt.ip.src ?? meta.src;
    const ttl = pkt.ip.ttl ?? meta.ttl;
    // The codec was told to skip the TTL check: it depends on the instance.
    if (!r.unicast) {
      // "MUST verify that the IPvX TTL/Hop Limit is 255." (RFC 5798 §7.1, RFC 3768 §7.1)
      if (ttl !== 255) {
        r.countDrop('INVALID_TTL', `invalid TTL/HL. Received ${ttl} and expect 255`);
        return;
      }
    } else {
      const peer = (r.spec.io.unicastPeers ?? []).find((x) => canonicalIp(x.address, p.family) === src);
      if (peer !== undefined && (peer.minTtl !== undefined || peer.maxTtl !== undefined)) {
        const min = peer.minTtl ?? 0;
        const max = peer.maxTtl ?? 255;
        if (ttl < min || ttl > max) {
          r.countDrop('INVALID_TTL', `TTL/HL ${ttl} from ${src} not in range ${min} - ${max}`);
          return;
        }
      }
    }
    const checked = checkAdvertForInstance(pkt, r.expectation());
    if (!checked.ok) {
      r.countDrop(checked.reason, checked.detail);
      return;
    }
    for (const note of checked.notes) {
      if (note.kind === 'vip-mismatch') r.rateLimitedLog('VIP_MISMATCH_ACCEPTED', note.detail);
    }
    r.countReceived();
    const adv = pkt.advert;
    this.#sink(r, {
      kind: 'advert', priority: adv.priority, srcAddr: src,
      advertIntCs: adv.version === 2 ? adv.advertIntervalSec * 100 : adv.advertIntervalCs,
      fromSelf: src === canonicalIp(r.primaryAddr, p.family),
    });
  }

  closeAll(): void {
    for (const p of this.#sockets.values()) p.socket.close();
    this.#sockets.clear();
  }
}

/** The VRID byte of a packet the codec rejected, to count the drop on its instance (-1: none). */
function guessVrid(buf: Buffer, v4: boolean): number {
  const at = v4 ? ((buf[0] ?? 0) & 0x0f) * 4 + 1 : 1;
  return buf[at] ?? -1;
}
