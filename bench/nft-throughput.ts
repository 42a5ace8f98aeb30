// The nft dataplane's throughput in network namespaces, against the same nginx reached
// directly and through HAProxy, in one run: keep-alive requests/s, new connections/s
// (HTTP with Connection: close) and bulk MiB/s, for
//
//   direct     client -> rs1 on the LAN                    (the baseline the issue asks for)
//   routed     client -> director as a plain router -> rs1, replies back through it (no halb:
//              the same namespaces and hops as NAT, so it isolates what DNAT and conntrack cost)
//   nft NAT    client -> 203.0.113.10 -> DNAT in the director's kernel -> rs1, replies back through it
//   nft DR     client -> 192.0.2.50 -> director's netdev ingress fwd -> rs1, replies straight to the client
//   HAProxy    client -> HAProxy 2.6 (mode tcp, nbthread 1) in the director -> rs1   (when installed)
//
// and, for new connections only, the floors each engine stands on, written by hand:
//
//   DR floor   one stateless netdev rule: `ip daddr VIP tcp dport 80 fwd ip to rs1` (no flow
//              state, no counters): the cheapest way through the director one way
//   NAT floor  one DNAT rule in a nat chain (conntrack, no halb): the cheapest kernel NAT
//
// Beside requests/s each run records the machine's CPU time per request (/proc/stat, all
// cores, divided by the requests served): it is steadier than requests/s on a shared host,
// and "path minus direct" is what the director costs per request.
// Every path ends at one nginx on rs1, so the ratios measure the forwarding alone. The
// client, director and server share the machine's 2 cores with wrk: compare ratios, not
// absolute numbers; each figure is the median of interleaved rounds. conntrack's TIME_WAIT is lowered in the director and DR's FIN
// timeout shortened, as PLATFORM.md advises for benchmarks of short connections. Root
// only; prints ratios and asserts nothing. Run: node dist/bench/nft-throughput.js
// (BENCH_SECONDS per run, default 4; BENCH_ROUNDS, default 3).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNftDataplane } from '../src/dataplane/nft/index.js';
import type { Dataplane } from '../src/dataplane/dataplane.js';
import type { DesiredState } from '../src/dataplane/model.js';
import { netnsUnavailable } from '../test/helpers/netns.js';
import type { Lan } from '../test/helpers/lan.js';
import { createLab, DR_VIP, NAT_VIP, RS } from '../test/netns/nft-lab.js';
import { ratio, sleep, which, writeResults, type WrkResult } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HAPROXY_VIP = '203.0.113.20';
const NAT_FLOOR_VIP = '203.0.113.12';
const DR_FLOOR_VIP = '192.0.2.51';
/** rs1's address behind the director, for the routed baseline. */
const ROUTED = '203.0.113.111';

interface Run extends WrkResult {
  /** CPU time of the whole machine per request served, in µs. */
  readonly cpuUsPerRequest: number;
}

/** Busy and total jiffies of all cores, from /proc/stat's first line. */
function cpuJiffies(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

async function measured(lan: Lan, url: string, opts: { connections: number; close?: boolean }): Promise<Run> {
  const before = cpuJiffies();
  const r = await wrkIn(lan, url, opts);
  const after = cpuJiffies();
  // USER_HZ is 100 on Linux: a jiffy is 10 ms.
  const cpuUsPerRequest = r.requests > 0 ? ((after.busy - before.busy) * 10_000) / r.requests : 0;
  return { ...r, cpuUsPerRequest };
}

function wrkIn(lan: Lan, url: string, opts: { connections: number; close?: boolean }): Promise<WrkResult> {
  const args = ['netns', 'exec', lan.ns('client').name, 'wrk', '-t', '2', '-c', String(opts.connections), '-d', `${SECONDS}s`, '--timeout', '5s'];
  if (opts.close === true) args.push('-H', 'Connection: close');
  args.push(url);
  return new Promise((resolve, reject) => {
    const p = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    p.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    p.on('exit', () => {
      const num = (re: RegExp): number => Number(re.exec(out)?.[1] ?? 0);
      const tr = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(out);
      const scale: Record<string, number> = { B: 1 / 1024 ** 2, KB: 1 / 1024, MB: 1, GB: 1024 };
      const err = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      if (!/Requests\/sec/.test(out)) return reject(new Error(`wrk output not understood:\n${out}`));
      resolve({
        requestsPerSec: num(/Requests\/sec:\s+([\d.]+)/),
        transferMiBPerSec: tr ? Number(tr[1]) * (scale[tr[2]!] ?? 0) : 0,
        requests: num(/(\d+) requests in/),
        errors: (err ? [1, 2, 3, 4].reduce((n, i) => n + Number(err[i]), 0) : 0) + num(/Non-2xx or 3xx responses: (\d+)/),
      });
    });
  });
}

function sh(lan: Lan, host: string, cmd: string, args: string[]): void {
  const r = lan.ns(host).run(cmd, args);
  if (r.status !== 0) throw new Error(`${host}: ${cmd} ${args.join(' ')}: ${r.stderr}`);
}

async function waitHttp(lan: Lan, url: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (lan.ns('client').run('wrk', ['-t', '1', '-c', '1', '-d', '1s', url], { timeoutMs: 5000 }).stdout.includes('Requests/sec')) return;
    await sleep(100);
  }
  throw new Error(`${url} does not answer`);
}

