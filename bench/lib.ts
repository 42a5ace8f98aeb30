// Shared bench helpers: peers found on PATH, wrk runs parsed, results written as JSON +
// markdown under bench/results/. Benches print ratios against peers measured in the
// same run; they never assert.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));

export function which(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export interface WrkResult {
  readonly requestsPerSec: number;
  readonly transferMiBPerSec: number;
  readonly errors: number;
  readonly requests: number;
}

function unitBytes(v: number, unit: string): number {
  const m: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
  return v * (m[unit] ?? 1);
}

/** Run wrk and parse its summary. */
export function wrk(url: string, opts: { seconds: number; connections: number; threads?: number; close?: boolean }): Promise<WrkResult> {
  const args = ['-t', String(opts.threads ?? 1), '-c', String(opts.connections), '-d', `${opts.seconds}s`, '--timeout', '5s'];
  if (opts.close === true) args.push('-H', 'Connection: close');
  args.push(url);
  return new Promise((resolve, reject) => {
    const p = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    p.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    const killer = setTimeout(() => p.kill('SIGKILL'), (opts.seconds + 20) * 1000);
    p.on('exit', () => {
      clearTimeout(killer);
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      const tr = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(out);
      const req = /(\d+) requests in/.exec(out);
      const err = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (!rps) return reject(new Error(`wrk output not understood:\n${out}`));
      resolve({
        requestsPerSec: Number(rps[1]),
        transferMiBPerSec: tr ? unitBytes(Number(tr[1]), tr[2] as string) / 1024 ** 2 : 0,
        requests: req ? Number(req[1]) : 0,
        errors: (err ? [1, 2, 3, 4].reduce((n, i) => n + Number(err[i]), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0),
      });
    });
  });
}

export function writeResults(name: string, data: unknown, markdown: string): { json: string; md: string } {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = join(RESULTS_DIR, `${name}.json`);
  const md = join(RESULTS_DIR, `${name}.md`);
  writeFileSync(json, `${JSON.stringify(data, null, 2)}\n`);
  writeFileSync(md, markdown);
  return { json, md };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function ratio(a: number, b: number | undefined): string {
  return b === undefined || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}x`;
}
