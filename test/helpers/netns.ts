// A small network-namespace harness for root-only tests, on the idea of keepalived's
// test/netns-test.sh: a fresh namespace per run with veth pairs, commands run inside
// with `ip netns exec`, and teardown that runs even when the test fails.
//
// Rules (test/netns/): namespaces are named halb-<tag>-<pid>-<n> so parallel runs
// never collide; destroy() is idempotent and is also run from a process 'exit' hook
// for namespaces a crashed test left behind. When root or a tool is missing, gate()
// skips with a loud message, except under CI=true where it fails the test.
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export interface VethPair {
  /** End inside the namespace that configs refer to. */
  readonly name: string;
  /** Other end, also inside the namespace (nothing touches the host). */
  readonly peer: string;
  /** CIDR addresses for `name`; IPv6 ones are added with nodad so they are usable at once. */
  readonly addresses: readonly string[];
}

export interface RunResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the command after this long (default 30 s). */
  readonly timeoutMs?: number;
  readonly input?: string;
}

function run(cmd: string, args: readonly string[], opts: RunOptions = {}): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 30_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return { status: 127, signal: null, stdout: '', stderr: `${cmd}: not found` };
  }
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function must(cmd: string, args: readonly string[]): void {
  const r = run(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.trim()}`);
}

/** Whether a program is on PATH (what `command -v` says). */
export function hasProgram(name: string): boolean {
  return run('sh', ['-c', `command -v '${name.replace(/'/g, '')}'`]).status === 0;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Why netns tests cannot run here, or undefined when they can. */
export function netnsUnavailable(programs: readonly string[] = []): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (!isRoot()) return 'network namespaces need root (run the netns tier as root)';
  for (const p of ['ip', ...programs]) if (!hasProgram(p)) return `'${p}' is not installed`;
  return undefined;
}

/**
 * Decide whether a netns test may run. Returns true to go on. Otherwise, under
 * CI=true the test fails (a CI machine must be able to run it); elsewhere it is
 * skipped with a message on stderr saying what was skipped and why.
 */
export function gate(t: TestContext, what: string, programs: readonly string[] = []): boolean {
  const why = netnsUnavailable(programs);
  if (why === undefined) return true;
  if (process.env.CI === 'true') throw new Error(`${what}: cannot run under CI: ${why}`);
  process.stderr.write(`\n*** SKIPPED: ${what}: ${why} ***\n\n`);
  t.skip(`${what}: ${why}`);
  return false;
}

const live = new Set<NetNs>();
let counter = 0;
let hooked = false;

export class NetNs {
  readonly name: string;
  #destroyed = false;

  private constructor(name: string) {
    this.name = name;
  }

  /** Create a namespace with loopback up and the given veth pairs up and addressed. */
  static create(tag: string, links: readonly VethPair[]): NetNs {
    const safe = tag.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 20) || 'ns';
    const ns = new NetNs(`halb-${safe}-${process.pid}-${counter++}`);
    if (!hooked) {
      hooked = true;
      process.on('exit', () => { for (const n of live) n.destroy(); });
    }
    must('ip', ['netns', 'add', ns.name]);
    live.add(ns);
    try {
      must('ip', ['-n', ns.name, 'link', 'set', 'lo', 'up']);
      for (const l of links) {
        must('ip', ['-n', ns.name, 'link', 'add', l.name, 'type', 'veth', 'peer', 'name', l.peer]);
        for (const a of l.addresses) {
          must('ip', ['-n', ns.name, 'addr', 'add', a, 'dev', l.name, ...(a.includes(':') ? ['nodad'] : [])]);
        }
        must('ip', ['-n', ns.name, 'link', 'set', l.name, 'up']);
        must('ip', ['-n', ns.name, 'link', 'set', l.peer, 'up']);
      }
    } catch (e) {
      ns.destroy();
      throw e;
    }
    return ns;
  }

  /** Run a program inside the namespace and wait for it. */
  run(cmd: string, args: readonly string[], opts: RunOptions = {}): RunResult {
    if (this.#destroyed) throw new Error(`netns ${this.name} is already destroyed`);
    return run('ip', ['netns', 'exec', this.name, cmd, ...args], opts);
  }

  /** Delete the namespace (its veths go with it). Safe to call twice. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    live.delete(this);
    run('ip', ['netns', 'del', this.name]);
  }
}
