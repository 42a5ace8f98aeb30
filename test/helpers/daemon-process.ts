// Runs the real `halb` CLI as a child process for integration tests, and cleans up.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer as createTcpServer } from 'node:net';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HALB = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createTcpServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Backend {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
  hits: number;
}

/** A web server that answers with its own name, as the seeds' real servers do. */
export async function startBackend(name: string, host = '127.0.0.1'): Promise<Backend> {
  const port = await freePort(host);
  const b: Backend = { name, port, server: createHttpServer(), hits: 0 };
  b.server.on('request', (_req, res) => {
    b.hits++;
    res.end(name);
  });
  b.server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => b.server.listen(port, host, () => resolve()));
  return b;
}

export function httpGet(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${host}:${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export interface DaemonProc {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly socket: string;
  output(): string;
  ctl(...args: string[]): { status: number | null; stdout: string; stderr: string };
  stop(): Promise<void>;
}

/** Start `halb -n -l -f CONF` and wait until its control socket answers. */
export async function startDaemon(configFile: string, extraArgs: string[] = []): Promise<DaemonProc> {
  const dir = mkdtempSync(join(tmpdir(), 'halb-it-'));
  const socket = join(dir, 'halb.sock');
  // Parallel test daemons would all want the default admin port: off unless a test asks.
  const admin = extraArgs.includes('--admin-listen') ? [] : ['--admin-listen', 'off'];
  // These tests were written for the userspace proxy; `auto` would pick a kernel engine as root.
  if (!extraArgs.includes('--dataplane')) admin.push('--dataplane', 'proxy');
  const child = spawn(process.execPath, [HALB, '-n', '-l', '-f', configFile, '--control-socket', socket, ...admin, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { out += c.toString(); });
  const ctl = (...args: string[]) => {
    const r = spawnSync(process.execPath, [HALB, 'ctl', '--control-socket', socket, ...args], { encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const proc: DaemonProc = {
    child, dir, socket, ctl,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (existsSync(socket) && ctl('status').status === 0) return proc;
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.stop();
  throw new Error(`daemon did not come up:\n${out}`);
}
