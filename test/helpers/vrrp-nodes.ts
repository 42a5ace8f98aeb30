// VRRP speakers inside LAN namespaces: Debian's keepalived and halb's engine (through
// test/helpers/run-vrrp-instance.ts). Each runs in its own process group so a kill -9
// takes keepalived's VRRP child with it; output is kept for assertions; every process
// is killed from a process 'exit' hook if a test forgot to.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NetNs } from './netns.js';
import type { WorkerSnapshot } from '../../src/vrrp/engine/worker-protocol.js';

const live = new Set<VrrpNode>();
let hooked = false;

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

export function makeWorkDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `halb-${tag}-${process.pid}-`));
}

export function removeWorkDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A delay that does not keep the process alive (for races against a process exit). */
const grace = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/** Poll `cond` every `everyMs` until it holds; false when `timeoutMs` passed first. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (cond()) return true;
    if (Date.now() >= end) return false;
    await sleep(everyMs);
  }
}

export class VrrpNode {
  readonly name: string;
  readonly kind: 'keepalived' | 'halb';
  readonly #child: ChildProcess;
  readonly #file: string;
  #out = '';
  readonly exited: Promise<number | null>;
  #done = false;

  private constructor(name: string, kind: 'keepalived' | 'halb', child: ChildProcess, file: string) {
    this.name = name;
    this.kind = kind;
    this.#child = child;
    this.#file = file;
    const keep = (b: Buffer): void => { this.#out += b.toString('utf8'); };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => {
      this.#done = true;
      live.delete(this);
      resolve(code ?? (signal === null ? null : -1));
    }));
    live.add(this);
    if (!hooked) {
      hooked = true;
      process.on('exit', () => { for (const n of live) n.#killGroup(); });
    }
  }

  /** keepalived -n -l -D with its own pid files, configuration `conf` written to `dir`. */
  static keepalived(ns: NetNs, dir: string, name: string, conf: string): VrrpNode {
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, conf);
    const args = ['netns', 'exec', ns.name, 'keepalived', '-n', '-l', '-D', '-G', '-f', file,
      '-p', join(dir, `${name}.pid`), '-r', join(dir, `${name}-vrrp.pid`), '-c', join(dir, `${name}-check.pid`)];
    return new VrrpNode(name, 'keepalived', spawn('ip', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] }), file);
  }

  /** halb's engine in a worker thread, for `spec` (run-vrrp-instance.ts's JSON). */
  static halb(ns: NetNs, dir: string, name: string, spec: unknown): VrrpNode {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(spec, null, 2));
    const runner = join(repoRoot(), 'dist', 'test', 'helpers', 'run-vrrp-instance.js');
    if (!existsSync(runner)) throw new Error(`${runner} is missing: build first (npx tsc -p tsconfig.json)`);
    const args = ['netns', 'exec', ns.name, process.execPath, runner, file];
    return new VrrpNode(name, 'halb', spawn('ip', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] }), file);
  }

  /** The real daemon: `halb -n -l -f CONF` (VRRP and the proxy dataplane from one keepalived.conf). */
  static halbDaemon(ns: NetNs, dir: string, name: string, conf: string, extra: readonly string[] = []): VrrpNode {
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, conf);
    const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npx tsc -p tsconfig.json)`);
    const args = ['netns', 'exec', ns.name, process.execPath, cli, '-n', '-l', '-f', file, '--control-socket', join(dir, `${name}.sock`),
      ...(extra.includes('--dataplane') ? [] : ['--dataplane', 'proxy']), ...extra];
    return new VrrpNode(name, 'halb', spawn('ip', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] }), file);
  }

  get output(): string {
    return this.#out;
  }

  get running(): boolean {
    return !this.#done;
  }

  count(re: RegExp): number {
    return (this.#out.match(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`)) ?? []).length;
  }

  async waitFor(re: RegExp, timeoutMs: number): Promise<boolean> {
    return waitUntil(() => re.test(this.#out), timeoutMs, 25);
  }

  #killGroup(): void {
    if (this.#done || this.#child.pid === undefined) return;
    try {
      process.kill(-this.#child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** kill -9 the whole process group (keepalived's VRRP child included): no priority-0 advert. */
  async kill9(): Promise<void> {
    this.#killGroup();
    await Promise.race([this.exited, grace(5000)]);
  }

  /** A clean stop (SIGTERM): the master sends priority 0 and removes its VIPs. */
  async stop(timeoutMs = 8000): Promise<void> {
    if (this.#done) return;
    this.#child.kill('SIGTERM');
    const r = await Promise.race([this.exited.then(() => 'exited'), grace(timeoutMs).then(() => 'timeout')]);
    if (r === 'timeout') this.#killGroup();
    await Promise.race([this.exited, grace(2000)]);
  }

  /** halb only: ask the runner for a snapshot (SIGUSR1) and read it. */
  async snapshot(timeoutMs = 3000): Promise<WorkerSnapshot> {
    if (this.kind !== 'halb' || this.#child.pid === undefined) throw new Error('snapshots come from halb nodes');
    const out = `${this.#file}.snapshot.json`;
    const before = existsSync(out) ? statSync(out).mtimeMs : 0;
    this.#child.kill('SIGUSR1');
    const ok = await waitUntil(() => existsSync(out) && statSync(out).mtimeMs !== before, timeoutMs, 20);
    if (!ok) throw new Error(`${this.name}: no snapshot within ${timeoutMs} ms\n${this.#out}`);
    return JSON.parse(readFileSync(out, 'utf8')) as WorkerSnapshot;
  }
}

export interface CapturedFrame {
  readonly t: number;
  readonly kind: 'arp' | 'na' | 'vrrp';
  readonly ethSrc: string;
  readonly ip?: string;
  readonly mac?: string;
  readonly family?: 4 | 6;
  readonly hex?: string;
}

/** test/helpers/capture-frames.ts running in a namespace; frames collect in `frames`. */
export class FrameCapture {
  readonly frames: CapturedFrame[] = [];
  readonly #child: ChildProcess;
  #partial = '';
  #ready = false;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stdout?.on('data', (b: Buffer) => {
      this.#partial += b.toString('utf8');
      let nl: number;
      while ((nl = this.#partial.indexOf('\n')) >= 0) {
        const line = this.#partial.slice(0, nl);
        this.#partial = this.#partial.slice(nl + 1);
        const rec = JSON.parse(line) as CapturedFrame | { kind: 'ready' };
        if (rec.kind === 'ready') this.#ready = true;
        else this.frames.push(rec);
      }
    });
  }

  static async start(ns: NetNs): Promise<FrameCapture> {
    const script = join(repoRoot(), 'dist', 'test', 'helpers', 'capture-frames.js');
    const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    const c = new FrameCapture(child);
    const ok = await waitUntil(() => c.#ready, 5000);
    if (!ok) {
      c.stop();
      throw new Error('frame capture did not start');
    }
    return c;
  }

  stop(): void {
    if (this.#child.pid !== undefined && this.#child.exitCode === null) {
      try {
        process.kill(-this.#child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}
