// An in-memory LAN of PacketSockets, so the VRRP engine is tested without root: what one
// socket sends reaches the others as a raw socket would deliver it (IPv4 with a 20-byte
// header carrying TTL/src/dst, IPv6 as payload with src/dst/hop limit in the meta).
// Delivery goes through the Clock, never synchronously, so an engine is never re-entered
// from its own send; with a FakeClock it happens when the test advances time.
import type { Clock } from '../../src/core/clock.js';
import type { PacketMeta, PacketSocket } from '../../src/core/packet-socket.js';

export interface MemorySocketOptions {
  /** The host's addresses: an unbound socket receives unicast sent to any of them. */
  readonly hostAddrs: readonly string[];
  readonly family: 4 | 6;
  readonly ifindex: number;
  readonly bindAddr?: string;
  readonly groups?: readonly string[];
  readonly ttl?: number;
}

const isMulticast = (a: string): boolean => /^(22[4-9]|23\d)\./.test(a) || /^ff/i.test(a);

function ipv4Header(src: string, dst: string, ttl: number, payloadLen: number): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h[1] = 0xc0;
  h.writeUInt16BE(20 + payloadLen, 2);
  h[8] = ttl;
  h[9] = 112;
  Buffer.from(src.split('.').map(Number)).copy(h, 12);
  Buffer.from(dst.split('.').map(Number)).copy(h, 16);
  return h;
}

export class MemorySocket implements PacketSocket {
  readonly opts: MemorySocketOptions;
  readonly #lan: MemoryLan;
  #cb: ((buf: Buffer, meta: PacketMeta) => void) | undefined;
  closed = false;
  sent = 0;

  constructor(lan: MemoryLan, opts: MemorySocketOptions) {
    this.#lan = lan;
    this.opts = opts;
  }

  get src(): string {
    return this.opts.bindAddr ?? this.opts.hostAddrs.find((a) => a.includes(':') === (this.opts.family === 6)) ?? '';
  }

  send(buf: Buffer, dst: string): void {
    if (this.closed) throw new Error('send on a closed socket');
    this.sent++;
    this.#lan.transmit(this, Buffer.from(buf), dst);
  }

  onPacket(cb: (buf: Buffer, meta: PacketMeta) => void): void {
    this.#cb = cb;
  }

  /** Would this socket see a packet to `dst`? */
  accepts(dst: string): boolean {
    if (this.closed) return false;
    if (isMulticast(dst)) return this.opts.bindAddr === undefined && (this.opts.groups ?? []).includes(dst);
    return this.opts.bindAddr !== undefined ? this.opts.bindAddr === dst : this.opts.hostAddrs.includes(dst);
  }

  deliver(buf: Buffer, meta: PacketMeta): void {
    if (!this.closed) this.#cb?.(buf, meta);
  }

  close(): void {
    this.closed = true;
  }
}

export class MemoryLan {
  readonly #clock: Clock;
  readonly #latencyMs: number;
  readonly #sockets: MemorySocket[] = [];
  /** Sources whose packets are lost (a partition, or a crashed host). */
  readonly #cut = new Set<string>();
  /** Every packet put on the wire: src, dst and the VRRP bytes. */
  readonly wire: { src: string; dst: string; payload: Buffer }[] = [];

  constructor(clock: Clock, latencyMs = 1) {
    this.#clock = clock;
    this.#latencyMs = latencyMs;
  }

  socket(opts: MemorySocketOptions): MemorySocket {
    const s = new MemorySocket(this, opts);
    this.#sockets.push(s);
    return s;
  }

  /** Lose everything sent from or to these addresses until restore(). */
  cut(...addrs: string[]): void {
    for (const a of addrs) this.#cut.add(a);
  }

  restore(...addrs: string[]): void {
    for (const a of addrs) this.#cut.delete(a);
  }

  transmit(from: MemorySocket, payload: Buffer, dst: string): void {
    const src = from.src;
    this.wire.push({ src, dst, payload });
    if (this.#cut.has(src) || this.#cut.has(dst)) return;
    const ttl = from.opts.ttl ?? 255;
    for (const s of this.#sockets) {
      if (s === from || s.opts.family !== from.opts.family || s.opts.hostAddrs.includes(src) || !s.accepts(dst)) continue;
      this.inject(s, payload, { src, dst, ttl });
    }
  }

  /** Deliver bytes to one socket as if they came off the wire (tests use it for bad packets). */
  inject(to: MemorySocket, payload: Buffer, ip: { src: string; dst: string; ttl: number }): void {
    const v4 = to.opts.family === 4;
    const bytes = v4 ? Buffer.concat([ipv4Header(ip.src, ip.dst, ip.ttl, payload.length), payload]) : payload;
    const meta: PacketMeta = { src: ip.src, dst: ip.dst, ifindex: to.opts.ifindex, ttl: ip.ttl };
    this.#clock.setTimer(this.#latencyMs, () => to.deliver(bytes, meta));
  }

  sockets(): readonly MemorySocket[] {
    return this.#sockets;
  }
}
