// `--long-lived N` of the failover and failback drills: N keep-alive connections opened
// before the fault, each asking every 100 ms (long-lived-client.ts in the client
// namespace), and at the end how many of those very connections are still answered.
// What the kernel dataplane needs to keep them (docs/conntrack-sync.md, docs/dataplane-nft.md):
//   nft NAT  the new master commits the flows conntrackd replicated, before the VIP moves;
//   nft DR   the new master schedules an unknown flow's packets as the old one did (mh/sh);
//   proxy    nothing can: a connection ends with the process that carried it.
// For failback the returning director's own account of its start is kept too: how many
// flows it had received before VRRP started, and how long its commit took.
import { fileURLToPath } from 'node:url';
import { HalbError } from '../core/errors.js';
import { ClientProcess, hasKey } from './client-process.js';
import { controlRequest } from '../api/control-client.js';
import type { ConntrackSyncStatus } from '../api/control-protocol.js';
import type { LongLivedConn } from './long-lived-client.js';
import { directorFiles, type LabState } from './state.js';
import type { Director } from './topology.js';

export const LONG_LIVED_CLIENT = fileURLToPath(new URL('./long-lived-client.js', import.meta.url));

/** What a drill records of its long-lived connections. */
export interface LongLivedRecord {
  readonly dataplane: string;
  readonly opened: number;
  readonly conns: readonly LongLivedConn[];
  /** The returning/new master's conntrackd account (nft NAT), read once it held the VIP. */
  readonly sync?: { readonly director: string; readonly status: ConntrackSyncStatus };
}

export class LongLivedRun {
  readonly #client: ClientProcess;
  readonly #lines: unknown[] = [];

  private constructor(state: LabState, n: number) {
    this.#client = new ClientProcess(state.topology.client.ns, LONG_LIVED_CLIENT, ['--host', state.topology.vip, '--port', '80',
      '--conns', String(n), '--interval', '100', '--max-seconds', '600', '--lab', state.dir], (r) => this.#lines.push(r));
  }

  /** Open N connections and wait until every one has had an answer; rejects when some never did. */
  static async start(state: LabState, n: number): Promise<LongLivedRun> {
    const run = new LongLivedRun(state, n);
    const end = performance.now() + 20_000;
    while (performance.now() < end) {
      const r = run.#lines.find((l): l is { ready: number; failed: number } => hasKey(l, 'ready'));
      if (r !== undefined) {
        if (r.failed > 0) {
          await run.stop();
          throw new HalbError('HALB_ERR_SYS', `long-lived connections: only ${r.ready} of ${n} were answered before the fault`);
        }
        return run;
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    await run.stop();
    throw new HalbError('HALB_ERR_SYS', 'long-lived client did not report within 20 s');
  }

  /** Close them and return each connection's account. */
  async stop(): Promise<LongLivedConn[]> {
    await this.#client.stop(5000);
    return this.#lines.filter((l): l is LongLivedConn => hasKey(l, 'c'));
  }
}

/** A director's conntrackd account from its halb (undefined when it has none or does not answer). */
export async function conntrackStatus(state: LabState, d: Director): Promise<ConntrackSyncStatus | undefined> {
  try {
    const r = await controlRequest(directorFiles(state.dir, d.role).socket, { cmd: 'status' }, 2000);
    return r.ok ? (r.result as { daemon: { conntrackSync?: ConntrackSyncStatus } }).daemon.conntrackSync : undefined;
  } catch {
    return undefined;
  }
}

export interface LongLivedFigures {
  readonly dataplane: string;
  readonly opened: number;
  readonly survived: number;
  readonly lost: number;
  /** Why they ended, by reason. */
  readonly reasons: Readonly<Record<string, number>>;
  /** The longest stall a surviving connection saw (ms). */
  readonly maxStallMs: number;
  readonly sync?: LongLivedRecord['sync'];
}

/**
 * Survivors: still open at the end, and answered after the fault (a connection that went
 * silent at the fault but was not yet declared lost does not count). Pure.
 */
export function longLivedFigures(rec: LongLivedRecord, actionAt: number | undefined): LongLivedFigures {
  const after = actionAt ?? 0;
  const alive = rec.conns.filter((k) => k.lost === undefined && k.lastOkAt > after);
  const reasons: Record<string, number> = {};
  for (const k of rec.conns) {
    if (alive.includes(k)) continue;
    const why = k.lost?.why ?? 'no answer after the fault';
    reasons[why] = (reasons[why] ?? 0) + 1;
  }
  return {
    dataplane: rec.dataplane, opened: rec.opened, survived: alive.length, lost: rec.opened - alive.length, reasons,
    maxStallMs: alive.reduce((m, k) => Math.max(m, k.maxWaitMs), 0),
    ...(rec.sync !== undefined ? { sync: rec.sync } : {}),
  };
}

/** The proxy dataplane's limit, said where its figures are shown (docs/dataplane-proxy.md). */
export const PROXY_LIMIT = 'the proxy dataplane cannot keep a connection across the death of its process (or the move of the VIP away from it): each connection is a pair of sockets in that process';

/** The kernel dataplane must keep 99 % of them (at least 99 of 100); the proxy cannot keep any, so it gets no check. */
export function longLivedCheck(f: LongLivedFigures): { name: string; ok: boolean; detail: string } | undefined {
  if (f.dataplane === 'proxy') return undefined;
  const need = Math.ceil(f.opened * 0.99);
  const why = Object.entries(f.reasons).map(([r, n]) => `${n} ${r}`).join(', ');
  return {
    name: 'long-lived connections survive',
    ok: f.survived >= need,
    detail: `${f.survived} of ${f.opened} survived (need ${need})${why !== '' ? `; lost: ${why}` : ''}; longest stall ${f.maxStallMs} ms`,
  };
}

/** The report's words for it (report-table.ts). Pure. */
export function longLivedCell(f: LongLivedFigures): string {
  const parts = [`long-lived: ${f.survived}/${f.opened} survived${f.survived > 0 ? `, longest stall ${(f.maxStallMs / 1000).toFixed(2)} s` : ''}`];
  const s = f.sync?.status;
  if (s !== undefined) {
    const r = s.startupResync;
    if (r !== undefined) parts.push(`${f.sync!.director} held ${r.flows} synced flow(s) ${(r.ms / 1000).toFixed(2)} s after start, before VRRP${r.settled ? '' : ' (still arriving)'}`);
    if (s.lastCommitMs !== undefined) parts.push(`commit before VIP ${s.lastCommitMs} ms`);
    if (s.state !== 'running') parts.push(`conntrackd ${s.state}${s.lastError !== undefined ? ` (${s.lastError})` : ''}`);
  }
  if (f.dataplane === 'proxy') parts.push(PROXY_LIMIT);
  return parts.join(', ');
}
