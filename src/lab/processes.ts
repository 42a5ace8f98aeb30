// Starting and stopping what runs on the lab's hosts: halb on a director (or keepalived
// for VRRP beside `halb -C` on the peer director), and each real server's web server.
// Every process is recorded in state.json with its pid, so another `halb lab` command
// can stop or restart it; every command line names a file in the lab directory, so a
// sweep can recognise the lab's processes even after their namespace is gone.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HalbError } from '../core/errors.js';
import { isAlive, signalGroup, spawnDetached, waitGone } from '../sys/netns.js';
import { controlRequest } from '../api/control-client.js';
import { directorConfig } from './config-writer.js';
import { ecmpDirectorConfig } from './ecmp.js';
import { directorFiles, processKey, writeState, type LabProcess, type LabState } from './state.js';
import type { Director, RealServerHost } from './topology.js';

export const HALB_CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
export const WEB_SERVER = fileURLToPath(new URL('./web-server.js', import.meta.url));

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function launch(state: LabState, p: Omit<LabProcess, 'pid' | 'startedAt'>): Promise<LabProcess> {
  const [cmd, ...args] = p.argv as [string, ...string[]];
  const pid = await spawnDetached({ ns: p.ns, cmd, args, logFile: p.log });
  const rec: LabProcess = { ...p, pid, startedAt: Date.now() };
  state.processes[processKey(p.host, p.kind)] = rec;
  writeState(state);
  return rec;
}

/** Write every director's keepalived.conf with the lab's current weight. */
export function writeConfigs(state: LabState): void {
  for (const d of state.topology.directors) {
    const t = state.topology;
    writeFileSync(directorFiles(state.dir, d.role).conf, t.router !== undefined ? ecmpDirectorConfig(t, d, state.weight) : directorConfig(t, d, { weight: state.weight }));
  }
}

function halbArgs(state: LabState, d: Director, lvsOnly: boolean): string[] {
  const f = directorFiles(state.dir, d.role);
  return [process.execPath, HALB_CLI, '-n', '-l', ...(lvsOnly ? ['-C'] : []), '-f', f.conf, '--control-socket', f.socket,
    '-p', f.pid, '--workers', String(state.options.workers),
    '--dataplane', state.options.dataplane];
}

/** Start a director's software; resolves once its control socket answers. */
export async function startDirector(state: LabState, d: Director): Promise<void> {
  await launchDirector(state, d);
  await waitControlSocket(state, d, START_TIMEOUT_MS);
}

/** Start a director's software without waiting for it: `lab up` starts them all, then waits. */
export async function launchDirector(state: LabState, d: Director): Promise<void> {
  const f = directorFiles(state.dir, d.role);
  if (d.software === 'keepalived') {
    await launch(state, {
      host: d.role, kind: 'keepalived', ns: d.ns, log: f.kaLog,
      argv: ['keepalived', '-n', '-l', '-D', '-P', '-f', f.conf, '-p', join(state.dir, `${d.role}-keepalived.pid`),
        '-r', join(state.dir, `${d.role}-keepalived-vrrp.pid`), '-c', join(state.dir, `${d.role}-keepalived-check.pid`)],
    });
    await launch(state, { host: d.role, kind: 'halb-lvs', ns: d.ns, log: f.log, argv: halbArgs(state, d, true) });
  } else {
    await launch(state, { host: d.role, kind: 'halb', ns: d.ns, log: f.log, argv: halbArgs(state, d, false) });
  }
}

/**
 * How long a director's halb may take to answer on its control socket. A daemon that
 * dies is seen at once; this bounds only a slow start, which under emulation (the VM
 * tier, where Node itself starts in seconds) takes tens of seconds.
 */
export const START_TIMEOUT_MS = 120_000;

export async function waitControlSocket(state: LabState, d: Director, timeoutMs: number): Promise<void> {
  const f = directorFiles(state.dir, d.role);
  const end = performance.now() + timeoutMs;
  let last = '';
  while (performance.now() < end) {
    const procs = directorProcesses(state, d);
    if (procs.length > 0 && procs.some((p) => !isAlive(p.pid))) {
      throw new HalbError('HALB_ERR_SYS', `${d.role}: ${procs.filter((p) => !isAlive(p.pid)).map((p) => p.kind).join(', ')} exited at start; see ${f.log}${d.software === 'keepalived' ? ` and ${f.kaLog}` : ''}`);
    }
    try {
      const r = await controlRequest(f.socket, { cmd: 'status' }, 2000);
      if (r.ok) return;
      last = r.error;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await pause(100);
  }
  throw new HalbError('HALB_ERR_SYS', `${d.role}: halb's control socket did not answer within ${timeoutMs} ms (${last}); see ${f.log}`);
}

export function directorProcesses(state: LabState, d: Director): LabProcess[] {
  return (['halb', 'halb-lvs', 'keepalived'] as const)
    .map((k) => state.processes[processKey(d.role, k)]).filter((p): p is LabProcess => p !== undefined);
}

/** Signal a recorded process group and forget it; with SIGKILL nothing runs after it. */
export async function stopProcess(state: LabState, key: string, signal: NodeJS.Signals, graceMs = 5000): Promise<void> {
  const p = state.processes[key];
  if (p === undefined) return;
  if (isAlive(p.pid)) {
    signalGroup(p.pid, signal);
    if (!(await waitGone([p.pid], graceMs))) {
      signalGroup(p.pid, 'SIGKILL');
      await waitGone([p.pid], 3000);
    }
  }
  delete state.processes[key];
  writeState(state);
}

export async function stopDirector(state: LabState, d: Director, signal: NodeJS.Signals): Promise<void> {
  await Promise.all(directorProcesses(state, d).map((p) => stopProcess(state, processKey(p.host, p.kind), signal)));
}

export async function startWeb(state: LabState, rs: RealServerHost): Promise<void> {
  await launch(state, {
    host: rs.role, kind: 'web', ns: rs.ns, log: join(state.dir, `${rs.role}.log`),
    argv: [process.execPath, WEB_SERVER, '--name', rs.role, '--port', String(rs.port), '--lab', state.dir],
  });
}

export async function stopWeb(state: LabState, rs: RealServerHost, signal: NodeJS.Signals): Promise<void> {
  await stopProcess(state, processKey(rs.role, 'web'), signal);
}

/** `halb ctl reload` on every halb of the lab; rejects when one refuses the new config. */
export async function reloadAll(state: LabState): Promise<string[]> {
  const out: string[] = [];
  for (const d of state.topology.directors) {
    if (state.poweredOff.includes(d.role)) continue;
    const r = await controlRequest(directorFiles(state.dir, d.role).socket, { cmd: 'reload' }, 30_000);
    if (!r.ok) throw new HalbError('HALB_ERR_SYS', `${d.role}: reload failed: ${r.error}`);
    const res = r.result as { applied: boolean; summary: string };
    if (!res.applied) throw new HalbError('HALB_ERR_CONFIG', `${d.role}: reload refused: ${res.summary}`);
    out.push(`${d.role}: ${res.summary}`);
  }
  return out;
}
