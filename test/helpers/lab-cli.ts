// `halb lab` driven as its CLI, as a user would, for the netns tests of the lab: the
// command itself, the lab's namespaces and processes still around, a drill of a report.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { listProcs } from '../../src/sys/proc-scan.js';
import type { DrillResult, LabReport } from '../../src/lab/report-types.js';
import { repoRoot } from './vrrp-nodes.js';

/** HALB_CLI lets the lab tests run through another build of the CLI; the default is this one. */
export const LAB_CLI = process.env.HALB_CLI ?? join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `halb lab ARGS --name NAME` with its state under `root`. */
export function labCli(root: string, name: string, args: readonly string[], timeoutMs: number): CliRun {
  const r = spawnSync(process.execPath, [LAB_CLI, 'lab', ...args, '--name', name], {
    encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, HALB_LAB_DIR: root }, maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The lab's namespaces still there. */
export function labNamespaces(name: string): string[] {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`hlab-${name}-`));
}

/** Processes whose arguments name the lab's directory (daemons, web servers, load clients). */
export async function labStrays(dir: string): Promise<string[]> {
  return (await listProcs(true)).filter((p) => (p.cmdline ?? []).some((a) => a === dir || a.startsWith(`${dir}/`)))
    .map((p) => `${p.pid} ${(p.cmdline ?? []).join(' ')}`);
}

export function drillOf(report: LabReport, name: string): DrillResult {
  const d = report.drills.find((x) => x.drill === name);
  assert.ok(d !== undefined, `the report has the ${name} drill`);
  return d;
}

/**
 * `halb lab down`, then what a user would check: no namespace, no process and no lab
 * directory left. `root` (the HALB_LAB_DIR of the test) is removed whatever happened.
 */
export async function labDownLeavesNothing(root: string, name: string): Promise<void> {
  const dir = join(root, name);
  const down = labCli(root, name, ['down'], 60_000);
  const left = labNamespaces(name);
  const procs = await labStrays(dir);
  const dirLeft = existsSync(dir);
  rmSync(root, { recursive: true, force: true });
  assert.equal(down.status, 0, down.stderr);
  assert.deepEqual(left, [], 'no namespace left');
  assert.deepEqual(procs, [], 'no process left');
  assert.equal(dirLeft, false, 'the lab directory is gone');
}
