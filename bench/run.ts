// `npm run bench`: every benchmark in bench/ in one bounded run, then one markdown
// summary. Each bench runs as its own process with a time limit (and the whole run with
// a budget, 11 minutes by default), writes bench/results/<name>.json and .md as before,
// and its output goes to bench/results/<name>.log. The summary, bench/results/SUMMARY.md,
// has one row per bench (ran, skipped, failed, timed out), the ratio rows of every bench
// at a glance, each bench's own report, and the peers that were missing with the
// packages that bring them. A bench that overruns is stopped, and the network namespaces
// it created (named after its pid) and left behind are removed.
//
//   node dist/bench/run.js [--only a,b] [--budget SECONDS] [--per-bench SECONDS] [--list]
//
// BENCH_* variables reach the benches unchanged; BENCH_SOAK_SECONDS defaults to 30 here
// (the failover bench's soak) so the default run stays inside the budget.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RESULTS_DIR, which } from './lib.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Peers the benches compare against, and where they come from. */
export const PEERS: readonly { readonly name: string; readonly pkg: string; readonly present: () => boolean }[] = [
  { name: 'wrk', pkg: 'wrk', present: () => which('wrk') !== undefined },
  { name: 'haproxy', pkg: 'haproxy', present: () => which('haproxy') !== undefined },
  { name: 'nginx', pkg: 'nginx-light', present: () => which('nginx') !== undefined },
  { name: 'libnginx-mod-stream', pkg: 'libnginx-mod-stream', present: () => existsSync('/usr/lib/nginx/modules/ngx_stream_module.so') },
  { name: 'keepalived', pkg: 'keepalived', present: () => which('keepalived') !== undefined },
  { name: 'nft', pkg: 'nftables', present: () => which('nft') !== undefined },
  { name: 'curl', pkg: 'curl', present: () => which('curl') !== undefined },
];

export type Outcome = 'ok' | 'skipped' | 'failed' | 'timeout' | 'not run';

export interface BenchRun {
  readonly name: string;
  readonly outcome: Outcome;
  readonly seconds: number;
  /** Why it was skipped, failed or not run. */
  readonly note?: string;
  /** Its markdown report, when it wrote one in this run. */
  readonly markdown?: string;
  /** Peers it said were missing. */
  readonly missing: readonly string[];
}

/** Bench modules next to this file: every .js but lib.js and run.js, sorted. */
export function benchModules(dir = HERE): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'lib.js' && f !== 'run.js').map((f) => basename(f, '.js')).sort();
}

const cells = (row: string): string[] => row.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim());

/**
 * The rows of a markdown report's tables that carry a ratio ("0.63x"), each as one line
 * that names its columns from the table's header: "halb vs direct: keep-alive 0.61x, ...".
 */
export function ratioRows(md: string): string[] {
  const lines = md.split('\n');
  const out: string[] = [];
  let header: string[] = [];
  lines.forEach((l, i) => {
    if (!l.startsWith('|')) return;
    if (/^\|[\s:|-]+\|$/.test(l)) return;
    if (/^\|[\s:|-]+\|$/.test(lines[i + 1] ?? '')) {
      header = cells(l);
      return;
    }
    if (!/\b\d+(\.\d+)?x\b/.test(l)) return;
    const c = cells(l);
    out.push(`${c[0] ?? ''}: ${c.slice(1).map((v, j) => `${header[j + 1] ?? ''} ${v}`.trim()).join(', ')}`);
  });
  return out;
}

/** What a bench's result JSON says about skipping and missing peers. */
export function readVerdict(json: unknown): { skipped: boolean; why?: string; missing: string[] } {
  const o = (typeof json === 'object' && json !== null ? json : {}) as { skipped?: unknown; why?: unknown; missing?: unknown };
  const missing = Array.isArray(o.missing) ? o.missing.filter((m): m is string => typeof m === 'string') : [];
  return { skipped: o.skipped === true, ...(typeof o.why === 'string' ? { why: o.why } : {}), missing };
}

