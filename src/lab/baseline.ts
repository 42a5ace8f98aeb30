// The lab's resting state, which every drill starts from: every director powered on and
// running, no partition, every web server up, configured weights, the top-priority
// director holding the VIP, each real server up in its health view, and the client
// served. `ensureBaseline` repairs whatever a drill (or a failed one) left otherwise.
import { HalbError } from '../core/errors.js';
import { controlRequest } from '../api/control-client.js';
import type { StatusView } from '../api/status-view.js';
import { deleteNeighbour, linkAddresses, linkMac, neighbour } from '../sys/netns.js';
import { powerOn, reviveWeb, setPartition } from './faults.js';
import { probe } from './observe.js';
import { reloadAll, writeConfigs } from './processes.js';
import { directorFiles, writeState, type LabState } from './state.js';
import { LAN_IF, type Director } from './topology.js';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Directors with the VIP on their interface (powered-off ones excluded). */
export async function vipHolders(state: LabState): Promise<string[]> {
  const out: string[] = [];
  for (const d of state.topology.directors) {
    if (state.poweredOff.includes(d.role)) continue;
    if ((await linkAddresses(d.ns, LAN_IF)).some((a) => a.address === state.topology.vip)) out.push(d.role);
  }
  return out;
}

/** A director's daemon status, or undefined when it does not answer. */
export async function directorStatus(state: LabState, d: Director): Promise<StatusView | undefined> {
  try {
    const r = await controlRequest(directorFiles(state.dir, d.role).socket, { cmd: 'status' }, 3000);
    return r.ok ? (r.result as StatusView) : undefined; // the `status` command's answer
  } catch {
    return undefined;
  }
}

/** Real server address -> alive, in `d`'s health view. */
export async function healthView(state: LabState, d: Director): Promise<Map<string, boolean>> {
  const st = await directorStatus(state, d);
  const m = new Map<string, boolean>();
  // Real servers without a checker (alive null) are up, as in keepalived.
  for (const r of (st?.services ?? []).flatMap((s) => s.realServers)) m.set(r.address, r.alive !== false);
  return m;
}

export async function waitUntil(what: string, cond: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (performance.now() > end) throw new HalbError('HALB_ERR_SYS', `timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(everyMs);
  }
}

/** Bring the lab back to its resting state; throws when it cannot get there. */
export async function ensureBaseline(state: LabState, log: (s: string) => void): Promise<void> {
  const t = state.topology;
  await setPartition(state, false);
  for (const role of [...state.stoppedWeb]) {
    const rs = t.realServers.find((r) => r.role === role);
    if (rs !== undefined) {
      log(`baseline: starting the web server on ${role} again`);
      await reviveWeb(state, rs);
    }
  }
  for (const role of [...state.poweredOff]) {
    const d = t.directors.find((x) => x.role === role);
    if (d !== undefined) {
      log(`baseline: powering ${role} on again`);
      await powerOn(state, d);
    }
  }
  if (state.weight !== 1) {
    state.weight = 1;
    writeState(state);
    writeConfigs(state);
    await reloadAll(state);
  }
  const master = t.directors[0] as Director;
  await waitUntil(`${master.role} alone to hold the VIP`, async () => (await vipHolders(state)).join() === master.role, 20_000, 200);
  const want = t.realServers.map((r) => r.address);
  await waitUntil(`every real server up in ${master.role}'s health view`, async () => {
    const v = await healthView(state, master);
    return want.every((a) => v.get(a) === true);
  }, 20_000, 200);
  // After a split brain the client may still send to the other master's MAC: not part
  // of the resting state, so its entry goes (and the log says so).
  const mac = await linkMac(master.ns, LAN_IF);
  const seen = await neighbour(t.client.ns, LAN_IF, t.vip);
  if (seen?.mac !== undefined && seen.mac !== mac) {
    const owner = (await Promise.all(t.directors.map(async (d) => ((await linkMac(d.ns, LAN_IF)) === seen.mac ? d.role : undefined)))).find((r) => r !== undefined);
    log(`baseline: the client's ARP entry for ${t.vip} still points at ${owner ?? seen.mac}; deleting it`);
    await deleteNeighbour(t.client.ns, LAN_IF, t.vip);
  }
  await waitUntil('the client to be served through the VIP', async () => (await probe(state, 5, 50)).every((s) => s.ok), 15_000, 200);
}
