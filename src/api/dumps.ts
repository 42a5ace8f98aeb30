// keepalived-compatible dump files, rendered from the same status view the API serves:
// SIGUSR1 writes the data dump (VRRP topology to keepalived.data, the LVS side to
// keepalived_check.data), SIGUSR2 the VRRP statistics (keepalived.stats), SIGJSON
// (SIGRTMIN+2) the JSON dump (keepalived.json). Field names and layouts follow
// keepalived's vrrp_data.c dump_vrrp, vrrp_print.c vrrp_print_stats and vrrp_json.c, so
// exporters written for keepalived's files read these. Pure: text in, text out.
import type { InstanceView, ServiceView, StatusView } from './status-view.js';

/** keepalived's numeric states (vrrp.h: VRRP_STATE_INIT 0 ... FAULT 3, STOP 98). */
const STATE_NUM: Readonly<Record<string, number>> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3, STOP: 98 };

export const DEFAULT_DUMP_PATHS = {
  data: '/tmp/keepalived.data',
  stats: '/tmp/keepalived.stats',
  json: '/tmp/keepalived.json',
} as const;

export type JsonVersion = 1 | 2;

/** keepalived's vrrp_stats, from halb's counters and drop reasons. */
export interface KeepalivedStats {
  readonly advert_rcvd: number;
  readonly advert_sent: number;
  readonly become_master: number;
  readonly release_master: number;
  readonly packet_len_err: number;
  readonly advert_interval_err: number;
  readonly ip_ttl_err: number;
  readonly invalid_type_rcvd: number;
  readonly addr_list_err: number;
  readonly invalid_authtype: number;
  readonly authtype_mismatch: number;
  readonly auth_failure: number;
  readonly pri_zero_rcvd: number;
  readonly pri_zero_sent: number;
}

export function keepalivedStats(i: InstanceView): KeepalivedStats {
  const d = (...reasons: string[]): number => reasons.reduce((n, r) => n + (i.counters.drops[r] ?? 0), 0);
  return {
    advert_rcvd: i.counters.advertsReceived,
    advert_sent: i.counters.advertsSent,
    become_master: i.counters.becomeMaster,
    release_master: i.counters.releaseMaster,
    packet_len_err: d('PKT_LEN_MISMATCH', 'PACKET_TOO_SHORT'),
    advert_interval_err: d('ADV_INTVL_MISMATCH'),
    ip_ttl_err: d('INVALID_TTL'),
    invalid_type_rcvd: d('INVALID_TYPE'),
    addr_list_err: d('ADDR_COUNT_MISMATCH', 'VIP_MISMATCH'),
    invalid_authtype: d('INVALID_AUTH_TYPE'),
    authtype_mismatch: d('AUTH_TYPE_MISMATCH'),
    auth_failure: d('AUTH_FAILURE'),
    pri_zero_rcvd: i.counters.priZeroReceived,
    pri_zero_sent: i.counters.priZeroSent,
  };
}