export function summarize(runs: readonly BenchRun[], peersMissing: readonly string[], meta: { started: string; seconds: number; machine: string }): string {
  const out = [
    '# Benchmarks', '',
    `Run ${meta.started} on ${meta.machine}, ${meta.seconds.toFixed(0)} s in all. Load generator, dataplane and backends share the machine: compare ratios, not absolute numbers.`, '',
    '| bench | result | time | note |', '|---|---|---|---|',
    ...runs.map((r) => `| ${r.name} | ${r.outcome} | ${r.seconds.toFixed(0)} s | ${(r.note ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`),
    '',
  ];
  const ratios = runs.flatMap((r) => ratioRows(r.markdown ?? '').map((row) => `- ${r.name}: ${row}`));
  if (ratios.length > 0) out.push('## Ratios at a glance', '', ...ratios, '');
  const missing = [...new Set([...peersMissing, ...runs.flatMap((r) => r.missing)])].sort();
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((m) => PEERS.find((p) => p.name === m)?.pkg ?? m))];
    out.push('## Peers missing', '', `${missing.join(', ')}: comparisons against them were left out (apt-get install ${pkgs.join(' ')}).`, '');
  } else {
    out.push('## Peers missing', '', 'none', '');
  }
  for (const r of runs) {
    if (r.markdown === undefined) continue;
    out.push(`## ${r.name}`, '', r.markdown.replace(/^# .*\n+/, '').trimEnd(), '');
  }
  return `${out.join('\n')}\n`;
}

function fresh(file: string, since: number): boolean {
  return existsSync(file) && statSync(file).mtimeMs >= since;
}

async function listNamespaces(): Promise<string[]> {
  const { listNamespaces: list } = await import('../src/sys/netns.js');
  try {
    return await list();
  } catch {
    return [];
  }
}

/**
 * Remove namespaces a stopped bench left behind: new since it started, and named after
 * its pid, as the netns helpers name theirs (halb-<tag>-<pid>-<n>, nftx-<pid>), so
 * namespaces of anything else running on the machine are never touched.
 */
export function leftBy(pid: number, before: ReadonlySet<string>, now: readonly string[]): string[] {
  const mine = new RegExp(`(^|-)${pid}(-|$)`);
  return now.filter((n) => !before.has(n) && mine.test(n));
}

async function sweepNamespaces(pid: number, before: ReadonlySet<string>): Promise<string[]> {
  const { deleteNamespace, killNamespaceProcesses } = await import('../src/sys/netns.js');
  const left = leftBy(pid, before, await listNamespaces());
  for (const ns of left) {
    await killNamespaceProcesses(ns, 500);
    await deleteNamespace(ns);
  }
  return left;
}

async function runOne(name: string, limitS: number): Promise<BenchRun> {
  const t0 = Date.now();
  const before = new Set(await listNamespaces());
  const log = join(RESULTS_DIR, `${name}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(process.execPath, [join(HERE, `${name}.js`)], {
    detached: true, stdio: ['ignore', fd, fd],
    env: { ...process.env, BENCH_SOAK_SECONDS: process.env.BENCH_SOAK_SECONDS ?? '30' },
  });
  closeSync(fd);
  let timedOut = false;
  const stop = (sig: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      // gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop('SIGTERM');
    setTimeout(() => stop('SIGKILL'), 5000).unref();
  }, limitS * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  stop('SIGKILL'); // whatever it left running in its group
  const swept = child.pid !== undefined ? await sweepNamespaces(child.pid, before) : [];
  const seconds = (Date.now() - t0) / 1000;
  const jsonFile = join(RESULTS_DIR, `${name}.json`);
  const mdFile = join(RESULTS_DIR, `${name}.md`);
  let verdict = readVerdict(undefined);
  if (fresh(jsonFile, t0)) {
    try {
      verdict = readVerdict(JSON.parse(readFileSync(jsonFile, 'utf8')));
    } catch {
      // a torn file from a killed bench
    }
  }
  const markdown = fresh(mdFile, t0) ? readFileSync(mdFile, 'utf8') : undefined;
  const tail = readFileSync(log, 'utf8').trim().split('\n').slice(-1)[0] ?? '';
  const sweptNote = swept.length > 0 ? `; removed ${swept.length} namespace(s) it left` : '';
  const base = { name, seconds, missing: verdict.missing, ...(markdown !== undefined ? { markdown } : {}) };
  if (timedOut) return { ...base, outcome: 'timeout', note: `stopped after ${limitS} s${sweptNote}; see ${log}` };
  if (code !== 0) return { ...base, outcome: 'failed', note: `exit ${code ?? 'signal'}: ${tail}${sweptNote}` };
  if (verdict.skipped) return { ...base, outcome: 'skipped', note: verdict.why ?? `missing ${verdict.missing.join(', ')}` };
  if (markdown === undefined) {
    // A bench that prints its figures rather than writing a report: keep what it printed.
    const text = readFileSync(log, 'utf8').trim();
    return { ...base, outcome: 'ok', note: 'printed its figures (below)', markdown: `# ${name}\n\n\`\`\`\n${text.split('\n').slice(-30).join('\n')}\n\`\`\`\n` };
  }
  return { ...base, outcome: 'ok' };
}

function parseArgs(argv: readonly string[]): { only?: string[]; budget: number; perBench: number; list: boolean } {
  const val = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = val('--only');
  return {
    ...(only !== undefined ? { only: only.split(',').map((s) => s.trim()).filter((s) => s !== '') } : {}),
    budget: Number(val('--budget') ?? 660),
    perBench: Number(val('--per-bench') ?? 330),
    list: argv.includes('--list'),
  };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const all = benchModules();
  if (a.list) {
    console.log(all.join('\n'));
    return;
  }
  const unknown = (a.only ?? []).filter((n) => !all.includes(n));
  if (unknown.length > 0) throw new Error(`no bench named ${unknown.join(', ')} (have: ${all.join(', ')})`);
  const names = a.only ?? all;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const started = new Date();
  const t0 = Date.now();
  const runs: BenchRun[] = [];
  for (const name of names) {
    const left = a.budget - (Date.now() - t0) / 1000;
    if (left < 20) {
      runs.push({ name, outcome: 'not run', seconds: 0, note: `the ${a.budget} s budget was spent`, missing: [] });
      continue;
    }
    const limit = Math.min(a.perBench, left);
    console.log(`bench ${name} (up to ${limit.toFixed(0)} s) ...`);
    const r = await runOne(name, limit);
    console.log(`bench ${name}: ${r.outcome} in ${r.seconds.toFixed(0)} s${r.note !== undefined ? ` (${r.note})` : ''}`);
    runs.push(r);
  }
  const peersMissing = PEERS.filter((p) => !p.present()).map((p) => p.name);
  const md = summarize(runs, peersMissing, {
    started: started.toISOString(), seconds: (Date.now() - t0) / 1000,
    machine: `Linux ${release()}, ${availableParallelism()} cores`,
  });
  const file = join(RESULTS_DIR, 'SUMMARY.md');
  writeFileSync(file, md);
  console.log(`\n${md}\nwrote ${file}`);
  if (runs.some((r) => r.outcome === 'failed' || r.outcome === 'timeout')) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
}
