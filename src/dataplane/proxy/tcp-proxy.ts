// TCP full NAT: accept on the VIP, connect to the chosen real server, copy bytes both
// ways. Every event handler is a module-level function that finds its connection
// through a symbol on the socket, so a connection costs one TcpConn and two sockets,
// never a closure per connection or per chunk, and nothing logs on the hot path.
//
// Per client connection:
//
//   accept (client paused) --select--> SYN_RECV --connect--> ESTABLISHED --FIN--> FIN_WAIT / CLOSE_WAIT --FIN--> CLOSE
//                                        |  refused / reset / connect timeout, nothing forwarded yet
//                                        +--> SYN_RECV on another real server (up to connectAttempts), else RST to the client
//
// IPVS's accounting: inactive while connecting and after the first FIN, active while
// established. Half-close is end-to-end (allowHalfOpen): a FIN from one side becomes a
// FIN to the other, and the reverse direction keeps flowing. Backpressure: a write
// that fills the peer's buffer pauses the source until the peer drains. The client is
// not read before the real server answers, so a retry never loses data.

import net from 'node:net';
import type { ConnState, ConnectionSnapshot } from '../dataplane.js';
import { countIn, countOut } from '../stats.js';
import { TrackedConn } from './conn-table.js';
import type { ProxyContext } from './context.js';
import type { Template } from './persistence.js';
import type { RealServerState } from './real-server.js';
import type { ServiceRuntime } from './service.js';

const kConn = Symbol('halb.tcp.conn');
const kListener = Symbol('halb.tcp.listener');

type ProxySocket = net.Socket & { [kConn]?: TcpConn | null };
type ListeningServer = net.Server & { [kListener]?: TcpListener };

