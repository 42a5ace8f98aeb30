// Long-lived connections for the --ecmp failover drill, run inside the client namespace:
// opens --count keep-alive HTTP connections to the VIP, then sends one GET on each every
// --interval ms for --duration ms, and reports per connection whether every answer came
// back, from the same real server. A connection whose request gets no answer within
// --timeout ms, that errors or closes, or whose real server changes, is broken.
//
//   node hold-client.js --host VIP [--port 80] [--count 100] [--interval 100]
//                       [--duration 6000] [--timeout 3000] [--lab DIR]
//
// stdout: {"ready":true,"at":<epoch ms>} once every connection had its first answer,
// then {"done":true,"results":[{"ok":bool,"rs":"rs1","requests":N,"err"?:"..."}]}.
import { connect, type Socket } from 'node:net';
import { arg, emit } from './client-io.js';
import { preciseWallNow } from '../core/clock.js';

const host = arg('host', '127.0.0.1');
const port = Number(arg('port', 80));
const count = Math.min(1000, Math.max(1, Number(arg('count', 100))));
const intervalMs = Math.max(10, Number(arg('interval', 100)));
const durationMs = Math.min(120_000, Math.max(100, Number(arg('duration', 6000))));
const timeoutMs = Math.max(100, Number(arg('timeout', 3000)));
const now = preciseWallNow;

interface Result { ok: boolean; rs?: string; requests: number; err?: string }

class Conn {
  readonly r: Result = { ok: true, requests: 0 };
  #sock: Socket;
  #buf = '';
  #pending: ((body: string | Error) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor() {
    this.#sock = connect({ host, port });
    this.#sock.setEncoding('utf8');
    this.#sock.on('data', (c: string) => { this.#buf += c; this.#parse(); });
    this.#sock.on('error', (e: NodeJS.ErrnoException) => this.#fail(e.code ?? e.message));
    this.#sock.on('close', () => this.#fail('closed'));
  }

  #parse(): void {
    const head = this.#buf.indexOf('\r\n\r\n');
    if (head < 0) return;
    const m = /content-length:\s*(\d+)/i.exec(this.#buf.slice(0, head));
    const len = m !== null ? Number(m[1]) : 0;
    if (this.#buf.length < head + 4 + len) return;
    const body = this.#buf.slice(head + 4, head + 4 + len);
    this.#buf = this.#buf.slice(head + 4 + len);
    const p = this.#pending;
    this.#pending = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    p?.(body.trim());
  }

  #fail(why: string): void {
    if (this.r.ok) {
      this.r.ok = false;
      this.r.err = why;
    }
    const p = this.#pending;
    this.#pending = undefined;
    p?.(new Error(why));
  }

  request(): Promise<void> {
    if (!this.r.ok) return Promise.resolve();
    return new Promise((resolve) => {
      this.#pending = (b) => {
        if (b instanceof Error) this.#fail(b.message);
        else {
          this.r.requests++;
          if (this.r.rs === undefined) this.r.rs = b;
          else if (this.r.rs !== b) this.#fail(`real server changed from ${this.r.rs} to ${b}`);
        }
        resolve();
      };
      this.#timer = setTimeout(() => this.#fail(`no answer within ${timeoutMs} ms`), timeoutMs);
      this.#sock.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    });
  }

  close(): void {
    this.#sock.removeAllListeners('close');
    this.#sock.destroy();
  }
}

async function main(): Promise<void> {
  const conns: Conn[] = [];
  for (let i = 0; i < count; i++) conns.push(new Conn());
  await Promise.all(conns.map((c) => c.request()));
  emit({ ready: true, at: now() });
  const end = now() + durationMs;
  while (now() < end) {
    const tick = now();
    await Promise.all(conns.map((c) => c.request()));
    const wait = intervalMs - (now() - tick);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  for (const c of conns) c.close();
  emit({ done: true, results: conns.map((c) => c.r) });
}

void main().then(() => process.exit(0));
