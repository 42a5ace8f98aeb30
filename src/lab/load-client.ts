// The drills' client load, run inside the client namespace: an open-loop stream of HTTP
// GETs to the VIP at a fixed rate, each on a new connection (Connection: close) so that
// every request crosses the VIP afresh, as a browser reload in the seeds does. Open
// loop: a stalled request does not delay the next one, so an outage shows as the
// requests that failed during it, not as a pause in sending.
//
//   node load-client.js --host VIP [--port 80] [--rate 100] [--timeout 1000]
//                       [--count N] [--max-seconds 600] [--lab DIR]
//
// One JSON line per finished request on stdout:
//   {"s":<start, epoch ms>,"e":<end>,"ok":true,"rs":"rs1"}   (rs = the body, trimmed)
//   {"s":...,"e":...,"ok":false,"err":"ECONNREFUSED"}
// and {"done":true,"sent":N} at the end. Without --count it runs until its stdin closes
// (the drill ends it that way, and so does the drill's death), or --max-seconds.
import { request } from 'node:http';
import { arg, emit } from './client-io.js';
import { preciseWallNow } from '../core/clock.js';

const host = arg('host', '127.0.0.1');
const port = Number(arg('port', 80));
const rate = Math.max(1, Number(arg('rate', 100)));
const timeoutMs = Math.max(10, Number(arg('timeout', 1000)));
const count = Number(arg('count', 0));
const maxMs = Number(arg('max-seconds', 600)) * 1000;
const maxInFlight = Math.ceil((rate * timeoutMs) / 1000) * 2 + 16;

const now = preciseWallNow;
let sent = 0;
let inFlight = 0;
let stopping = false;

function finish(): void {
  if (inFlight > 0) return;
  emit({ done: true, sent });
  process.stdout.end(() => process.exit(0));
}

function fire(): void {
  sent++;
  const s = now();
  if (inFlight >= maxInFlight) {
    emit({ s: Math.round(s * 10) / 10, e: Math.round(s * 10) / 10, ok: false, err: 'CLIENT_OVERLOAD' });
    return;
  }
  inFlight++;
  let settled = false;
  const done = (ok: boolean, extra: { rs?: string; err?: string }): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    inFlight--;
    emit({ s: Math.round(s * 10) / 10, e: Math.round(now() * 10) / 10, ok, ...extra });
    if (stopping) finish();
  };
  const req = request({ host, port, path: '/', agent: false, headers: { connection: 'close' } }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => { body += c; });
    res.on('end', () => {
      const rs = body.trim();
      if (res.statusCode === 200 && rs !== '') done(true, { rs });
      else done(false, { err: `HTTP_${res.statusCode ?? 0}` });
    });
    res.on('error', (e: NodeJS.ErrnoException) => done(false, { err: e.code ?? 'RESPONSE_ERROR' }));
  });
  const timer = setTimeout(() => {
    req.destroy();
    done(false, { err: 'TIMEOUT' });
  }, timeoutMs);
  req.on('error', (e: NodeJS.ErrnoException) => done(false, { err: e.code ?? e.message }));
  req.end();
}

const t0 = now();
function tick(): void {
  if (stopping) return;
  const due = Math.floor(((now() - t0) * rate) / 1000) + 1;
  while (sent < due && (count === 0 || sent < count)) fire();
  if ((count > 0 && sent >= count) || now() - t0 >= maxMs) {
    stop();
    return;
  }
  setTimeout(tick, Math.max(1, Math.min(10, 1000 / rate)));
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  finish();
}

if (count === 0) {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
process.on('SIGTERM', stop);
tick();