const SYN_RECV = 0;
const ESTABLISHED = 1;
const FIN_WAIT = 2; // the client sent FIN first
const CLOSE_WAIT = 3; // the real server sent FIN first
const CLOSE = 4; // both sent FIN
const STATE_NAMES: readonly ConnState[] = ['SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'CLOSE'];

export class TcpConn extends TrackedConn {
  readonly ctx: ProxyContext;
  readonly svc: ServiceRuntime;
  readonly client: ProxySocket;
  backend: ProxySocket | null = null;
  dest: RealServerState;
  template: Template<RealServerState> | null;
  state = SYN_RECV;
  /** Counted in dest.activeConns (else in inactiveConns). */
  active = false;
  clientEof = false;
  backendEof = false;
  clientClosed = false;
  backendClosed = false;
  done = false;
  /** Bytes forwarded in either direction: a retry is only safe while this is 0. */
  moved = 0;
  attempts = 1;
  tried: RealServerState[] | null = null;

  constructor(ctx: ProxyContext, svc: ServiceRuntime, client: ProxySocket, dest: RealServerState, template: Template<RealServerState> | null) {
    super(ctx.now, svc.connectTimeoutMs);
    this.ctx = ctx;
    this.svc = svc;
    this.client = client;
    this.dest = dest;
    this.template = template;
  }

  expire(): void {
    if (this.state === SYN_RECV && this.backend) connectFailed(this, 'ETIMEDOUT');
    else destroyBoth(this);
  }

  /** Drop both sides now (engine close, service flush). */
  destroy(): void {
    destroyBoth(this);
  }

  snapshot(now: number): ConnectionSnapshot {
    return {
      protocol: 'TCP',
      state: STATE_NAMES[this.state]!,
      expiresInMs: Math.max(0, this.last + this.timeoutMs - now),
      clientAddress: this.client.remoteAddress ?? '',
      clientPort: this.client.remotePort ?? 0,
      virtual: this.svc.key.slice(4),
      destination: this.dest.id,
    };
  }
}

/** A TCP virtual service's listening socket. */
export class TcpListener {
  readonly server: ListeningServer;
  svc: ServiceRuntime;
  readonly ctx: ProxyContext;

  constructor(ctx: ProxyContext, svc: ServiceRuntime, server: net.Server) {
    this.ctx = ctx;
    this.svc = svc;
    this.server = server as ListeningServer;
    // Set here rather than at creation: a server handed over from another process
    // (worker mode) arrives built with Node's defaults.
    Object.assign(this.server, TCP_SERVER_OPTIONS);
    this.server[kListener] = this;
    this.server.on('connection', onConnection);
    // accept() failures (EMFILE, ENFILE) surface here; libuv keeps accepting once they pass.
    this.server.on('error', ignore);
  }

  /**
   * Stop accepting; established connections carry on. The listening socket is closed at
   * once (server.close()'s own callback would wait for every accepted connection).
   */
  close(): void {
    this.server.off('connection', onConnection);
    this.server.on('error', ignore);
    if (this.server.listening) this.server.close();
  }
}

/** Server options every TCP listener uses: the client waits, unread, until its real server answers. */
export const TCP_SERVER_OPTIONS: net.ServerOpts = { allowHalfOpen: true, pauseOnConnect: true, noDelay: true };

function onConnection(this: ListeningServer, sock: ProxySocket): void {
  const l = this[kListener];
  if (!l) { sock.destroy(); return; }
  const ctx = l.ctx;
  const svc = l.svc;
  const sel = svc.select(sock, ctx.now);
  if (sel === undefined) {
    // No destination may take it: IPVS drops the SYN; a proxy that already accepted resets.
    sock.on('error', ignore);
    sock.resetAndDestroy();
    return;
  }
  const c = new TcpConn(ctx, svc, sock, sel.dest, sel.template);
  sock[kConn] = c;
  sock.on('data', onClientData);
  sock.on('end', onClientEnd);
  sock.on('drain', onClientDrain);
  sock.on('error', onClientError);
  sock.on('close', onClientClose);
  ctx.table.add(c);
  svc.liveConns++;
  svc.counters.conns++;
  connectBackend(c);
}

function connectBackend(c: TcpConn): void {
  const d = c.dest;
  const b = net.connect({ host: d.address, port: d.port, allowHalfOpen: true, noDelay: true }) as ProxySocket;
  b[kConn] = c;
  c.backend = b;
  c.state = SYN_RECV;
  // The exact time, not the tick's: a connect timeout must never fire early.
  c.last = c.ctx.clock.now();
  c.timeoutMs = c.svc.connectTimeoutMs;
  b.on('connect', onBackendConnect);
  b.on('data', onBackendData);
  b.on('end', onBackendEnd);
  b.on('drain', onBackendDrain);
  b.on('error', onBackendError);
  b.on('close', onBackendClose);
}

function onBackendConnect(this: ProxySocket): void {
  const c = this[kConn];
  if (!c || c.backend !== this) return;
  c.state = ESTABLISHED;
  c.active = true;
  c.dest.toActive();
  c.last = c.ctx.now;
  c.timeoutMs = c.svc.timeouts.tcpMs;
  c.ctx.emit('connected', c.svc.key, c.dest.id, undefined, c.attempts > 1);
  if (!c.clientClosed) c.client.resume();
}

function onClientData(this: ProxySocket, chunk: Buffer): void {
  const c = this[kConn]!;
  const n = chunk.length;
  c.last = c.ctx.now;
  c.moved += n;
  countIn(c.svc.counters, c.dest.counters, n);
  if (!c.backend!.write(chunk)) this.pause();
}

function onBackendData(this: ProxySocket, chunk: Buffer): void {
  const c = this[kConn];
  if (!c || c.backend !== this) return;
  const n = chunk.length;
  c.last = c.ctx.now;
  c.moved += n;
  countOut(c.svc.counters, c.dest.counters, n);
  if (!c.client.write(chunk)) this.pause();
}

function onBackendDrain(this: ProxySocket): void {
  const c = this[kConn];
  if (c && c.backend === this && !c.clientEof) c.client.resume();
}

function onClientDrain(this: ProxySocket): void {
  const c = this[kConn]!;
  if (c.backend && !c.backendEof) c.backend.resume();
}

/** First FIN leaves ESTABLISHED: the connection counts as inactive and gets the FIN timeout. */
function finSeen(c: TcpConn): void {
  if (c.active) {
    c.active = false;
    c.dest.toInactive();
  }
  c.state = c.clientEof && c.backendEof ? CLOSE : c.clientEof ? FIN_WAIT : CLOSE_WAIT;
  c.timeoutMs = c.svc.timeouts.tcpFinMs;
  c.last = c.ctx.now;
}

function onClientEnd(this: ProxySocket): void {
  const c = this[kConn]!;
  c.clientEof = true;
  finSeen(c);
  c.backend?.end();
}

function onBackendEnd(this: ProxySocket): void {
  const c = this[kConn];
  if (!c || c.backend !== this) return;
  c.backendEof = true;
  finSeen(c);
  if (!c.clientClosed) c.client.end();
}

function onClientError(this: ProxySocket, err: NodeJS.ErrnoException): void {
  const c = this[kConn]!;
  const b = c.backend;
  if (!b || c.backendClosed) return;
  // Full NAT passes a client's RST on to the real server.
  if (err.code === 'ECONNRESET' && c.state !== SYN_RECV) b.resetAndDestroy();
  else b.destroy();
}

function onClientClose(this: ProxySocket): void {
  const c = this[kConn]!;
  c.clientClosed = true;
  // A clean close means both FINs went through and the backend finishes on its own;
  // anything else (reset, timeout, destroy) takes the backend down too.
  const b = c.backend;
  if (b && !c.backendClosed && !(c.clientEof && c.backendEof)) b.destroy();
  maybeFinish(c);
}

function onBackendError(this: ProxySocket, err: NodeJS.ErrnoException): void {
  const c = this[kConn];
  if (!c || c.backend !== this) return;
  const code = err.code ?? 'EIO';
  if (c.state === SYN_RECV || (c.moved === 0 && !c.clientEof && !c.backendEof)) {
    connectFailed(c, code);
    return;
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    c.ctx.emit('reset', c.svc.key, c.dest.id, code);
    if (!c.clientClosed) c.client.resetAndDestroy();
  } else if (!c.clientClosed) {
    c.client.destroy();
  }
}

function onBackendClose(this: ProxySocket): void {
  const c = this[kConn];
  if (!c || c.backend !== this) return;
  c.backendClosed = true;
  if (!c.clientClosed && !(c.clientEof && c.backendEof)) c.client.destroy();
  maybeFinish(c);
}

/** The real server refused, reset or did not answer before anything was forwarded. */
function connectFailed(c: TcpConn, code: string): void {
  const kind = code === 'ECONNREFUSED' ? 'connect-refused' : code === 'ETIMEDOUT' ? 'connect-timeout' : code === 'ECONNRESET' ? 'reset' : 'connect-error';
  const b = c.backend!;
  b[kConn] = null;
  c.backend = null;
  b.destroy();
  const failed = c.dest;
  const canRetry = c.moved === 0 && !c.clientClosed && c.attempts < c.ctx.connectAttempts;
  c.ctx.emit(kind, c.svc.key, failed.id, code, canRetry);
  if (canRetry) {
    const tried = c.tried ?? (c.tried = []);
    tried.push(failed);
    const next = c.svc.select(c.client, c.ctx.now, tried);
    if (next) {
      // Hold the client again until the new real server answers.
      if (c.state !== SYN_RECV) c.client.pause();
      c.svc.release(failed, c.template, c.active);
      c.active = false;
      c.dest = next.dest;
      c.template = next.template;
      c.attempts++;
      connectBackend(c);
      return;
    }
  }
  c.backendClosed = true;
  if (!c.clientClosed) c.client.resetAndDestroy();
  else maybeFinish(c);
}

function destroyBoth(c: TcpConn): void {
  if (!c.clientClosed) c.client.destroy();
  if (c.backend && !c.backendClosed) c.backend.destroy();
}

function maybeFinish(c: TcpConn): void {
  if (c.done || !c.clientClosed || (c.backend !== null && !c.backendClosed)) return;
  c.done = true;
  c.ctx.table.remove(c);
  c.svc.release(c.dest, c.template, c.active);
  c.active = false;
  c.svc.liveConns--;
}

function ignore(): void {}
