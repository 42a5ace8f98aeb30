// Shared pieces of the checker integration tests: real servers on 127.0.0.1 (HTTP, HTTPS
// with a self-signed certificate made by openssl, a DNS responder built on the codec, a
// UDP echo), and a harness that builds checkers from keepalived.conf text through the
// real config pipeline and runs them on the real clock.
import { spawnSync } from 'node:child_process';
import { hostScripts, scriptPort } from '../../../src/sys/script/runner.js';
import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../../src/config/index.js';
import { RealClock } from '../../../src/core/clock.js';
import { HealthScheduler, type RealServerEvent } from '../../../src/check/scheduler.js';
import { buildTarget, contextFromConfig } from '../../../src/check/registry.js';
import { DNS_FLAG, RCODE, decodeMessage, encodeMessage } from '../../../src/check/dns-codec.js';

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

export interface Toggle {
  /** false: the server answers but as a failed service (5xx, bad greeting, SERVFAIL...). */
  healthy: boolean;
}

export interface WebServer extends Toggle {
  readonly port: number;
  body: string;
  hosts: string[];
  servernames: string[];
  /** Stop listening (connections refused) / listen again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export interface Cert {
  key: Buffer;
  cert: Buffer;
}

/** A throwaway self-signed certificate, made with openssl (installed on Debian). */
export function selfSignedCert(): Cert {
  const dir = mkdtempSync(join(tmpdir(), 'halb-cert-'));
  try {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=halb-test'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `openssl failed: ${r.stderr}`);
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startWeb(tls?: Cert): Promise<WebServer> {
  const sockets = new Set<net.Socket>();
  const state = { healthy: true, body: 'hello from halb\n', hosts: [] as string[], servernames: [] as string[] };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    state.hosts.push(req.headers.host ?? '');
    res.writeHead(state.healthy ? 200 : 503, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(state.body) });
    res.end(state.body);
  };
  const make = (): http.Server => {
    const s = tls === undefined
      ? http.createServer(handler)
      : https.createServer({ key: tls.key, cert: tls.cert, SNICallback: (name, cb) => { state.servernames.push(name); cb(null, null as never); } }, handler);
    s.on('connection', (c: net.Socket) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
    return s;
  };
  let server = make();
  const listen = (port: number): Promise<number> => new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
  const port = await listen(0);
  const stop = (): Promise<void> => new Promise((resolve) => {
    for (const c of sockets) c.destroy();
    server.close(() => resolve());
  });
  return Object.assign(state, {
    port,
    down: stop,
    up: async () => { server = make(); await listen(port); },
    close: stop,
  });
}

export interface DnsServer extends Toggle {
  readonly port: number;
  queries: Array<{ name: string; type: number }>;
  /** Answer with a wrong id first (the checker must ignore it). */
  decoyFirst: boolean;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startDns(): Promise<DnsServer> {
  const state = { healthy: true, queries: [] as Array<{ name: string; type: number }>, decoyFirst: false };
  let sock: dgram.Socket;
  const bind = (port: number): Promise<number> => new Promise((resolve) => {
    sock = dgram.createSocket('udp4');
    sock.on('message', (buf, rinfo) => {
      const d = decodeMessage(buf);
      if (!d.ok || d.msg.qr) return;
      const q = d.msg.questions[0];
      if (q !== undefined) state.queries.push({ name: q.name, type: q.type });
      const answer = (id: number): Buffer => encodeMessage({
        id,
        flags: DNS_FLAG.QR | DNS_FLAG.RD | DNS_FLAG.RA | (state.healthy ? RCODE.NOERROR : RCODE.SERVFAIL),
        questions: d.msg.questions,
      }) as Buffer;
      if (state.decoyFirst) sock.send(answer((d.msg.id + 1) & 0xffff), rinfo.port, rinfo.address);
      sock.send(answer(d.msg.id), rinfo.port, rinfo.address);
    });
    sock.bind(port, '127.0.0.1', () => resolve(sock.address().port));
  });
  const port = await bind(0);
  const stop = (): Promise<void> => new Promise((resolve) => sock.close(() => resolve()));
  return Object.assign(state, { port, down: stop, up: async () => { await bind(port); }, close: stop });
}

export interface UdpEcho extends Toggle {
  readonly port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Echoes each datagram; unhealthy echoes garbage instead. */
export async function startUdpEcho(): Promise<UdpEcho> {
  const state = { healthy: true };
  let sock: dgram.Socket;
  const bind = (port: number): Promise<number> => new Promise((resolve) => {
    sock = dgram.createSocket('udp4');
    sock.on('message', (buf, rinfo) => sock.send(state.healthy ? buf : Buffer.from('nope'), rinfo.port, rinfo.address));
    sock.bind(port, '127.0.0.1', () => resolve(sock.address().port));
  });
  const port = await bind(0);
  const stop = (): Promise<void> => new Promise((resolve) => sock.close(() => resolve()));
  return Object.assign(state, { port, down: stop, up: async () => { await bind(port); }, close: stop });
}

/** A configuration with one virtual server and one real server holding `checkers`. */
export function oneServerConfig(o: { rsAddr?: string; rsPort: number; checkers: string; globals?: string; top?: string }): string {
  return `global_defs {\n${o.globals ?? ''}\n}\n${o.top ?? ''}\nvirtual_server 127.0.0.1 65000 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  real_server ${o.rsAddr ?? '127.0.0.1'} ${o.rsPort} {\n    alpha\n${o.checkers}\n  }\n}\n`;
}

export interface Harness {
  hs: HealthScheduler;
  rsId: string;
  events: RealServerEvent[];
  /** Resolve when the real server's state becomes `alive` (or already is); reject after timeoutMs. */
  waitFor(alive: boolean, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/** Build the real server of `text` through config + registry and start checking it. */
export function startChecking(text: string): Harness {
  const r = parseConfigText(text, '/keepalived.conf', { scripts: hostScripts() });
  const errs = r.diagnostics.filter((d) => d.severity !== 'warning' && !/setting default|defaulting/.test(d.message));
  assert.deepEqual(errs, [], 'config has errors');
  const vs = r.config.virtualServers[0];
  const rs = vs?.realServers[0];
  assert.ok(vs !== undefined && rs !== undefined);
  const built = buildTarget({ rsId: 'rs-1', label: `[${rs.addr}]:tcp:${rs.port}` }, vs, rs, contextFromConfig(r.config, scriptPort()));
  assert.deepEqual(built.problems, []);
  assert.ok(built.target.checkers.length > 0);
  const hs = new HealthScheduler({ clock: new RealClock(), random: () => 0 });
  const events: RealServerEvent[] = [];
  const waiters: Array<{ alive: boolean; resolve: (t: number) => void }> = [];
  const t0 = performance.now();
  hs.onRealServer((e) => {
    events.push(e);
    for (const w of waiters.splice(0)) {
      if (w.alive === e.alive) w.resolve(performance.now() - t0);
      else waiters.push(w);
    }
  });
  hs.setTargets([built.target]);
  return {
    hs,
    rsId: 'rs-1',
    events,
    waitFor: (alive, timeoutMs = 5000) => new Promise<number>((resolve, reject) => {
      if (hs.health('rs-1')?.alive === alive) {
        resolve(performance.now() - t0);
        return;
      }
      const timer = setTimeout(() => reject(new Error(`real server not ${alive ? 'alive' : 'dead'} within ${timeoutMs} ms; events: ${JSON.stringify(events.map((e) => [e.alive, e.reason]))}; snapshot: ${JSON.stringify(hs.snapshot().realServers[0]?.checkers.map((c) => c.last))}`)), timeoutMs);
      waiters.push({ alive, resolve: (t) => { clearTimeout(timer); resolve(t); } });
    }),
    stop: () => hs.stop(),
  };
}

/** Fast timing for every checker: probe every 200 ms, down after 2 failures. */
export const FAST = 'delay_loop 0.2\n      retry 1\n      delay_before_retry 0.1\n      warmup 0';
