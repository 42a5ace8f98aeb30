// keepalived 2.2.7 as the oracle for IPVS programming (test/vm/ipvs-oracle-keepalived.test.ts):
// daemons started inside a namespace of the VM tier's guest, and the namespace's IPVS
// table read back in a form two programs can be compared by (`ipvsadm -S -n`, sorted,
// plus the connection timeouts).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetNs } from './netns.js';
import type { ConfigFixture } from './config-fixtures.js';
import { reloadVariant, stripCheckers } from './keepalived-conf-edit.js';
import { execIn } from '../../src/sys/netns.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const grace = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/**
 * The namespace's IPVS table: `ipvsadm -S -n` lines sorted (the order of services and
 * destinations is the kernel's hash order, not part of what was programmed), then the
 * tcp/tcpfin/udp timeouts (`lvs_timeouts`).
 */
export async function ipvsTable(ns: NetNs): Promise<string> {
  // One `ip netns exec` per reading: under emulation each costs a namespace setup. Not
  // spawnSync: the oracle reads one namespace while it waits on the other daemon.
  const r = await execIn(ns.name, 'sh', ['-c', 'ipvsadm -S -n && echo @@timeouts && ipvsadm -L --timeout'], 15_000);
  if (r.status !== 0) throw new Error(`ipvsadm -S -n / -L --timeout in ${ns.name} failed: ${r.stderr.trim()}`);
  const [save = '', tmo = ''] = r.stdout.split('@@timeouts\n');
  const lines = save.split('\n').map((l) => l.trim()).filter((l) => l !== '').sort();
  return [...lines, `# ${tmo.trim()}`].join('\n');
}

/** Empty the namespace's IPVS table (services and timeouts back to the kernel's defaults). */
export function ipvsReset(ns: NetNs): void {
  for (const args of [['-C'], ['--set', '900', '120', '300']]) {
    const r = ns.run('ipvsadm', args, { timeoutMs: 15_000 });
    if (r.status !== 0) throw new Error(`ipvsadm ${args.join(' ')} in ${ns.name} failed: ${r.stderr.trim()}`);
  }
}

/**
 * Wait until the table stops changing: the same reading three times 300 ms apart. With
 * `changedFrom`, first wait until the table differs from it (a reload must be seen to
 * act). An empty table counts as settled only after `emptyGraceMs`, since the daemon may
 * not have programmed anything yet. Returns the last reading even on timeout; the
 * comparison then shows what was there.
 */
export async function settledTable(ns: NetNs, opts: { changedFrom?: string; timeoutMs?: number; emptyGraceMs?: number; expect?: () => string | undefined } = {}): Promise<string> {
  const start = Date.now();
  const end = start + (opts.timeoutMs ?? 30_000);
  let last = '';
  let same = 0;
  for (;;) {
    const now = await ipvsTable(ns);
    const waitingForChange = opts.changedFrom !== undefined && now === opts.changedFrom;
    const emptyTooSoon = !now.includes('-A ') && Date.now() - start < (opts.emptyGraceMs ?? 4000);
    same = now === last ? same + 1 : 0;
    last = now;
    // Three equal readings in a row, or two that already equal the other daemon's table
    // (a partial table read twice cannot pass for the final one unless it is that table).
    const settled = same >= 2 || (same >= 1 && opts.expect !== undefined && opts.expect() === now);
    if (!waitingForChange && !emptyTooSoon && settled) return now;
    if (Date.now() >= end) return now;
    await sleep(300);
  }
}

/** A daemon inside a namespace, in its own process group, killed at exit if still running. */
export class NsDaemon {
  readonly name: string;
  readonly #child: ChildProcess;
  #out = '';
  #done = false;
  readonly exited: Promise<void>;
  static readonly #live = new Set<NsDaemon>();
  static #hooked = false;

  constructor(ns: NetNs, name: string, argv: readonly string[], cwd: string) {
    this.name = name;
    this.#child = spawn('ip', ['netns', 'exec', ns.name, ...argv], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer): void => { this.#out += b.toString('utf8'); };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => this.#child.on('exit', () => {
      this.#done = true;
      NsDaemon.#live.delete(this);
      resolve();
    }));
    NsDaemon.#live.add(this);
    if (!NsDaemon.#hooked) {
      NsDaemon.#hooked = true;
      process.on('exit', () => { for (const d of NsDaemon.#live) d.#killGroup(); });
    }
  }

  get output(): string {
    return this.#out;
  }

  get running(): boolean {
    return !this.#done;
  }

  /** How many times `re` matched the output so far. */
  count(re: RegExp): number {
    return (this.#out.match(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`)) ?? []).length;
  }

  /** Wait until the output matches `re` at least `times` times; false on timeout or exit. */
  async waitFor(re: RegExp, timeoutMs: number, times = 1): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.count(re) < times) {
      if (this.#done || Date.now() >= end) return false;
      await sleep(100);
    }
    return true;
  }

  reload(): void {
    if (!this.#done) this.#child.kill('SIGHUP');
  }

  #killGroup(): void {
    if (this.#done || this.#child.pid === undefined) return;
    try {
      process.kill(-this.#child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** SIGTERM (the daemon removes what it programmed), SIGKILL to the group after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.#done) return;
    this.#child.kill('SIGTERM');
    const r = await Promise.race([this.exited.then(() => 'exited'), grace(timeoutMs).then(() => 'timeout')]);
    if (r === 'timeout') this.#killGroup();
    await Promise.race([this.exited, grace(2000)]);
  }
}

function confFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...confFiles(p));
    else if (name.endsWith('.conf')) out.push(p);
  }
  return out;
}

/**
 * Copy the fixture's folder (its includes come along) into `dest`, every config with its
 * health checkers removed, and return the main file's path there. Real servers without
 * checkers are up for keepalived and halb alike, so the table depends on the config alone.
 */
export function checkerFreeCopy(f: ConfigFixture, dest: string): string {
  cpSync(f.dir, dest, { recursive: true });
  for (const p of confFiles(dest)) writeFileSync(p, stripCheckers(readFileSync(p, 'utf8')));
  return join(dest, f.fileName);
}

/**
 * Rewrite the copy as its reload step: every file's virtual servers get new weights and
 * one real server fewer and one more; the main file also loses its last virtual server
 * (when it has two or more) and gains a new one.
 */
export function writeReloadStep(dest: string, mainFile: string): void {
  for (const p of confFiles(dest)) writeFileSync(p, reloadVariant(readFileSync(p, 'utf8'), p === mainFile));
}
