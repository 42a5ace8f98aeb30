// 1,000 real servers, each with a TCP_CHECK every second, against 1,000 real listeners on
// loopback: do the checks keep their schedule? Prints how late runs started (mean, max,
// as a share of delay_loop) and how many ran versus the schedule. Asserts nothing.
import { createServer, type Server } from 'node:net';
import { scriptPort } from '../src/sys/script/runner.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '../src/core/clock.js';
import { loadConfig } from '../src/config/index.js';
import { buildTarget, contextFromConfig, HealthScheduler, type HealthTarget } from '../src/check/index.js';
import { writeResults } from './lib.js';

const N = Number(process.env.BENCH_CHECKERS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

async function main(): Promise<void> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < N; i++) {
    const s = createServer((c) => c.destroy());
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
    servers.push(s);
    ports.push((s.address() as { port: number }).port);
  }
  const dir = mkdtempSync(join(tmpdir(), 'halb-checkbench-'));
  try {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, [
      'virtual_server 127.0.0.1 80 {', ' delay_loop 1', ' lb_algo rr', ' protocol TCP',
      ...ports.map((p) => ` real_server 127.0.0.1 ${p} {\n  TCP_CHECK {\n   connect_timeout 1\n  }\n }`),
      '}', '',
    ].join('\n'));
    const loaded = loadConfig(file);
    const vs = loaded.config.virtualServers[0];
    if (vs === undefined) throw new Error(`config did not load: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
    const ctx = contextFromConfig(loaded.config, scriptPort());
    const targets: HealthTarget[] = vs.realServers.map((rs, i) => buildTarget({ rsId: `rs${i}`, label: `[127.0.0.1]:tcp:${rs.port}` }, vs, rs, ctx).target);
    const hs = new HealthScheduler({ clock: new RealClock() });
    const t0 = performance.now();
    hs.setTargets(targets);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const snap = hs.snapshot();
    const elapsed = (performance.now() - t0) / 1000;
    await hs.stop();
    const up = snap.realServers.filter((r) => r.alive).length;
    // Warmup spreads first runs over [0, delay_loop]: each checker runs about once per second after it.
    const expected = N * (elapsed - 0.5);
    const res = {
      checkers: N, seconds: elapsed, runs: snap.lateness.runs, expectedRuns: Math.round(expected),
      meanLateMs: snap.lateness.meanMs, maxLateMs: snap.lateness.maxMs,
      driftMeanPct: (snap.lateness.meanMs / 1000) * 100, driftMaxPct: (snap.lateness.maxMs / 1000) * 100, up,
    };
    const md = [
      '# checker scale', '',
      `${N} TCP_CHECKs, delay_loop 1 s, against ${N} real loopback listeners, for ${elapsed.toFixed(1)} s.`, '',
      '| runs | expected | mean late | max late | drift (max / delay_loop) | up |', '|---|---|---|---|---|---|',
      `| ${res.runs} | ~${res.expectedRuns} | ${res.meanLateMs.toFixed(1)} ms | ${res.maxLateMs.toFixed(1)} ms | ${res.driftMaxPct.toFixed(1)} % | ${up}/${N} |`, '',
    ].join('\n');
    console.log(md);
    writeResults('checker-scale', res, md);
  } finally {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
