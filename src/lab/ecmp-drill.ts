// What an --ecmp lab measures: how new connections spread over the directors, and what a
// director's power loss does (`halb lab drill failover` on an --ecmp lab). Power loss is
// the lab's usual one: the director's cable is pulled at the switch and halb (with the
// BIRD it runs, same process group) is killed -9, so nothing says goodbye; the router
// notices through BFD. Reported: when the router's ECMP route lost the director (ms after
// the cable), how many long-lived connections kept answering from their real server, and
// how many new connections made during the failover failed.
import { fileURLToPath } from 'node:url';
import { HalbError } from '../core/errors.js';
import { ClientProcess, hasKey } from './client-process.js';
import { controlRequest } from '../api/control-client.js';
import type { DataplaneSnapshot } from '../dataplane/dataplane.js';
import { powerOff, powerOn } from './faults.js';
import { now, probe } from './observe.js';
import { directorOfHop, routerNextHops, waitNextHops } from './ecmp.js';
import { directorFiles, lockLab, type LabState } from './state.js';
import type { Director } from './topology.js';

export const HOLD_CLIENT = fileURLToPath(new URL('./hold-client.js', import.meta.url));

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Connections each director's dataplane has scheduled so far (ipvsadm --stats conns). */
export async function directorConns(state: LabState): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const d of state.topology.directors) {
    if (state.poweredOff.includes(d.role)) continue;
    const r = await controlRequest(directorFiles(state.dir, d.role).socket, { cmd: 'list' }, 5000);
    if (!r.ok) throw new HalbError('HALB_ERR_SYS', `${d.role}: list failed: ${r.error}`);
    out.set(d.role, (r.result as DataplaneSnapshot).totals.conns);
  }
  return out;
}

export interface SpreadReport {
  readonly connections: number;
  readonly failed: number;
  /** New connections each director scheduled during the burst. */
  readonly byDirector: Readonly<Record<string, number>>;
  readonly byRealServer: Readonly<Record<string, number>>;
}

/** `count` new connections from the client through the router; who scheduled them. */
export async function measureSpread(state: LabState, count: number, rate = 100): Promise<SpreadReport> {
  const before = await directorConns(state);
  const samples = await probe(state, count, rate, 2000);
  // The nft counters are read by the engine's poll; give it a moment to catch up.
  await pause(300);
  const after = await directorConns(state);
  const byDirector: Record<string, number> = {};
  for (const [k, v] of after) byDirector[k] = v - (before.get(k) ?? 0);
  const byRealServer: Record<string, number> = {};
  for (const s of samples) if (s.ok && s.rs !== undefined) byRealServer[s.rs] = (byRealServer[s.rs] ?? 0) + 1;
  return { connections: samples.length, failed: samples.filter((s) => !s.ok).length, byDirector, byRealServer };
}

export interface EcmpFailoverReport {
  readonly director: string;
  readonly nextHopsBefore: readonly string[];
  readonly nextHopsAfter: readonly string[];
  /** From the cable pull to the router's route without the director. */
  readonly withdrawnAfterMs: number;
  readonly longLived: { readonly total: number; readonly survived: number; readonly broken: readonly string[] };
  readonly newConnections: { readonly total: number; readonly failed: number };
  readonly restoredAfterMs: number | undefined;
}

interface HoldResult { ok: boolean; rs?: string; requests: number; err?: string }

function holdClient(state: LabState, count: number, durationMs: number): { ready: Promise<void>; done: Promise<HoldResult[]>; kill: () => void } {
  const t = state.topology;
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => { onReady = r; });
  let results: HoldResult[] | undefined;
  let last: unknown;
  const client = new ClientProcess(t.client.ns, HOLD_CLIENT, ['--host', t.vip, '--port', '80', '--count', String(count),
    '--interval', '100', '--duration', String(durationMs), '--timeout', '3000', '--lab', state.dir], (r) => {
    last = r;
    if (hasKey(r, 'ready') && r.ready === true) onReady();
    if (hasKey(r, 'done') && r.done === true) results = (r as unknown as { results: HoldResult[] }).results;
  });
  const killer = setTimeout(() => client.kill(), durationMs + 30_000);
  const done = client.closed.then(() => {
    clearTimeout(killer);
    if (results === undefined) throw new HalbError('HALB_ERR_SYS', `hold client ended without a result: ${JSON.stringify(last) ?? 'no output'}`);
    return results;
  });
  return { ready, done, kill: () => client.kill() };
}

export interface EcmpFailoverOptions {
  readonly log: (line: string) => void;
  /** Director to power off (dflt the last one). */
  readonly director?: string;
  readonly longLived?: number;
  /** Power the director on again at the end (dflt true). */
  readonly restore?: boolean;
}

