// Active-active directors behind ECMP (halb lab --ecmp): 1, 2 and 3 directors announce
// the VIP over BGP to a BIRD router hashing on L4 ports. For each size the client makes
// BENCH_ECMP_CONNS new connections (dflt 600, at 200/s) and the bench reports how they
// spread over the directors (each director's own connection counter) and each director's
// CPU per connection (user+system of halb and the BIRD it runs, from /proc), against the
// 1-director run of the same bench.
//
// The directors run the proxy dataplane (full NAT): the per-connection work is then in
// halb's process and can be counted per director. With the nft dataplane it is kernel
// softirq time, which /proc cannot attribute to a namespace.
//
// What this cannot show: throughput scaling. Every namespace shares this machine's 2
// cores, so 3 directors have no more CPU than 1; what scales out here is the share of
// connections (and so of CPU) each director carries. Needs root and bird. Asserts nothing.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlRequest } from '../src/api/control-client.js';
import type { DaemonStatus } from '../src/api/control-protocol.js';
import type { BgpSnapshot } from '../src/bgp/speaker.js';
import { labUp } from '../src/lab/lab-up.js';
import { labDown } from '../src/lab/lab-down.js';
import { measureSpread } from '../src/lab/ecmp-drill.js';
import { directorFiles, processKey, type LabState } from '../src/lab/state.js';
import { DEFAULT_OPTIONS } from '../src/lab/topology.js';
import { which, writeResults } from './lib.js';

const CONNS = Number(process.env.BENCH_ECMP_CONNS ?? 600);
const TICK = 100; // USER_HZ on Linux

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICK;
  } catch {
    return 0;
  }
}

async function directorPids(state: LabState): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const d of state.topology.directors) {
    const halb = state.processes[processKey(d.role, 'halb')]?.pid;
    const r = await controlRequest(directorFiles(state.dir, d.role).socket, { cmd: 'status' }, 5000);
    const bird = r.ok ? ((r.result as { daemon: DaemonStatus }).daemon.bgp as BgpSnapshot | undefined)?.daemon.pid : undefined;
    out.set(d.role, [halb, bird].filter((p): p is number => p !== undefined));
  }
  return out;
}

interface Row { directors: number; connections: number; failed: number; shares: Record<string, number>; cpuMsPer1k: Record<string, number> }

async function once(n: number, root: string): Promise<Row> {
  const name = `eb${process.pid % 10000}${n}`;
  const o = { ...DEFAULT_OPTIONS, name, directors: n, realServers: 2, mode: 'nat' as const, dataplane: 'proxy' as const, ecmp: true };
  const state = await labUp(o, { log: (l) => console.error(`[${n} director(s)] ${l}`), dir: join(root, name) });
  try {
    const pids = await directorPids(state);
    const before = new Map([...pids].map(([d, ps]) => [d, ps.reduce((s, p) => s + cpuMs(p), 0)]));
    const r = await measureSpread(state, CONNS, 200);
    const shares: Record<string, number> = {};
    const cpuMsPer1k: Record<string, number> = {};
    for (const [d, ps] of pids) {
      const got = r.byDirector[d] ?? 0;
      shares[d] = got / Math.max(1, r.connections);
      const used = ps.reduce((s, p) => s + cpuMs(p), 0) - (before.get(d) ?? 0);
      cpuMsPer1k[d] = got > 0 ? (1000 * used) / got : 0;
    }
    return { directors: n, connections: r.connections, failed: r.failed, shares, cpuMsPer1k };
  } finally {
    await labDown(name, state.dir);
  }
}

function markdown(rows: readonly Row[]): string {
  const base = rows.find((r) => r.directors === 1);
  const baseCpu = base !== undefined ? Object.values(base.cpuMsPer1k)[0] : undefined;
  const lines = [
    '# ECMP spread over active-active directors (halb lab --ecmp, proxy dataplane)',
    '',
    `${CONNS} new connections from one client per size, hashed by the router on L4 ports (BIRD 2, fib_multipath_hash_policy=1), each director's mh over 2 real servers.`,
    'CPU is user+system of halb and its BIRD per 1000 connections the director scheduled; the ratio is against the single director of the same run.',
    '**2 cores cannot show throughput scaling**: every director shares them, so this shows how the load divides, not that it grows.',
    'CPU per connection rises with more directors: each one\'s fixed cost (health checks, BIRD, counter polls) is spread over fewer connections in the same run.',
    '',
    '| directors | connections | failed | share of new connections per director | CPU ms per 1000 connections per director | vs 1 director |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const cpu = Object.values(r.cpuMsPer1k);
    const mean = cpu.reduce((s, v) => s + v, 0) / Math.max(1, cpu.length);
    lines.push(`| ${r.directors} | ${r.connections} | ${r.failed} | ${Object.entries(r.shares).map(([d, s]) => `${d} ${(100 * s).toFixed(0)} %`).join(', ')} | ${Object.entries(r.cpuMsPer1k).map(([d, c]) => `${d} ${c.toFixed(0)}`).join(', ')} | ${baseCpu !== undefined && baseCpu > 0 ? `${(mean / baseCpu).toFixed(2)}x` : 'n/a'} |`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const missing = ['ip', 'bird'].filter((b) => which(b) === undefined);
  if (!root || missing.length > 0) {
    const why = !root ? 'needs root (network namespaces)' : `missing ${missing.join(', ')} (apt-get install bird2)`;
    console.log(`ecmp spread bench skipped: ${why}`);
    writeResults('ecmp-spread', { skipped: true, why }, `# ECMP spread\n\nSkipped: ${why}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'halb-ecmp-bench-'));
  const rows: Row[] = [];
  try {
    for (const n of [1, 2, 3]) rows.push(await once(n, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const md = markdown(rows);
  const files = writeResults('ecmp-spread', { connections: CONNS, rows }, md);
  console.log(md);
  console.log(`written ${files.json} and ${files.md}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
