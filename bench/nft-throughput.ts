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
// Every path ends at one nginx on rs1, so the ratios measure the forwarding alone. The
// client, director and server share the machine's 2 cores with wrk: compare ratios, not
// absolute numbers; each figure is the median of interleaved rounds. conntrack's TIME_WAIT is lowered in the director and DR's FIN
// timeout shortened, as PLATFORM.md advises for benchmarks of short connections. Root
// only; prints ratios and asserts nothing. Run: node dist/bench/nft-throughput.js
// (BENCH_SECONDS per run, default 4; BENCH_ROUNDS, default 3).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
/** rs1's address behind the director, for the routed baseline. */
const ROUTED = '203.0.113.111';

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

    const targets: { name: string; host: string }[] = [
      { name: 'direct', host: RS.rs1 },
      { name: 'routed', host: ROUTED },
      { name: 'nft NAT', host: NAT_VIP },
      { name: 'nft DR', host: DR_VIP },
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
      targets.push({ name: 'HAProxy', host: HAPROXY_VIP });
    }
    for (const t of targets) await waitHttp(lan, `http://${t.host}/`);

    // Rounds interleave the paths, and each figure is the median of its rounds: the
    // machine is shared, and a burst of other work then hits every path alike.
    type Kind = 'keepalive' | 'close' | 'bulk';
    const runs: Record<string, Record<Kind, WrkResult[]>> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        const r = (runs[t.name] ??= { keepalive: [], close: [], bulk: [] });
        r.keepalive.push(await wrkIn(lan, `http://${t.host}/`, { connections: 64 }));
        await sleep(1500);
        r.close.push(await wrkIn(lan, `http://${t.host}/`, { connections: 64, close: true }));
        await sleep(1500);
        r.bulk.push(await wrkIn(lan, `http://${t.host}/bulk.bin`, { connections: 4 }));
      }
    }
    const median = (list: WrkResult[], f: (w: WrkResult) => number): WrkResult => {
      const sorted = [...list].sort((a, b) => f(a) - f(b));
      return sorted[Math.floor(sorted.length / 2)]!;
    };
    const results: Record<string, { keepalive: WrkResult; close: WrkResult; bulk: WrkResult }> = {};
    for (const t of targets) {
      const r = runs[t.name]!;
      const keepalive = median(r.keepalive, (w) => w.requestsPerSec);
      const close = median(r.close, (w) => w.requestsPerSec);
      const bulk = median(r.bulk, (w) => w.transferMiBPerSec);
      results[t.name] = { keepalive, close, bulk };
      const errors = [...r.keepalive, ...r.close, ...r.bulk].reduce((n, w) => n + w.errors, 0);
      console.log(`${t.name.padEnd(10)} keep-alive ${keepalive.requestsPerSec.toFixed(0).padStart(8)} req/s   close ${close.requestsPerSec.toFixed(0).padStart(7)} conn/s   bulk ${bulk.transferMiBPerSec.toFixed(0).padStart(6)} MiB/s   errors ${errors}`);
    }
    await dp.refresh();
    const snap = dp.snapshot();
    const drSvc = snap.services.find((s) => s.address === DR_VIP);
    const d = results.direct!;
    const ha = results.HAProxy;
    const lines = [
      '# nft dataplane throughput (network namespaces on one 2-core machine: compare ratios)',
      '',
      `wrk -t2 in the client namespace for ${SECONDS} s per run, median of ${ROUNDS} interleaved rounds; keep-alive and Connection: close with 64 connections, a 4 MiB file with 4.`,
      'Every path ends at the same nginx (1 worker) on rs1.',
      '',
      '| path | keep-alive req/s | new conn/s | bulk MiB/s | errors |',
      '|---|---|---|---|---|',
      ...Object.entries(results).map(([n, r]) => `| ${n} | ${r.keepalive.requestsPerSec.toFixed(0)} | ${r.close.requestsPerSec.toFixed(0)} | ${r.bulk.transferMiBPerSec.toFixed(0)} | ${r.keepalive.errors + r.close.errors + r.bulk.errors} |`),
      '',
      '| ratio | keep-alive | new conn/s | bulk |',
      '|---|---|---|---|',
    ];
    const rt = results.routed!;
    for (const name of ['nft NAT', 'nft DR']) {
      const r = results[name]!;
      lines.push(`| ${name} vs direct | ${ratio(r.keepalive.requestsPerSec, d.keepalive.requestsPerSec)} | ${ratio(r.close.requestsPerSec, d.close.requestsPerSec)} | ${ratio(r.bulk.transferMiBPerSec, d.bulk.transferMiBPerSec)} |`);
      lines.push(`| ${name} vs routed | ${ratio(r.keepalive.requestsPerSec, rt.keepalive.requestsPerSec)} | ${ratio(r.close.requestsPerSec, rt.close.requestsPerSec)} | ${ratio(r.bulk.transferMiBPerSec, rt.bulk.transferMiBPerSec)} |`);
      if (ha !== undefined) lines.push(`| ${name} vs HAProxy | ${ratio(r.keepalive.requestsPerSec, ha.keepalive.requestsPerSec)} | ${ratio(r.close.requestsPerSec, ha.close.requestsPerSec)} | ${ratio(r.bulk.transferMiBPerSec, ha.bulk.transferMiBPerSec)} |`);
    }
    if (ha !== undefined) lines.push(`| HAProxy vs direct | ${ratio(ha.keepalive.requestsPerSec, d.keepalive.requestsPerSec)} | ${ratio(ha.close.requestsPerSec, d.close.requestsPerSec)} | ${ratio(ha.bulk.transferMiBPerSec, d.bulk.transferMiBPerSec)} |`);
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
