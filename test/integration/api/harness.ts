// The real `halb` CLI with its admin API on a free loopback port, for the API tests:
// start, wait for "Admin API on", talk HTTP, stop. Also a small HTTP client that keeps
// status codes and headers, and a config writer for TCP_CHECK pools.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HALB, freePort } from '../../helpers/daemon-process.js';

export interface Halb {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly adminPort: number;
  output(): string;
  waitFor(re: RegExp, timeoutMs: number): Promise<boolean>;
  exited(): Promise<number | null>;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly conf: string;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Admin listen address; default 127.0.0.1 on a free port. */
  readonly adminListen?: string;
  /** Resolve as soon as the process started, without waiting for the admin API. */
  readonly noWait?: boolean;
  /** Start with --admin-token-file holding this token; http() then sends it on every request. */
  readonly token?: string;
}

const tokens = new Map<number, string>();

/** Send `Bearer token` on every request to `port` that names no authorization itself. */
export function useToken(port: number, token: string): void {
  tokens.set(port, token);
}

/** A token of the length --admin-token-file wants. */
export const TEST_TOKEN = 'dGVzdC10b2tlbi1mb3ItYWRtaW4td3JpdGVz';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

export async function startHalb(o: StartOptions): Promise<Halb> {
  const dir = mkdtempSync(join(tmpdir(), 'halb-api-'));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, o.conf.replaceAll('@DIR@', dir));
  const adminPort = await freePort();
  const listen = o.adminListen ?? `127.0.0.1:${adminPort}`;
  const tokenArgs: string[] = [];
  if (o.token !== undefined) {
    const tf = join(dir, 'admin.token');
    writeFileSync(tf, `${o.token}\n`, { mode: 0o600 });
    tokenArgs.push('--admin-token-file', tf);
  }
  const child = spawn(process.execPath, [HALB, '-n', '-l', '-f', file, '--control-socket', join(dir, 'halb.sock'),
    '--workers', '0', '--admin-listen', listen, ...tokenArgs,
    ...((o.args ?? []).includes('--dataplane') ? [] : ['--dataplane', 'proxy']), ...(o.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(o.env ?? {}) },
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (re: RegExp, timeoutMs: number): Promise<boolean> => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (re.test(out)) return true;
      if (child.exitCode !== null) return re.test(out);
      await sleep(20);
    }
    return false;
  };
  const port = Number(/:(\d+)$/.exec(listen)?.[1] ?? adminPort);
  if (o.token !== undefined) useToken(port, o.token);
  const h: Halb = {
    child, dir, adminPort: port, waitFor,
    output: () => out,
    exited: () => exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (o.noWait === true) return h;
  if (!(await waitFor(/Admin API on /, 10_000))) {
    await h.stop();
    throw new Error(`halb did not start its admin API:\n${out}`);
  }
  return h;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export function http(port: number, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const t = tokens.get(port);
    const headers = { ...(t !== undefined ? { authorization: `Bearer ${t}` } : {}), ...(init.headers ?? {}) };
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${path} timed out`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

export async function getJson<T>(port: number, path: string, headers: Record<string, string> = {}): Promise<T> {
  const r = await http(port, path, { headers });
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

export function postJson(port: number, path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return http(port, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Samples of one Prometheus text exposition: `name{labels}` -> value. */
export function parseMetrics(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    m.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return m;
}

/** A virtual server on loopback in front of `ports`, TCP_CHECK every second, no retry. */
export function poolConf(vport: number, ports: readonly number[], globalDefs = ''): string {
  return [
    ...(globalDefs !== '' ? ['global_defs {', globalDefs, '}'] : []),
    `virtual_server 127.0.0.1 ${vport} {`, '    delay_loop 1', '    lb_algo rr', '    lb_kind NAT', '    protocol TCP',
    ...ports.flatMap((p) => [
      `    real_server 127.0.0.1 ${p} {`, '        weight 1',
      '        TCP_CHECK {', '            connect_timeout 1', '            retry 0', '            warmup 0', '        }', '    }',
    ]),
    '}', '',
  ].join('\n');
}

export { freePort };