/** vrrp_print_stats: one block per instance. */
export function renderStats(v: StatusView): string {
  const out: string[] = [];
  for (const i of v.vrrp?.instances ?? []) {
    const s = keepalivedStats(i);
    out.push(
      `VRRP Instance: ${i.name}`,
      '  Advertisements:', `    Received: ${s.advert_rcvd}`, `    Sent: ${s.advert_sent}`,
      `  Became master: ${s.become_master}`, `  Released master: ${s.release_master}`,
      '  Packet Errors:', `    Length: ${s.packet_len_err}`, `    TTL: ${s.ip_ttl_err}`, `    Invalid Type: ${s.invalid_type_rcvd}`,
      `    Advertisement Interval: ${s.advert_interval_err}`, `    Address List: ${s.addr_list_err}`,
      '  Authentication Errors:', `    Invalid Type: ${s.invalid_authtype}`, `    Type Mismatch: ${s.authtype_mismatch}`, `    Failure: ${s.auth_failure}`,
      '  Priority Zero:', `    Received: ${s.pri_zero_rcvd}`, `    Sent: ${s.pri_zero_sent}`,
    );
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function trackers(i: InstanceView, kind: string): string[] {
  return i.contributors.filter((c) => c.kind === kind).map((c) => c.name);
}

/** vrrp_json.c: `[{ data, stats }]` (json_version 1) or `{ "vrrp": [...] }` (2). */
export function renderJson(v: StatusView, version: JsonVersion = 1): string {
  const list = (v.vrrp?.instances ?? []).map((i) => {
    const data: Record<string, unknown> = {
      iname: i.name,
      ifp_ifname: i.interface,
      master_priority: i.masterPriority ?? 0,
      last_transition: i.lastTransition?.at != null ? i.lastTransition.at / 1000 : 0,
      vrid: i.vrid,
      base_priority: i.basePriority,
      effective_priority: i.effectivePriority,
      vipset: i.vipSet,
      state: STATE_NUM[i.state] ?? 0,
      wantstate: STATE_NUM[i.wantState] ?? 0,
      version: i.version,
    };
    if (i.vips.length > 0) data.vips = i.vips;
    for (const [key, kind] of [['track_ifp', 'interface'], ['track_script', 'script'], ['track_file', 'file'], ['track_process', 'process']] as const) {
      const names = trackers(i, kind);
      if (names.length > 0) data[key] = names;
    }
    return { data, stats: keepalivedStats(i) };
  });
  return `${JSON.stringify(version === 2 ? { vrrp: list } : list, null, 2)}\n`;
}

function ctime(ms: number): string {
  // ctime_r's "%.24s" plus microseconds, as dump_vrrp writes "Last transition".
  const d = new Date(ms);
  const day = d.toLocaleString('en-US', { weekday: 'short' });
  const mon = d.toLocaleString('en-US', { month: 'short' });
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${day} ${mon} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

function dumpInstance(i: InstanceView): string[] {
  const out = [` VRRP Instance = ${i.name}`, `   VRRP Version = ${i.version}`];
  if (i.syncGroup !== null) out.push(`   Sync group = ${i.syncGroup}`);
  if (i.family === 6) out.push('   Using Native IPv6');
  out.push(`   State = ${i.state}`);
  if (i.state === 'BACKUP' && i.masterAddr !== null) out.push(`   Master router = ${i.masterAddr}`, `   Master priority = ${i.masterPriority ?? 0}`);
  out.push(`   Wantstate = ${i.wantState}`);
  const at = i.lastTransition?.at;
  if (at != null) {
    const us = String((at % 1000) * 1000).padStart(6, '0');
    out.push(`   Last transition = ${Math.floor(at / 1000)}.${us} (${ctime(at)}.${us})`);
  }
  if (i.lastTransition !== null) out.push(`   Last transition reason = ${i.lastTransition.reason}`);
  out.push(`   Interface = ${i.interface}`, `   Using src_ip = ${i.primaryAddr === '' ? '(none)' : i.primaryAddr}`,
    `   Virtual Router ID = ${i.vrid}`, `   Priority = ${i.basePriority}`, `   Effective priority = ${i.effectivePriority}`);
  if (i.unicast) out.push('   Unicast = yes');
  if (i.vips.length > 0) out.push('   Virtual IP :', ...i.vips.map((a) => `     ${a} dev ${i.interface}`));
  const labels: Readonly<Record<string, string>> = {
    interface: 'Tracked interfaces', script: 'Tracked scripts', file: 'Tracked files', process: 'Tracked processes', bfd: 'Tracked BFDs',
  };
  for (const [kind, title] of Object.entries(labels)) {
    const cs = i.contributors.filter((c) => c.kind === kind);
    if (cs.length === 0) continue;
    out.push(`   ${title} :`, ...cs.map((c) => `     ${c.name} weight ${c.reverse ? -c.weight : c.weight} status ${String(c.status)} adds ${c.delta}${c.fault ? ' (fault)' : ''}`));
  }
  for (const f of i.faults) out.push(`   Fault = ${f.source}: ${f.reason}`);
  return out;
}

/** dump_data_vrrp: the VRRP topology (keepalived.data). */
export function renderVrrpData(v: StatusView): string {
  if (v.vrrp === null) return '';
  const out = ['------< VRRP Topology >------'];
  for (const i of v.vrrp.instances) out.push(...dumpInstance(i));
  if (v.vrrp.syncGroups.length > 0) {
    out.push('------< VRRP Sync groups >------');
    for (const g of v.vrrp.syncGroups) {
      out.push(` VRRP Sync Group = ${g.name}, ${g.state}`, `   VRRP member instances = ${g.members.length}`, ...g.members.map((m) => `     ${m}`));
    }
  }
  return `${out.join('\n')}\n`;
}

/** `TCP:127.0.0.1:80` as keepalived's FMT_VS/FMT_RS print it: `[127.0.0.1]:tcp:80`. */
function fmtEndpoint(address: string, port: number, protocol: string): string {
  return `[${address}]:${protocol.toLowerCase()}:${port}`;
}

function dumpService(s: ServiceView): string[] {
  const out = [` VS = ${fmtEndpoint(s.address, s.port, s.protocol)}`, `   lb_algo = ${s.scheduler}`, `   protocol = ${s.protocol}`,
    `   listener = ${s.listener}${s.listenError !== undefined ? ` (${s.listenError})` : ''}`, `   quorum = ${s.quorumUp ? 'up' : 'down'}`,
    `   sorry server active = ${s.sorryActive ? 'yes' : 'no'}`, `   Connections = ${s.stats.conns}, InBytes = ${s.stats.inBytes}, OutBytes = ${s.stats.outBytes}`];
  for (const r of s.realServers) {
    out.push(`   RS = ${fmtEndpoint(r.address, r.port, s.protocol)}`, `     weight = ${r.weight}`,
      `     alive = ${r.alive === false ? 'no' : 'yes'}`, `     state = ${r.state}`,
      `     ActiveConn = ${r.activeConns}, InActConn = ${r.inactiveConns}, Connections = ${r.stats.conns}`);
    if (r.override !== null) out.push(`     weight override = ${r.override.weight}${r.override.drained ? ' (drained)' : ''} by ${r.override.by}`);
    for (const c of r.checkers) {
      out.push(`     Checker = ${c.kind} ${c.target}, ${c.up ? 'UP' : 'DOWN'}, runs ${c.runs}, failures ${c.failures}` +
        (c.last !== null ? `, last ${c.last.ok ? 'ok' : 'failed'} in ${Math.round(c.last.latencyMs)} ms: ${c.last.detail}` : ''));
    }
  }
  return out;
}

/** dump_data_check: the virtual servers, real servers and their checkers (keepalived_check.data). */
export function renderCheckData(v: StatusView): string {
  const out = ['------< Virtual servers >------'];
  for (const s of v.services) out.push(...dumpService(s));
  return `${out.join('\n')}\n`;
}

/** keepalived names the checker process's file after the data file: `keepalived_check.data`. */
export function checkDataPath(dataPath: string): string {
  const slash = dataPath.lastIndexOf('/');
  const dot = dataPath.lastIndexOf('.');
  return dot > slash + 1 ? `${dataPath.slice(0, dot)}_check${dataPath.slice(dot)}` : `${dataPath}_check`;
}
