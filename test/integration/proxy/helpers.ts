// Loopback fixtures for the proxy dataplane tests: small TCP/UDP backends that say who
// they are, free-port discovery, desired-state builders and bounded waits.
import dgram from 'node:dgram';
import net from 'node:net';
import type { RealServerSpec, VirtualServiceSpec } from '../../../src/dataplane/model.js';

export async function freePort(host = '127.0.0.1', type: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  if (type === 'udp') {
    const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    await new Promise<void>((r) => s.bind(0, host, () => r()));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, host, () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface Backend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  accepted: number;
  readonly sockets: Set<net.Socket>;
  close(): Promise<void>;
}

/** Default behaviour: greet with `name\n`, then echo. */
export function greetAndEcho(name: string) {
  return (s: net.Socket): void => {
    s.write(`${name}\n`);
    s.pipe(s);
  };
}

export async function startBackend(name: string, host = '127.0.0.1', onConn: (s: net.Socket) => void = greetAndEcho(name)): Promise<Backend> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    b.accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConn(s);
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  const b: Backend = {
    name, host, port: (server.address() as net.AddressInfo).port, accepted: 0, sockets,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
  return b;
}

export interface UdpBackend {
  readonly name: string;
  readonly port: number;
  /** Client source ports seen (the proxy's per-flow sockets). */
  readonly peers: Set<number>;
  received: number;
  close(): Promise<void>;
}

/** Answers every datagram with `name:` + the payload. */
export async function startUdpBackend(name: string, host = '127.0.0.1'): Promise<UdpBackend> {
  const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  const b: UdpBackend = {
    name, port: 0, peers: new Set(), received: 0,
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
  sock.on('message', (msg, rinfo) => {
    b.received++;
    b.peers.add(rinfo.port);
    sock.send(Buffer.concat([Buffer.from(`${name}:`), msg]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, host, () => r()));
  (b as { port: number }).port = sock.address().port;
  return b;
}

export function rs(b: { port: number }, weight = 1, extra: Partial<RealServerSpec> = {}, host = '127.0.0.1'): RealServerSpec {
  return { address: host, port: b.port, weight, healthy: true, ...extra };
}

export function service(port: number, realServers: RealServerSpec[], extra: Partial<VirtualServiceSpec> = {}): VirtualServiceSpec {
  return { protocol: 'TCP', address: '127.0.0.1', port, scheduler: 'rr', quorumUp: true, realServers, ...extra };
}

/** Connect, read the greeting line, close. `localAddress` picks the client address on 127/8. */
export function whoAnswers(port: number, host = '127.0.0.1', localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        s.end();
        resolve(buf.slice(0, nl));
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error(`closed before a greeting (got '${buf}')`)));
  });
}

/** An open connection through the proxy that has been greeted. */
export interface Session {
  readonly name: string;
  readonly socket: net.Socket;
  /** Send `text` and wait for it to come back (echo). */
  echo(text: string): Promise<string>;
}

export function openSession(port: number, host = '127.0.0.1'): Promise<Session> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host });
    s.setEncoding('utf8');
    let buf = '';
    let waiter: { want: number; done: (v: string) => void } | undefined;
    let session: Session | undefined;
    s.on('data', (d: string) => {
      buf += d;
      if (!session) {
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        const name = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        session = {
          name, socket: s,
          echo: (text) => new Promise((done) => {
            waiter = { want: text.length, done };
            s.write(text);
          }),
        };
        resolve(session);
      }
      if (waiter && buf.length >= waiter.want) {
        const w = waiter;
        waiter = undefined;
        const out = buf.slice(0, w.want);
        buf = buf.slice(w.want);
        w.done(out);
      }
    });
    s.on('error', reject);
  });
}

export async function within<T>(ms: number, label: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`${label}: no result within ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll `cond` every 20 ms until true, failing after `ms`. */
export async function until(ms: number, label: string, cond: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${label}: not true within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Run `fn` for i in [0, n) with at most `width` in flight. */
export async function inParallel(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, lane));
}

export interface Blackhole {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A listener on 127.0.0.1 whose process never accepts: its event loop is blocked and the
 * accept queue (backlog 1) is filled, so further SYNs are dropped and connects hang.
 * Loopback only; the child is killed by pid in close().
 */
export async function startBlackhole(): Promise<Blackhole> {
  const { spawn } = await import('node:child_process');
  const code = `
    const net = require('node:net');
    const s = net.createServer();
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(s.address().port + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
    });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.on('exit', (c) => reject(new Error(`blackhole exited ${c}`)));
  });
  // Fill the accept queue so the kernel drops the proxy's SYNs.
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const f = net.connect({ port, host: '127.0.0.1' });
    f.on('error', () => undefined);
    fillers.push(f);
  }
  await new Promise((r) => setTimeout(r, 100));
  return {
    port,
    close: async () => {
      for (const f of fillers) f.destroy();
      if (child.pid !== undefined && child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(child.pid, 'SIGKILL');
        await exited;
      }
    },
  };
}
