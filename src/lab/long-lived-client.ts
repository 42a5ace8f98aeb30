// The long-lived client of `halb lab drill ... --long-lived N`, run inside the client
// namespace: N keep-alive HTTP connections to the VIP, each sending one request every
// `interval` ms (the next as soon as the answer is in, no sooner than the interval), like
// a database session or a websocket heartbeat. A connection that is reset, closed, or
// silent for `stall` ms is lost; it is never reopened, since the point is to see whether
// THE SAME connection outlives the fault.
//
//   node long-lived-client.js --host VIP [--port 80] --conns N [--interval 100]
//                             [--stall 20000] [--max-seconds 600] [--lab DIR]
//
// stdout, one JSON line each: {"ready":N} once every connection has had its first answer
// (or {"ready":k,"failed":N-k} after 15 s); then, when stdin closes or max-seconds pass,
// one {"c":i,...} summary per connection (LongLivedConn) and {"done":true}.
import { connect, type Socket } from 'node:net';
import { arg, emit } from './client-io.js';
import { preciseWallNow } from '../core/clock.js';

const host = arg('host', '127.0.0.1');
const port = Number(arg('port', 80));
const conns = Math.min(1000, Math.max(1, Number(arg('conns', 100))));
const intervalMs = Math.max(10, Number(arg('interval', 100)));
const stallMs = Math.max(1000, Number(arg('stall', 20_000)));
const maxMs = Number(arg('max-seconds', 600)) * 1000;
const now = (): number => Math.round(preciseWallNow());

export interface LongLivedConn {
  readonly c: number;
  readonly localPort: number;
  /** Real servers that answered this connection (more than one would mean it was re-routed). */
  readonly servedBy: string[];
  readonly ok: number;
  readonly firstAt: number;
  readonly lastOkAt: number;
  /** Why it ended, and when; absent when it was still alive at the end. */
  readonly lost?: { readonly at: number; readonly why: string };
  /** The longest wait for one answer (ms): the stall a fault caused. */
  readonly maxWaitMs: number;
}

interface Conn {
  c: number;
  sock: Socket;
  localPort: number;
  servedBy: Set<string>;
  ok: number;
  firstAt: number;
  lastOkAt: number;
  sentAt: number;
  maxWaitMs: number;
  buf: string;
  lost?: { at: number; why: string };
  timer?: NodeJS.Timeout;
}

const all: Conn[] = [];
let stopping = false;
const request = `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`;

function lose(k: Conn, why: string): void {
  if (k.lost !== undefined || stopping) return;
  k.lost = { at: now(), why };
  clearTimeout(k.timer);
  k.sock.destroy();
}

function send(k: Conn): void {
  if (k.lost !== undefined || stopping) return;
  k.sentAt = now();
  k.sock.write(request);
  clearTimeout(k.timer);
  k.timer = setTimeout(() => lose(k, `no answer for ${stallMs} ms`), stallMs);
}

/** Complete responses at the front of the buffer (Content-Length bodies only: the lab's web server). */
function takeResponses(k: Conn): void {
  for (;;) {
    const end = k.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = k.buf.slice(0, end);
    const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (k.buf.length < end + 4 + len) return;
    const body = k.buf.slice(end + 4, end + 4 + len).trim();
    k.buf = k.buf.slice(end + 4 + len);
    if (!head.startsWith('HTTP/1.1 200')) {
      lose(k, `answer ${head.split('\r\n')[0] ?? ''}`);
      return;
    }
    const t = now();
    k.ok++;
    k.servedBy.add(body);
    k.maxWaitMs = Math.max(k.maxWaitMs, t - k.sentAt);
    if (k.firstAt === 0) k.firstAt = t;
    k.lastOkAt = t;
    clearTimeout(k.timer);
    k.timer = setTimeout(() => send(k), Math.max(0, k.sentAt + intervalMs - t));
  }
}

function open(c: number): Conn {
  const sock = connect({ host, port });
  const k: Conn = { c, sock, localPort: 0, servedBy: new Set(), ok: 0, firstAt: 0, lastOkAt: 0, sentAt: now(), maxWaitMs: 0, buf: '' };
  sock.setEncoding('utf8');
  sock.setNoDelay(true);
  sock.on('connect', () => {
    k.localPort = sock.localPort ?? 0;
    send(k);
  });
  sock.on('data', (d: string) => {
    k.buf += d;
    takeResponses(k);
  });
  sock.on('error', (e: NodeJS.ErrnoException) => lose(k, e.code ?? e.message));
  sock.on('close', () => lose(k, 'closed by the peer'));
  k.timer = setTimeout(() => lose(k, `no connection within ${stallMs} ms`), stallMs);
  return k;
}

function finish(): void {
  if (stopping) return;
  stopping = true;
  for (const k of all) {
    clearTimeout(k.timer);
    const rec: LongLivedConn = {
      c: k.c, localPort: k.localPort, servedBy: [...k.servedBy], ok: k.ok, firstAt: k.firstAt, lastOkAt: k.lastOkAt, maxWaitMs: k.maxWaitMs,
      ...(k.lost !== undefined ? { lost: k.lost } : {}),
    };
    emit(rec);
    k.sock.destroy();
  }
  emit({ done: true });
  process.stdout.end(() => process.exit(0));
}

// Open them 10 ms apart: a burst of SYNs is not what this measures.
for (let i = 0; i < conns; i++) setTimeout(() => all.push(open(i)), i * 10);
const t0 = now();
const readyTimer = setInterval(() => {
  const served = all.filter((k) => k.ok > 0).length;
  if (served === conns || now() - t0 > 15_000) {
    clearInterval(readyTimer);
    emit({ ready: served, failed: conns - served });
  }
}, 50);
process.stdin.on('end', finish);
process.stdin.on('close', finish);
process.stdin.resume();
setTimeout(finish, maxMs).unref();
