// Network namespaces as `halb lab` builds them: namespaces, a bridge, veth pairs,
// addresses, links up and down, sysctls, and processes started inside a namespace,
// all through iproute2 (`ip`, `bridge`) and procps' `sysctl`, the tools an operator
// would type. Links are created straight into their namespaces, so nothing ever
// appears in the caller's own namespace.
//
// A process started here runs detached in its own process group with its output in a
// log file, so it outlives the command that started it; `namespacePids` finds every
// process inside a namespace however it got there, which is what a sweep after a
// crash relies on.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { SysError } from '../core/errors.js';
import { execCommand, type ExecResult } from './exec-ns.js';
import { preciseWallNow } from '../core/clock.js';

/** Run iproute2's `ip`; a non-zero exit is a SysError carrying what ip said. */
export async function ip(args: readonly string[], timeoutMs = 15_000): Promise<string> {
  const r = await execCommand('ip', args, { timeoutMs });
  if (r.status !== 0) throw new SysError('ip', `ip ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Run a program inside `ns` and wait for it; the exit status is a result, not an error. */
export function execIn(ns: string, cmd: string, args: readonly string[], timeoutMs = 15_000): Promise<ExecResult> {
  return execCommand(cmd, args, { netns: ns, timeoutMs });
}

/** Names of the named network namespaces (`ip netns list`). */
export async function listNamespaces(): Promise<string[]> {
  const out = await ip(['netns', 'list']);
  // Lines read "NAME" or "NAME (id: N)".
  return out.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n !== '');
}

/** A namespace with its loopback up. */
export async function createNamespace(name: string): Promise<void> {
  await ip(['netns', 'add', name]);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
}

/**
 * Delete a namespace. Its links go with it; processes still inside keep it alive but
 * out of reach of `ip netns pids`, so callers kill them first (killNamespaceProcesses).
 */
export async function deleteNamespace(name: string): Promise<void> {
  const r = await execCommand('ip', ['netns', 'del', name]);
  if (r.status !== 0 && !/No such file/.test(r.stderr)) throw new SysError('ip', `ip netns del ${name}: ${r.stderr.trim()}`);
}

/** Every process whose network namespace is `name`. */
export async function namespacePids(name: string): Promise<number[]> {
  const r = await execCommand('ip', ['netns', 'pids', name]);
  if (r.status !== 0) return [];
  return r.stdout.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
}

export async function createBridge(ns: string, name: string): Promise<void> {
  // No STP delay and no multicast snooping: VRRP's 224.0.0.18 is flooded to every port.
  await ip(['-n', ns, 'link', 'add', name, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0', 'mcast_snooping', '0']);
  await ip(['-n', ns, 'link', 'set', name, 'up']);
}

export interface VethSpec {
  /** Namespace and name of one end. */
  readonly ns: string;
  readonly name: string;
  /** Namespace and name of the other end. */
  readonly peerNs: string;
  readonly peerName: string;
}

/** A veth pair whose ends are created directly in their namespaces. */
export async function createVeth(v: VethSpec): Promise<void> {
  await ip(['link', 'add', v.name, 'netns', v.ns, 'type', 'veth', 'peer', 'name', v.peerName, 'netns', v.peerNs]);
}

/** Make `dev` a port of `bridge` and bring it up. */
export async function attachToBridge(ns: string, dev: string, bridge: string): Promise<void> {
  await ip(['-n', ns, 'link', 'set', dev, 'master', bridge, 'up']);
}

/**
 * Bridge port isolation: isolated ports cannot reach each other, yet still reach every
 * port that is not isolated (see bridge(8), `isolated`).
 */
export async function setPortIsolated(ns: string, dev: string, isolated: boolean): Promise<void> {
  const r = await execCommand('bridge', ['link', 'set', 'dev', dev, 'isolated', isolated ? 'on' : 'off'], { netns: ns });
  if (r.status !== 0) throw new SysError('bridge', `bridge link set dev ${dev} isolated in ${ns}: ${r.stderr.trim()}`);
}

export async function setLinkUp(ns: string, dev: string, up: boolean): Promise<void> {
  await ip(['-n', ns, 'link', 'set', dev, up ? 'up' : 'down']);
}

/** Add an address (CIDR); IPv6 ones without duplicate address detection. */
export async function addAddress(ns: string, dev: string, cidr: string): Promise<void> {
  await ip(['-n', ns, 'addr', 'add', cidr, 'dev', dev, ...(cidr.includes(':') ? ['nodad'] : [])]);
}

/** Remove every address `addr` (any prefix length) from `dev`; absent is fine. */
export async function removeAddress(ns: string, dev: string, addr: string): Promise<void> {
  for (const a of await linkAddresses(ns, dev)) {
    if (a.address === addr) await ip(['-n', ns, 'addr', 'del', `${a.address}/${a.prefix}`, 'dev', dev]);
  }
}

export interface LinkAddress {
  readonly address: string;
  readonly prefix: number;
}

/** The addresses on `dev` in `ns`. */
export async function linkAddresses(ns: string, dev: string): Promise<LinkAddress[]> {
  const out = JSON.parse(await ip(['-n', ns, '-j', 'addr', 'show', 'dev', dev])) as { addr_info?: { local: string; prefixlen: number }[] }[];
  return (out[0]?.addr_info ?? []).map((a) => ({ address: a.local, prefix: a.prefixlen }));
}

/** The MAC address of `dev`. */
export async function linkMac(ns: string, dev: string): Promise<string> {
  const out = JSON.parse(await ip(['-n', ns, '-j', 'link', 'show', 'dev', dev])) as { address?: string }[];
  return out[0]?.address ?? '';
}

/** The neighbour (ARP) entry for `addr` on `dev`: its MAC and NUD state, or undefined. */
export async function neighbour(ns: string, dev: string, addr: string): Promise<{ mac: string | undefined; state: readonly string[] } | undefined> {
  const out = JSON.parse(await ip(['-n', ns, '-j', 'neigh', 'show', addr, 'dev', dev]) || '[]') as { lladdr?: string; state?: string[] }[];
  const e = out[0];
  return e === undefined ? undefined : { mac: e.lladdr, state: e.state ?? [] };
}

export async function deleteNeighbour(ns: string, dev: string, addr: string): Promise<void> {
  await execCommand('ip', ['-n', ns, 'neigh', 'del', addr, 'dev', dev]);
}

export async function addRoute(ns: string, args: readonly string[]): Promise<void> {
  await ip(['-n', ns, 'route', 'add', ...args]);
}

/** Set sysctls inside `ns` in one `sysctl -w` run. */
export async function setSysctls(ns: string, values: Readonly<Record<string, string | number>>): Promise<void> {
  const args = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  if (args.length === 0) return;
  const r = await execCommand('sysctl', ['-q', '-w', ...args], { netns: ns });
  if (r.status !== 0) throw new SysError('sysctl', `sysctl -w ${args.join(' ')} in ${ns}: ${r.stderr.trim()}`);
}

export interface DetachedSpec {
  readonly ns: string;
  readonly cmd: string;
  readonly args: readonly string[];
  /** stdout and stderr are appended here. */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Start a long-running program inside `ns`, detached in its own process group (so a
 * signal to the group reaches its children too) and not tied to this process. Resolves
 * with its pid once it has started; `ip netns exec` execs the program, so the pid is
 * the program's own.
 */
export function spawnDetached(s: DetachedSpec): Promise<number> {
  const fd = openSync(s.logFile, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', s.ns, s.cmd, ...s.args], {
      detached: true, stdio: ['ignore', fd, fd], env: s.env ?? process.env,
    });
    return new Promise((resolve, reject) => {
      child.once('error', (e) => reject(new SysError('spawn', `cannot start ${s.cmd} in ${s.ns}: ${e.message}`, (e as NodeJS.ErrnoException).code)));
      child.once('spawn', () => {
        child.unref();
        resolve(child.pid as number);
      });
    });
  } finally {
    closeSync(fd);
  }
}

/** Start a program inside `ns` as a child of this process, with pipes (for observers). */
export function spawnAttached(ns: string, cmd: string, args: readonly string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signal a process group (negative pid), falling back to the process alone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wait until none of `pids` is alive; false when `timeoutMs` passed first. */
export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (pids.every((p) => !isAlive(p))) return true;
    if (performance.now() >= end) return false;
    await pause(25);
  }
}

/**
 * Stop every process inside `ns`: SIGTERM, then SIGKILL after `graceMs` for whatever is
 * left. Returns the pids that were found.
 */
export async function killNamespaceProcesses(ns: string, graceMs: number): Promise<number[]> {
  const pids = await namespacePids(ns);
  if (pids.length === 0) return pids;
  if (graceMs > 0) {
    for (const p of pids) signalGroup(p, 'SIGTERM');
    if (await waitGone(pids, graceMs)) return pids;
  }
  // Late arrivals (a child forked during the grace time) are picked up again.
  const left = [...new Set([...pids, ...(await namespacePids(ns))])];
  for (const p of left) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitGone(left, 5000);
  return left;
}

export interface AddressEvent {
  readonly deleted: boolean;
  readonly ifname: string;
  readonly address: string;
  readonly prefix: number;
}

/**
 * One line of `ip -o monitor address`, e.g.
 *   `2: eth0    inet 192.0.2.100/32 scope global eth0\       valid_lft forever ...`
 *   `Deleted 2: eth0    inet 192.0.2.100/32 scope global eth0\ ...`
 * undefined for anything else.
 */
export function parseAddressMonitorLine(line: string): AddressEvent | undefined {
  const m = /^(Deleted\s+)?\d+:\s+(\S+)\s+inet6?\s+([0-9a-fA-F.:]+)\/(\d+)/.exec(line.trim());
  if (m === null) return undefined;
  return { deleted: m[1] !== undefined, ifname: m[2] as string, address: m[3] as string, prefix: Number(m[4]) };
}

export interface AddressWatch {
  /** Resolves once the monitor runs (the netlink socket is subscribed). */
  readonly ready: Promise<void>;
  stop(): void;
}

/**
 * Watch address changes inside `ns` with `ip -o monitor address`, run inside the
 * namespace itself so that a sweep of the namespace also ends the watcher.
 */
export function watchAddresses(ns: string, onEvent: (e: AddressEvent, at: number) => void): AddressWatch {
  const child = spawnAttached(ns, 'ip', ['-o', 'monitor', 'address']);
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (c: string) => {
    const at = preciseWallNow();
    partial += c;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const e = parseAddressMonitorLine(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
      if (e !== undefined) onEvent(e, at);
    }
  });
  child.on('error', () => undefined);
  // `ip monitor` prints nothing when it starts: give it a moment to open its socket.
  const ready = new Promise<void>((resolve) => {
    child.once('spawn', () => setTimeout(resolve, 100));
    child.once('error', () => resolve());
  });
  return {
    ready,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
