// Proxy dataplane throughput vs HAProxy 2.6 (mode tcp, nbthread 1 and 2), nginx stream
// and a direct connection, all measured in this run against one nginx backend on
// loopback: new connections/s (HTTP with Connection: close), keep-alive requests/s,
// and bulk MiB/s. Prints ratios; asserts nothing. `npm run bench` runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { ratio, sleep, which, writeResults, wrk, type WrkResult } from './lib.js';
import { schedulingCost, type SchedCost } from './proxy-sched-cost.js';

const HALB = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

async function waitPort(port: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true)); // in use => something listens
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port}`);
}

interface Target { name: string; port: number; proc?: ChildProcess }

function costLines(cost: readonly SchedCost[]): string[] {
  return [
    '## Scheduling cost per connection (select + release, one process)',
    '',
    '| scheduler | this process alone (ns) | shared segment (ns) | added (ns) |',
    '|---|---|---|---|',
    ...cost.map((c) => `| ${c.case} | ${c.localNs.toFixed(0)} | ${c.sharedNs.toFixed(0)} | ${(c.sharedNs - c.localNs).toFixed(0)} |`),
    '',
  ];
}

async function main(): Promise<void> {
  const cost = schedulingCost();
  console.log(costLines(cost).join('\n'));
  const missing: string[] = [];
  for (const bin of ['wrk', 'nginx']) if (which(bin) === undefined) missing.push(bin);
  if (missing.length > 0) {
    console.log(`proxy bench skipped: missing ${missing.join(', ')} (apt-get install wrk nginx-light haproxy libnginx-mod-stream)`);
    writeResults('proxy-throughput', { skipped: true, missing }, `# proxy throughput\n\nSkipped: missing ${missing.join(', ')}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'halb-bench-'));
  const procs: ChildProcess[] = [];
  const start = (cmd: string, args: string[]): ChildProcess => {
    const p = spawn(cmd, args, { stdio: 'ignore' });
    procs.push(p);
    return p;
  };
  try {
    // nginx workers run as www-data when started by root: the files must be world-readable.
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'bulk.bin'), Buffer.alloc(16 * 1024 * 1024, 7), { mode: 0o644 });
    const backendPort = await freePort();
    const streamMod = '/usr/lib/nginx/modules/ngx_stream_module.so';
    writeFileSync(join(dir, 'nginx.conf'), `
worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/nginx.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:${backendPort}; root ${dir};
    location = / { return 200 "hello from the backend\\n"; } } }
`);
    start('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir]);
    await waitPort(backendPort);
    const targets: Target[] = [{ name: 'direct', port: backendPort }];

    // halb as shipped (one proxy process per core), and in one process for comparison.
    for (const [name, workers] of [['halb', undefined], ['halb-1-process', '0']] as const) {
      const port = await freePort();
      writeFileSync(join(dir, `${name}.conf`), `virtual_server 127.0.0.1 ${port} {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 127.0.0.1 ${backendPort} {\n  weight 1\n }\n}\n`);
      start(process.execPath, [HALB, '-n', '--dataplane', 'proxy', '-f', join(dir, `${name}.conf`), '--control-socket', join(dir, `${name}.sock`), '--admin-listen', 'off', ...(workers !== undefined ? ['--workers', workers] : [])]);
      await waitPort(port);
      targets.push({ name, port });
    }

    if (which('haproxy') !== undefined) {
      for (const threads of [1, 2]) {
        const port = await freePort();
        writeFileSync(join(dir, `haproxy${threads}.cfg`), `
global
  nbthread ${threads}
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  server s1 127.0.0.1:${backendPort}
`);
        start('haproxy', ['-f', join(dir, `haproxy${threads}.cfg`)]);
        await waitPort(port);
        targets.push({ name: `haproxy-nbthread${threads}`, port });
      }
    } else missing.push('haproxy');

    if (existsSync(streamMod)) {
      const port = await freePort();
      writeFileSync(join(dir, 'nginx-stream.conf'), `
load_module ${streamMod};
worker_processes 2; daemon off; pid ${dir}/nginx-stream.pid; error_log ${dir}/nginx-stream.err;
events { worker_connections 4096; }
stream { server { listen 127.0.0.1:${port}; proxy_pass 127.0.0.1:${backendPort}; } }
`);
      start('nginx', ['-c', join(dir, 'nginx-stream.conf'), '-p', dir]);
      await waitPort(port);
      targets.push({ name: 'nginx-stream', port });
    } else missing.push('libnginx-mod-stream');

    const results: Record<string, { keepalive: WrkResult; close: WrkResult; bulk: WrkResult }> = {};
    for (const t of targets) {
      const base = `http://127.0.0.1:${t.port}`;
      const keepalive = await wrk(`${base}/`, { seconds: SECONDS, connections: 64, threads: 2 });
      const close = await wrk(`${base}/`, { seconds: SECONDS, connections: 64, threads: 2, close: true });
      const bulk = await wrk(`${base}/bulk.bin`, { seconds: SECONDS, connections: 4, threads: 2 });
      results[t.name] = { keepalive, close, bulk };
      console.log(`${t.name.padEnd(20)} keep-alive ${keepalive.requestsPerSec.toFixed(0).padStart(8)} req/s   close ${close.requestsPerSec.toFixed(0).padStart(7)} conn/s   bulk ${bulk.transferMiBPerSec.toFixed(0).padStart(6)} MiB/s   errors ${keepalive.errors + close.errors + bulk.errors}`);
    }
    const h = results.halb;
    const ha1 = results['haproxy-nbthread1'];
    const ha2 = results['haproxy-nbthread2'];
    const d = results.direct;
    const lines = [
      '# proxy throughput (loopback, 2 cores shared by wrk, proxy and backend: compare ratios)',
      '',
      `${SECONDS} s per run, wrk -t2; keep-alive and Connection: close with 64 connections, bulk 16 MiB file with 4.`,
      '',
      '| target | keep-alive req/s | new conn/s | bulk MiB/s | errors |',
      '|---|---|---|---|---|',
      ...Object.entries(results).map(([n, r]) => `| ${n} | ${r.keepalive.requestsPerSec.toFixed(0)} | ${r.close.requestsPerSec.toFixed(0)} | ${r.bulk.transferMiBPerSec.toFixed(0)} | ${r.keepalive.errors + r.close.errors + r.bulk.errors} |`),
      '',
    ];
    if (h !== undefined) {
      lines.push('| ratio | keep-alive | new conn/s | bulk |', '|---|---|---|---|');
      for (const [n, p] of [['vs haproxy nbthread 1', ha1], ['vs haproxy nbthread 2', ha2], ['vs direct', d]] as const) {
        if (p === undefined) continue;
        lines.push(`| halb ${n} | ${ratio(h.keepalive.requestsPerSec, p.keepalive.requestsPerSec)} | ${ratio(h.close.requestsPerSec, p.close.requestsPerSec)} | ${ratio(h.bulk.transferMiBPerSec, p.bulk.transferMiBPerSec)} |`);
      }
    }
    if (missing.length > 0) lines.push('', `Peers missing: ${missing.join(', ')}`);
    lines.push('', ...costLines(cost));
    const md = `${lines.join('\n')}\n`;
    console.log(`\n${md}`);
    const files = writeResults('proxy-throughput', { seconds: SECONDS, results, missing, schedulingCost: cost }, md);
    console.log(`wrote ${files.json} and ${files.md}`);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await sleep(300);
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
