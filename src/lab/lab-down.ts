// `halb lab down`: remove every namespace, link and process a lab made, whether or not
// its state file survived. The sweep goes by name, so it also cleans up after a `lab up`
// or a drill that crashed half way:
//  1. the processes state.json records get SIGTERM (halb then leaves cleanly);
//  2. every namespace named like the lab's (topology.ts: isLabNamespace) has whatever
//     still runs inside killed, then is deleted, taking its veths and bridge along;
//  3. any process whose command line names the lab directory is killed, which finds
//     even a process left inside a namespace that is already gone;
//  4. the lab directory is removed (a failed `lab up` keeps its logs).
import { existsSync, rmSync } from 'node:fs';
import { listProcs } from '../sys/proc-scan.js';
import { deleteNamespace, isAlive, killNamespaceProcesses, listNamespaces, signalGroup, waitGone } from '../sys/netns.js';
import { labDir, readState, statePath } from './state.js';
import { isLabNamespace } from './topology.js';

export interface DownReport {
  readonly namespaces: readonly string[];
  readonly processes: number;
  readonly dir: string;
  /** Whether the lab directory was there. */
  readonly hadDir: boolean;
}

/**
 * Whether a command line is one the lab starts: its web servers and load clients carry
 * `--lab DIR`; halb (…/cli/main.js) and keepalived read `-f DIR/<director>.conf`.
 */
export function isLabProcess(argv: readonly string[], dir: string): boolean {
  if (argv.some((a, i) => a === '--lab' && argv[i + 1] === dir)) return true;
  const daemon = argv.some((a) => a === 'keepalived' || a.endsWith('/keepalived') || a.endsWith('/cli/main.js'));
  return daemon && argv.some((a, i) => a === '-f' && (argv[i + 1] ?? '').startsWith(`${dir}/`) && (argv[i + 1] ?? '').endsWith('.conf'));
}

export async function labDown(name: string, dir = labDir(name), keepFiles = false): Promise<DownReport> {
  const state = readState(dir);
  const hadDir = existsSync(dir);
  let killed = 0;
  if (state !== undefined) {
    const pids = Object.values(state.processes).map((p) => p.pid).filter(isAlive);
    for (const p of pids) signalGroup(p, 'SIGTERM');
    if (!(await waitGone(pids, 3000))) for (const p of pids) signalGroup(p, 'SIGKILL');
    await waitGone(pids, 3000);
    killed += pids.length;
  }
  const namespaces = (await listNamespaces()).filter((ns) => isLabNamespace(ns, name));
  const found = await Promise.all(namespaces.map((ns) => killNamespaceProcesses(ns, 1000)));
  killed += found.reduce((n, p) => n + p.length, 0);
  for (const ns of namespaces) await deleteNamespace(ns);
  const strays = (await listProcs(true)).filter((p) => p.pid !== process.pid && isLabProcess(p.cmdline ?? [], dir));
  for (const p of strays) {
    try {
      process.kill(p.pid, 'SIGKILL');
      killed++;
    } catch {
      // gone meanwhile
    }
  }
  await waitGone(strays.map((p) => p.pid), 3000);
  // keepFiles: a failed `lab up` keeps its logs for the error message to point at.
  if (keepFiles) rmSync(statePath(dir), { force: true });
  else rmSync(dir, { recursive: true, force: true });
  return { namespaces, processes: killed, dir, hadDir };
}