const desired: DesiredState = {
  // A short FIN timeout keeps DR's closing flows few, as a lowered TIME_WAIT does for conntrack.
  timeouts: { tcpFinMs: 2000 },
  services: [
    { protocol: 'TCP', address: NAT_VIP, port: 80, scheduler: 'rr', quorumUp: true, forwarding: 'NAT', realServers: [{ address: RS.rs1, port: 80, weight: 1, healthy: true }] },
    { protocol: 'TCP', address: DR_VIP, port: 80, scheduler: 'rr', quorumUp: true, forwarding: 'DR', realServers: [{ address: RS.rs1, port: 80, weight: 1, healthy: true }] },
  ],
};

async function main(): Promise<void> {
  const why = netnsUnavailable(['nft', 'wrk', 'nginx']);
  if (why !== undefined) {
    console.log(`nft bench skipped: ${why}`);
    writeResults('nft-throughput', { skipped: true, why }, `# nft throughput\n\nSkipped: ${why}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'halb-nft-bench-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'bulk.bin'), Buffer.alloc(4 * 1024 * 1024, 7), { mode: 0o644 });
  const lan = createLab('nb');
  const procs: ChildProcess[] = [];
  let dp: Dataplane | undefined;
  try {
    // Short connections: reuse client ports in TIME_WAIT, and let conntrack forget closed flows fast.
    sh(lan, 'client', 'sysctl', ['-qw', 'net.ipv4.tcp_tw_reuse=1', 'net.ipv4.ip_local_port_range=1024 65535']);
    sh(lan, 'rs1', 'ip', ['addr', 'add', `${DR_VIP}/32`, 'dev', 'lo']);
    sh(lan, 'rs1', 'ip', ['addr', 'add', `${ROUTED}/32`, 'dev', 'lo']);
    sh(lan, 'director', 'ip', ['route', 'add', `${ROUTED}/32`, 'via', RS.rs1]);
    sh(lan, 'rs1', 'sysctl', ['-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2', 'net.core.somaxconn=4096']);
    writeFileSync(join(dir, 'nginx.conf'), `
worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/nginx.err;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 1000000;
  server { listen 0.0.0.0:80 backlog=4096 reuseport; root ${dir};
    location = / { return 200 "hello from the backend\\n"; } } }
`);
    procs.push(spawn('ip', ['netns', 'exec', lan.ns('rs1').name, 'nginx', '-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' }));
    await waitHttp(lan, `http://${RS.rs1}/`);

    dp = await createNftDataplane({ netns: lan.ns('director').name, statsIntervalMs: 0, requireDr: true });
    const rep = await dp.apply(desired);
    if (rep.failed.length > 0) throw new Error(`nft apply failed: ${rep.failed.map((f) => f.error.message).join('; ')}`);
    sh(lan, 'director', 'sysctl', ['-qw', 'net.netfilter.nf_conntrack_tcp_timeout_time_wait=1']);

    // The floors, by hand in tables of their own (halb owns only its `halb` tables).
    sh(lan, 'rs1', 'ip', ['addr', 'add', `${DR_FLOOR_VIP}/32`, 'dev', 'lo']);
    sh(lan, 'director', 'ip', ['addr', 'add', `${DR_FLOOR_VIP}/32`, 'dev', 'eth0']);
    writeFileSync(join(dir, 'floors.nft'), `
table netdev bench_floor {
  chain ingress { type filter hook ingress device "eth0" priority -200; policy accept;
    meta pkttype host ip daddr ${DR_FLOOR_VIP} tcp dport 80 fwd ip to ${RS.rs1} device "eth0"
  }
}
table ip bench_floor {
  chain prerouting { type nat hook prerouting priority dstnat; policy accept;
    ip daddr ${NAT_FLOOR_VIP} tcp dport 80 dnat to ${RS.rs1}:80
  }
}
`);
    sh(lan, 'director', 'nft', ['-f', join(dir, 'floors.nft')]);

    type Kind = 'keepalive' | 'close' | 'bulk';
    const ALL: readonly Kind[] = ['keepalive', 'close', 'bulk'];
    const targets: { name: string; host: string; kinds: readonly Kind[] }[] = [
      { name: 'direct', host: RS.rs1, kinds: ALL },
      { name: 'routed', host: ROUTED, kinds: ALL },
      { name: 'NAT floor', host: NAT_FLOOR_VIP, kinds: ['close'] },
      { name: 'nft NAT', host: NAT_VIP, kinds: ALL },
      { name: 'DR floor', host: DR_FLOOR_VIP, kinds: ['close'] },
      { name: 'nft DR', host: DR_VIP, kinds: ALL },
    ];
    if (which('haproxy') !== undefined) {
      sh(lan, 'director', 'ip', ['addr', 'add', `${HAPROXY_VIP}/32`, 'dev', 'lo']);
      writeFileSync(join(dir, 'haproxy.cfg'), `
global
  nbthread 1
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend fe
  bind ${HAPROXY_VIP}:80
  default_backend be
backend be
  server s1 ${RS.rs1}:80
`);
      procs.push(spawn('ip', ['netns', 'exec', lan.ns('director').name, 'haproxy', '-f', join(dir, 'haproxy.cfg')], { stdio: 'ignore' }));
      await waitHttp(lan, `http://${HAPROXY_VIP}/`);
      targets.push({ name: 'HAProxy', host: HAPROXY_VIP, kinds: ALL });
    }
    for (const t of targets) await waitHttp(lan, `http://${t.host}/`);

    // Rounds interleave the paths, and each figure is the median of its rounds: the
    // machine is shared, and a burst of other work then hits every path alike.
    const opts: Record<Kind, { path: string; connections: number; close?: boolean }> = {
      keepalive: { path: '/', connections: 64 },
      close: { path: '/', connections: 64, close: true },
      bulk: { path: '/bulk.bin', connections: 4 },
    };
    const runs: Record<string, Record<Kind, Run[]>> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        const r = (runs[t.name] ??= { keepalive: [], close: [], bulk: [] });
        for (const k of t.kinds) {
          r[k].push(await measured(lan, `http://${t.host}${opts[k].path}`, opts[k]));
          await sleep(1500);
        }
      }
    }
    const median = (list: Run[], f: (w: Run) => number): Run | undefined => {
      const sorted = [...list].sort((a, b) => f(a) - f(b));
      return sorted[Math.floor(sorted.length / 2)];
    };
    type Row = { [K in Kind]?: Run };
    const results: Record<string, Row> = {};
    const n0 = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(0));
    for (const t of targets) {
      const r = runs[t.name]!;
      const row: Row = {
        keepalive: median(r.keepalive, (w) => w.requestsPerSec),
        close: median(r.close, (w) => w.requestsPerSec),
        bulk: median(r.bulk, (w) => w.transferMiBPerSec),
      };
      results[t.name] = row;
      const errors = [...r.keepalive, ...r.close, ...r.bulk].reduce((n, w) => n + w.errors, 0);
      console.log(`${t.name.padEnd(10)} keep-alive ${n0(row.keepalive?.requestsPerSec).padStart(8)} req/s   close ${n0(row.close?.requestsPerSec).padStart(7)} conn/s`
        + ` (${n0(median(r.close, (w) => w.cpuUsPerRequest)?.cpuUsPerRequest)} µs CPU each)   bulk ${n0(row.bulk?.transferMiBPerSec).padStart(6)} MiB/s   errors ${errors}`);
    }
    await dp.refresh();
    const snap = dp.snapshot();
    const drSvc = snap.services.find((s) => s.address === DR_VIP);
    const d = results.direct!;
    const closeCpu = (name: string): number | undefined => median(runs[name]?.close ?? [], (w) => w.cpuUsPerRequest)?.cpuUsPerRequest;
    const directCpu = closeCpu('direct') ?? 0;
    const ratioOf = (a: Row, b: Row | undefined, k: Kind): string => {
      const f = (w: Run | undefined): number | undefined => (w === undefined ? undefined : k === 'bulk' ? w.transferMiBPerSec : w.requestsPerSec);
      const x = f(a[k]);
      const y = b === undefined ? undefined : f(b[k]);
      return x === undefined || y === undefined ? '-' : ratio(x, y);
    };
    const ratioLine = (label: string, a: Row, b: Row | undefined): string =>
      `| ${label} | ${ratioOf(a, b, 'keepalive')} | ${ratioOf(a, b, 'close')} | ${ratioOf(a, b, 'bulk')} |`;
    const lines = [
      '# nft dataplane throughput (network namespaces on one 2-core machine: compare ratios)',
      '',
      `wrk -t2 in the client namespace for ${SECONDS} s per run, median of ${ROUNDS} interleaved rounds; keep-alive and Connection: close with 64 connections, a 4 MiB file with 4.`,
      'Every path ends at the same nginx (1 worker) on rs1. CPU per connection: the whole machine\'s busy time during the Connection: close runs, divided by the requests served (median of the rounds); "director\'s share" is that minus direct\'s.',
      '',
      '| path | keep-alive req/s | new conn/s | CPU µs per new conn | director\'s share µs | bulk MiB/s | errors |',
      '|---|---|---|---|---|---|---|',
      ...targets.map(({ name }) => {
        const r = results[name]!;
        const cpu = closeCpu(name);
        const errors = [...runs[name]!.keepalive, ...runs[name]!.close, ...runs[name]!.bulk].reduce((n, w) => n + w.errors, 0);
        return `| ${name} | ${n0(r.keepalive?.requestsPerSec)} | ${n0(r.close?.requestsPerSec)} | ${n0(cpu)} | ${name === 'direct' ? '-' : n0(cpu === undefined ? undefined : cpu - directCpu)} | ${n0(r.bulk?.transferMiBPerSec)} | ${errors} |`;
      }),
      '',
      '| ratio | keep-alive | new conn/s | bulk |',
      '|---|---|---|---|',
    ];
    const rt = results.routed!;
    const ha = results.HAProxy;
    lines.push(ratioLine('nft NAT vs direct', results['nft NAT']!, d));
    lines.push(ratioLine('nft NAT vs routed', results['nft NAT']!, rt));
    lines.push(ratioLine('nft NAT vs NAT floor', results['nft NAT']!, results['NAT floor']));
    if (ha !== undefined) lines.push(ratioLine('nft NAT vs HAProxy', results['nft NAT']!, ha));
    lines.push(ratioLine('NAT floor vs direct', results['NAT floor']!, d));
    lines.push(ratioLine('nft DR vs direct', results['nft DR']!, d));
    lines.push(ratioLine('nft DR vs DR floor', results['nft DR']!, results['DR floor']));
    if (ha !== undefined) lines.push(ratioLine('nft DR vs HAProxy', results['nft DR']!, ha));
    lines.push(ratioLine('DR floor vs direct', results['DR floor']!, d));
    if (ha !== undefined) lines.push(ratioLine('HAProxy vs direct', ha, d));
    else lines.push('', 'HAProxy not installed: no HAProxy column.');
    if (drSvc !== undefined) {
      lines.push('', `DR counters after the runs: ${drSvc.stats.conns} connections, ${drSvc.stats.inPkts} packets client -> server through the director, ${drSvc.stats.outPkts} packets from the VIP seen by the director.`);
    }
    const md = `${lines.join('\n')}\n`;
    console.log(`\n${md}`);
    const files = writeResults('nft-throughput', { seconds: SECONDS, rounds: ROUNDS, results, runs, dr: drSvc?.stats }, md);
    console.log(`wrote ${files.json} and ${files.md}`);
  } finally {
    await dp?.close();
    for (const p of procs) p.kill('SIGTERM');
    await sleep(300);
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
