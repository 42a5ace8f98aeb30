// `halb lab status`: who holds the VIP and what each director thinks (VRRP state from
// halb's control socket, or from keepalived's log on the peer director), the pool as the
// VIP holder sees it (health and `halb ctl list`), and whether every recorded process
// still runs.
import { readFileSync, existsSync } from 'node:fs';
import { controlRequest } from '../api/control-client.js';
import { formatList } from '../api/ipvsadm-format.js';
import type { DataplaneSnapshot } from '../dataplane/dataplane.js';
import { isAlive, linkAddresses } from '../sys/netns.js';
import { directorStatus } from './baseline.js';
import type { StatusView } from '../api/status-view.js';
import { directorFiles, type LabState } from './state.js';
import { LAN_IF, type Director } from './topology.js';
import { ecmpStatus, renderEcmpStatus, type EcmpStatus } from './ecmp.js';

export interface DirectorRow {
  readonly role: string;
  readonly software: string;
  readonly address: string;
  readonly priority: number;
  /** VRRP state of VI_1, 'off' when powered off, 'down' when its software is not running. */
  readonly state: string;
  readonly holdsVip: boolean;
}

export interface PoolRow {
  readonly realServer: string;
  readonly address: string;
  readonly alive: boolean | undefined;
  readonly weight: number | undefined;
}

export interface LabStatus {
  readonly name: string;
  readonly dir: string;
  readonly ready: boolean;
  readonly vip: string;
  readonly holders: readonly string[];
  readonly directors: readonly DirectorRow[];
  /** The pool as the VIP holder (or the first running director) sees it. */
  readonly poolFrom: string | undefined;
  readonly pool: readonly PoolRow[];
  readonly list: string | undefined;
  readonly processes: readonly { readonly key: string; readonly pid: number; readonly running: boolean }[];
  readonly client: string;
  /** --ecmp: the router's sessions and next hops. */
  readonly ecmp?: EcmpStatus;
}

/** keepalived's last "(VI_1) Entering X STATE" in its log. */
function keepalivedState(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const all = [...readFileSync(file, 'utf8').matchAll(/\(VI_1\) Entering (\w+) STATE/g)];
  return all[all.length - 1]?.[1];
}

async function directorRow(state: LabState, d: Director): Promise<{ row: DirectorRow; health: StatusView['services'] | undefined; announces?: string | undefined }> {
  const off = state.poweredOff.includes(d.role);
  const holds = !off && (await linkAddresses(d.ns, LAN_IF)).some((a) => a.address === state.topology.vip);
  const st = off ? undefined : await directorStatus(state, d);
  let vrrp: string | undefined;
  if (d.software === 'keepalived') vrrp = keepalivedState(directorFiles(state.dir, d.role).kaLog);
  else {
    vrrp = st?.vrrp?.instances.find((i) => i.name === 'VI_1')?.state;
  }
  const row: DirectorRow = {
    role: d.role, software: d.software === 'keepalived' ? 'keepalived -P + halb -C' : 'halb',
    address: d.addresses[0]?.split('/')[0] ?? '', priority: d.priority,
    state: off ? 'off' : st === undefined ? 'down' : vrrp ?? '?', holdsVip: holds,
  };
  const bgp = st?.daemon.bgp as { prefixes?: { prefix: string; announced: boolean }[] } | undefined;
  const announces = bgp?.prefixes?.map((p) => `${p.prefix} ${p.announced ? 'announced' : 'withdrawn'}`).join(', ');
  return { row, health: st?.services, announces };
}

export async function labStatus(state: LabState): Promise<LabStatus> {
  const t = state.topology;
  const got = await Promise.all(t.directors.map((d) => directorRow(state, d)));
  const holders = got.filter((g) => g.row.holdsVip).map((g) => g.row.role);
  const from = t.directors.find((d) => holders.includes(d.role)) ?? t.directors.find((_, i) => got[i]?.health !== undefined);
  const health = from !== undefined ? got[t.directors.indexOf(from)]?.health : undefined;
  const rows = (health ?? []).flatMap((s) => s.realServers);
  const pool = t.realServers.map((rs) => {
    const h = rows.find((r) => r.address === rs.address);
    return { realServer: rs.role, address: `${rs.address}:${rs.port}`, alive: h === undefined ? undefined : h.alive !== false, weight: h?.weight };
  });
  let list: string | undefined;
  if (from !== undefined) {
    try {
      const r = await controlRequest(directorFiles(state.dir, from.role).socket, { cmd: 'list' }, 3000);
      if (r.ok) list = formatList(r.result as DataplaneSnapshot, 'plain');
    } catch {
      list = undefined;
    }
  }
  const ecmp = await ecmpStatus(state, Object.fromEntries(got.flatMap((g) => (g.announces !== undefined ? [[g.row.role, g.announces]] : []))));
  return {
    ...(ecmp !== undefined ? { ecmp } : {}),
    name: state.name === '' ? 'default' : state.name, dir: state.dir, ready: state.ready, vip: t.vip, holders,
    directors: got.map((g) => g.row), poolFrom: from?.role, pool, list,
    processes: Object.entries(state.processes).map(([key, p]) => ({ key, pid: p.pid, running: isAlive(p.pid) })),
    client: `ip netns exec ${t.client.ns} curl http://${t.vip}/`,
  };
}

export function renderStatus(s: LabStatus): string {
  const out: string[] = [];
  out.push(`lab ${s.name} (${s.dir})${s.ready ? '' : ' — NOT READY (lab up did not finish)'}`);
  if (s.ecmp !== undefined) out.push(`VIP ${s.vip} announced over BGP by every director that can serve it (--ecmp: no VRRP)`, '');
  else out.push(`VIP ${s.vip} held by ${s.holders.length === 0 ? 'nobody' : s.holders.join(' and ')}${s.holders.length > 1 ? ' (split brain)' : ''}`, '');
  const head = ['director', 'software', 'address', 'priority', 'VRRP', 'VIP'];
  const data = s.directors.map((d) => [d.role, d.software, d.address, String(d.priority), d.state, d.holdsVip ? 'yes' : '']);
  const w = head.map((h, i) => Math.max(h.length, ...data.map((r) => (r[i] as string).length)));
  for (const r of [head, ...data]) out.push(r.map((c, i) => c.padEnd(w[i] as number)).join('  ').trimEnd());
  out.push('', `pool as ${s.poolFrom ?? 'nobody'} sees it:`);
  for (const p of s.pool) out.push(`  ${p.realServer.padEnd(5)} ${p.address.padEnd(18)} ${p.alive === undefined ? 'unknown' : p.alive ? 'up' : 'DOWN'}${p.weight !== undefined ? `  weight ${p.weight}` : ''}`);
  if (s.ecmp !== undefined) out.push(...renderEcmpStatus(s.ecmp, s.vip));
  if (s.list !== undefined) out.push('', s.list.trimEnd());
  const dead = s.processes.filter((p) => !p.running);
  if (dead.length > 0) out.push('', `not running: ${dead.map((p) => `${p.key} (pid ${p.pid})`).join(', ')}`);
  out.push('', `reach the VIP: ${s.client}`);
  return `${out.join('\n')}\n`;
}
