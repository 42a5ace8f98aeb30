// UDP full NAT: datagrams arriving on the VIP are grouped into flows by client address
// and port (IPVS's UDP "connections"); each flow gets its own socket connected to the
// chosen real server, so replies find their way back and ICMP port-unreachable shows up
// as an error on that socket. A flow expires after the UDP idle timeout (IPVS: 300 s)
// without traffic either way. As in IPVS, UDP flows count as inactive connections.

import dgram from 'node:dgram';
import type { ConnectionSnapshot } from '../dataplane.js';
import { countIn, countOut } from '../stats.js';
import { TrackedConn } from './conn-table.js';
import type { ProxyContext } from './context.js';
import type { Template } from './persistence.js';
import type { RealServerState } from './real-server.js';
import type { ServiceRuntime } from './service.js';

const kFlow = Symbol('halb.udp.flow');
const kListener = Symbol('halb.udp.listener');

type FlowSocket = dgram.Socket & { [kFlow]?: UdpFlow };
type ListeningSocket = dgram.Socket & { [kListener]?: UdpListener };

/** Datagrams held per flow while its socket connects; beyond this they are dropped, as a full queue would. */
const MAX_PENDING = 64;

export class UdpFlow extends TrackedConn {
  readonly listener: UdpListener;
  readonly key: string;
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly dest: RealServerState;
  readonly template: Template<RealServerState> | null;
  readonly sock: FlowSocket;
  /** Datagrams waiting for connect(); null once connected. */
  pending: Buffer[] | null = [];
  closed = false;

  constructor(l: UdpListener, key: string, address: string, port: number, dest: RealServerState, template: Template<RealServerState> | null) {
    super(l.ctx.now, l.svc.timeouts.udpMs);
    this.listener = l;
    this.key = key;
    this.clientAddress = address;
    this.clientPort = port;
    this.dest = dest;
    this.template = template;
    const sock = dgram.createSocket(l.svc.family === 6 ? 'udp6' : 'udp4') as FlowSocket;
    sock[kFlow] = this;
    sock.on('message', onFlowMessage);
    sock.on('error', onFlowError);
    sock.on('connect', onFlowConnect);
    sock.connect(dest.port, dest.address);
    this.sock = sock;
  }

  send(msg: Buffer): void {
    if (this.pending) {
      if (this.pending.length < MAX_PENDING) this.pending.push(msg);
      return;
    }
    this.sock.send(msg);
  }

  expire(): void {
    this.destroy();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    const l = this.listener;
    if (l.flows.get(this.key) === this) l.flows.delete(this.key);
    this.sock.close();
    l.ctx.table.remove(this);
    l.svc.release(this.dest, this.template, false);
    l.svc.liveConns--;
  }

  snapshot(now: number): ConnectionSnapshot {
    return {
      protocol: 'UDP',
      state: 'UDP',
      expiresInMs: Math.max(0, this.last + this.timeoutMs - now),
      clientAddress: this.clientAddress,
      clientPort: this.clientPort,
      virtual: this.listener.svc.key.slice(4),
      destination: this.dest.id,
    };
  }
}

/** A UDP virtual service's socket and its flows. */
export class UdpListener {
  readonly socket: ListeningSocket;
  svc: ServiceRuntime;
  readonly ctx: ProxyContext;
  readonly flows = new Map<string, UdpFlow>();
  /** Reused as the scheduler's view of the client (ClientSource). */
  readonly #src = { remoteAddress: '', remotePort: 0 };

  constructor(ctx: ProxyContext, svc: ServiceRuntime, socket: dgram.Socket) {
    this.ctx = ctx;
    this.svc = svc;
    this.socket = socket as ListeningSocket;
    this.socket[kListener] = this;
    this.socket.on('message', onListenerMessage);
    this.socket.on('error', ignore);
  }

  /** A datagram from a client: find or create its flow and pass it on. */
  receive(msg: Buffer, address: string, port: number): void {
    const key = `${address} ${port}`;
    let f = this.flows.get(key);
    if (!f) {
      const src = this.#src;
      src.remoteAddress = address;
      src.remotePort = port;
      const sel = this.svc.select(src, this.ctx.now);
      // No destination: dropped, as IPVS drops it (it may answer ICMP; a socket cannot).
      if (!sel) return;
      f = new UdpFlow(this, key, address, port, sel.dest, sel.template);
      this.flows.set(key, f);
      this.ctx.table.add(f);
      this.svc.liveConns++;
      this.svc.counters.conns++;
    }
    f.last = this.ctx.now;
    const n = msg.length;
    countIn(this.svc.counters, f.dest.counters, n);
    f.send(msg);
  }

  /** Stop receiving; flows live until they expire, answering through this socket while it is open. */
  close(): void {
    this.socket.off('message', onListenerMessage);
    for (const f of [...this.flows.values()]) f.destroy();
    try {
      this.socket.close();
    } catch {
      // already closed
      return;
    }
  }
}

function onListenerMessage(this: ListeningSocket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
  this[kListener]?.receive(msg, rinfo.address, rinfo.port);
}

function onFlowConnect(this: FlowSocket): void {
  const f = this[kFlow]!;
  const q = f.pending;
  f.pending = null;
  if (f.closed || !q) return;
  for (const m of q) this.send(m);
}

function onFlowMessage(this: FlowSocket, msg: Buffer): void {
  const f = this[kFlow]!;
  if (f.closed) return;
  const l = f.listener;
  f.last = l.ctx.now;
  const n = msg.length;
  countOut(l.svc.counters, f.dest.counters, n);
  l.socket.send(msg, f.clientPort, f.clientAddress);
}

function onFlowError(this: FlowSocket, err: NodeJS.ErrnoException): void {
  const f = this[kFlow]!;
  const code = err.code ?? 'EIO';
  f.listener.ctx.emit(code === 'ECONNREFUSED' ? 'unreachable' : 'connect-error', f.listener.svc.key, f.dest.id, code);
}

function ignore(): void {}