export async function ecmpFailover(state: LabState, o: EcmpFailoverOptions): Promise<EcmpFailoverReport> {
  const t = state.topology;
  const d = (o.director !== undefined ? t.directors.find((x) => x.role === o.director) : t.directors[t.directors.length - 1]) as Director | undefined;
  if (d === undefined) throw new HalbError('HALB_ERR_USAGE', `no director ${o.director ?? ''} in this lab`);
  if (state.poweredOff.length > 0) throw new HalbError('HALB_ERR_USAGE', `${state.poweredOff.join(', ')} powered off: the drill starts from every director up`);
  const live = t.directors.length;
  const before = await waitNextHops(state, live, 30_000);
  const hold = holdClient(state, o.longLived ?? 100, 5000);
  try {
    await Promise.race([hold.ready, pause(15_000).then(() => { throw new HalbError('HALB_ERR_SYS', 'the long-lived connections did not all open within 15 s'); })]);
  } catch (e) {
    hold.kill();
    throw e;
  }
  await pause(1000);
  // New connections during the failover, started just before the cable is pulled.
  const fresh = probe(state, 150, 50, 2000);
  await pause(500);
  o.log(`${d.role} loses power (cable pulled, halb and its BIRD killed -9)`);
  // The router's table is watched from before the cable is pulled: pulling it and
  // reaping the killed processes takes longer than the router needs to notice.
  let hops = before;
  let droppedAt: number | undefined;
  let watching = true;
  const watch = (async (): Promise<void> => {
    while (watching) {
      const h = await routerNextHops(state);
      if (droppedAt === undefined && h.length < live) {
        droppedAt = now();
        hops = h;
      }
      await pause(5);
    }
  })();
  const at = now();
  await powerOff(state, d);
  const end = at + 15_000;
  while (droppedAt === undefined && now() < end) await pause(10);
  watching = false;
  await watch;
  if (droppedAt === undefined) throw new HalbError('HALB_ERR_SYS', `the router still routes ${t.vip} over ${d.role} 15 s after its power loss`);
  const withdrawnAfterMs = droppedAt - at;
  o.log(`the router dropped ${d.role} after ${withdrawnAfterMs.toFixed(0)} ms`);
  const results = await hold.done;
  const samples = await fresh;
  let restoredAfterMs: number | undefined;
  if (o.restore !== false) {
    const t0 = now();
    await powerOn(state, d);
    await waitNextHops(state, live, 30_000);
    restoredAfterMs = now() - t0;
  }
  return {
    director: d.role,
    nextHopsBefore: before.map((h) => directorOfHop(t, h.via)),
    nextHopsAfter: hops.map((h) => directorOfHop(t, h.via)),
    withdrawnAfterMs,
    longLived: { total: results.length, survived: results.filter((r) => r.ok).length, broken: results.filter((r) => !r.ok).map((r) => r.err ?? '?') },
    newConnections: { total: samples.length, failed: samples.filter((s) => !s.ok).length },
    restoredAfterMs,
  };
}

export function renderEcmpFailover(r: EcmpFailoverReport): string {
  return [
    `failover (ECMP): ${r.director} lost power`,
    `  router next hops: ${r.nextHopsBefore.join(', ')} -> ${r.nextHopsAfter.join(', ') || 'none'} (${r.director} gone ${r.withdrawnAfterMs.toFixed(0)} ms after its cable was pulled)`,
    `  long-lived connections: ${r.longLived.survived}/${r.longLived.total} kept answering from their real server${r.longLived.broken.length > 0 ? ` (broken: ${[...new Set(r.longLived.broken)].join('; ')})` : ''}`,
    `  new connections during the failover: ${r.newConnections.failed}/${r.newConnections.total} failed`,
    ...(r.restoredAfterMs !== undefined ? [`  ${r.director} powered on again: back in the router's table after ${(r.restoredAfterMs / 1000).toFixed(1)} s`] : []),
    '',
  ].join('\n');
}

/** `halb lab drill X` on an --ecmp lab: failover, or spread (new connections over the directors). */
export async function runEcmpDrill(state: LabState, which: string, log: (line: string) => void): Promise<{ text: string; json: unknown; ok: boolean }> {
  const release = lockLab(state.dir);
  try {
    if (which === 'failover') {
      const r = await ecmpFailover(state, { log });
      return { text: renderEcmpFailover(r), json: r, ok: r.nextHopsAfter.length === r.nextHopsBefore.length - 1 };
    }
    if (which === 'spread') {
      const r = await measureSpread(state, 300);
      const text = [`spread: ${r.connections} new connections, ${r.failed} failed`,
        ...Object.entries(r.byDirector).map(([k, v]) => `  ${k}: ${v} (${((100 * v) / Math.max(1, r.connections)).toFixed(0)} %)`), ''].join('\n');
      return { text, json: r, ok: r.failed === 0 };
    }
    throw new HalbError('HALB_ERR_USAGE', `an --ecmp lab has the drills failover and spread (not '${which}')`);
  } finally {
    release();
  }
}
