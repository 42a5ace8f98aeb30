// keepalived-compatible dump files, rendered from the same status view the API serves:
// SIGUSR1 writes the data dump (VRRP topology to keepalived.data, the LVS side to
// keepalived_check.data), SIGUSR2 the VRRP statistics (keepalived.stats), SIGJSON
// (SIGRTMIN+2) the JSON dump (keepalived.json). Field names and layouts follow
// keepalived's vrrp_data.c dump_vrrp, vrrp_print.c vrrp_print_stats and vrrp_json.c, so
// exporters written for keepalived's files read these. Pure: text in, text out.
import type { InstanceView, ServiceView, StatusView } from './status-view.js';
import type { IpAddressEntry, TrackSet, VrrpInstance } from '../config/index.js';

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

/** keepalived's ctime_us_r: asctime's first 19 characters, `.uuuuuu`, then the year (local time). */
export function ctimeUs(ms: number): string {
  const d = new Date(ms);
  const day = d.toLocaleString('en-US', { weekday: 'short' });
  const mon = d.toLocaleString('en-US', { month: 'short' });
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${day} ${mon} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}` +
    `.${microseconds(ms)} ${d.getFullYear()}`;
}

function microseconds(ms: number): string {
  return String(Math.floor((ms - Math.floor(ms / 1000) * 1000) * 1000)).padStart(6, '0');
}

/** get_state_str: keepalived names the four states and calls anything else "unknown". */
function stateStr(s: string): string {
  return s === 'INIT' || s === 'BACKUP' || s === 'MASTER' || s === 'FAULT' ? s : 'unknown';
}

/** keepalived's rt_scope names (get_rttables_scope) for the scopes an address may carry. */
const SCOPES: Readonly<Record<number, string>> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

/** format_ipaddress for one VIP: the configured attributes when known, keepalived's defaults otherwise. */
function vipLine(vip: string, i: InstanceView, entry: IpAddressEntry | undefined): string {
  const v6 = vip.includes(':');
  // ipaddresstos leaves out a host prefix length.
  let s = `     ${vip.replace(v6 ? /\/128$/ : /\/32$/, '')}`;
  if (!v6 && entry?.broadcast !== undefined) s += ` brd ${entry.broadcast}`;
  s += ` dev ${entry?.device ?? i.interface} scope ${SCOPES[entry?.scope ?? 0] ?? String(entry?.scope)}`;
  if (entry?.label !== undefined) s += ` label ${entry.label}`;
  if (entry?.noDad === true) s += ' -nodad';
  if (entry?.noPrefixRoute === true) s += ' noprefixroute';
  if (entry?.autoJoin === true) s += ' autojoin';
  if (entry?.noTrack === true) s += ' no_track';
  if (v6) {
    const lft = entry?.preferredLft ?? 'forever';
    s += lft === 0 ? ' deprecated' : lft === 'forever' ? ' preferred_lft forever' : ` preferred_lft ${lft}`;
  }
  if (i.vipSet) s += ' set';
  return s;
}

/** The tracker lines of dump_track_*_list: `name weight W`, `file, weight W`, `proc, weight W`, `bfd: weight W`. */
const TRACKED: ReadonlyArray<readonly [kind: string, title: string, sep: string, list: keyof TrackSet]> = [
  ['interface', 'Tracked interfaces', '', 'interfaces'], ['script', 'Tracked scripts', '', 'scripts'], ['file', 'Tracked files', ',', 'files'],
  ['process', 'Tracked processes', ',', 'processes'], ['bfd', 'Tracked BFDs', ':', 'bfds'],
];

/**
 * dump_vrrp for the fields halb knows, each line as keepalived 2.2.7 writes it and in its
 * order; fields keepalived writes that halb has no value for are left out, never guessed.
 * `cfg` (the instance's configuration) supplies what the engine's snapshot does not carry.
 */
function dumpInstance(i: InstanceView, cfg: VrrpInstance | undefined): string[] {
  const out = [` VRRP Instance = ${i.name}`, `   VRRP Version = ${i.version}`];
  if (i.syncGroup !== null) out.push(`   Sync group = ${i.syncGroup}`);
  if (i.family === 6) out.push('   Using Native IPv6');
  out.push(`   State = ${stateStr(i.state)}`);
  if (i.state === 'BACKUP' && i.masterAddr !== null) out.push(`   Master router = ${i.masterAddr}`, `   Master priority = ${i.masterPriority ?? 0}`);
  out.push(`   Wantstate = ${stateStr(i.wantState)}`);
  const at = i.lastTransition?.at;
  if (at != null) out.push(`   Last transition = ${Math.floor(at / 1000)}.${microseconds(at)} (${ctimeUs(at)})`);
  out.push(`   Interface = ${i.interface}`,
    `   Using src_ip = ${i.primaryAddr === '' ? '(none)' : i.primaryAddr}${cfg?.srcIp !== undefined ? ' (from configuration)' : ''}`);
  if (!i.unicast && i.family === 4) out.push(`   Multicast address ${cfg?.mcastDstIp ?? '224.0.0.18'}`);
  out.push(`   Virtual Router ID = ${i.vrid}`, `   Priority = ${i.basePriority}`, `   Effective priority = ${i.effectivePriority}`);
  if (cfg !== undefined) {
    out.push(i.version === 2 ? `   Advert interval = ${Math.floor(cfg.advertIntMs / 1000)} sec` : `   Advert interval = ${cfg.advertIntMs} milli-sec`);
    out.push(`   Preempt = ${cfg.nopreempt ? 'disabled' : 'enabled'}`);
    if (cfg.preemptDelayMs > 0) out.push(`   Preempt delay = ${cfg.preemptDelayMs / 1000} secs`);
    out.push(`   Promote_secondaries = ${cfg.promoteSecondaries ? 'enabled' : 'disabled'}`);
    if (cfg.auth !== undefined) {
      out.push(`   Authentication type = ${cfg.auth.type === 'AH' ? 'IPSEC_AH' : 'SIMPLE_PASSWORD'}`);
      if (cfg.auth.type === 'PASS') out.push(`   Password = ${cfg.auth.password}`);
    } else if (i.version === 2) {
      out.push('   Authentication type = none');
    }
  }
  if (i.vips.length > 0) {
    const entries = new Map((cfg?.vips ?? []).map((e) => [`${e.address}/${e.prefixLength}`, e]));
    out.push(`   Virtual IP (${i.vips.length}):`, ...i.vips.map((a) => vipLine(a, i, entries.get(a))));
  }
  if (i.unicast && cfg !== undefined) {
    out.push(`   Check unicast src : ${cfg.checkUnicastSrc ? 'yes' : 'no'}`, '   Unicast Peer :',
      ...cfg.unicastPeers.map((p) => `     ${p.address} min_ttl ${p.minTtl} max_ttl ${p.maxTtl}`));
  }
  for (const [kind, title, sep, list] of TRACKED) {
    // keepalived lists the trackers the configuration names (not the implicit primary
    // interface), and drops those whose weight a sync group ignores, as halb's engine does.
    const named = cfg === undefined ? undefined : new Set(cfg.track[list].map((r) => r.name));
    const cs = i.contributors.filter((c) => c.kind === kind && (named === undefined || named.has(c.name)));
    if (cs.length === 0) continue;
    out.push(`   ${title} :`, ...cs.map((c) => `     ${c.name}${sep} weight ${c.weight}${c.reverse ? ' reverse' : ''}`));
  }
  return out;
}

/** dump_data_vrrp: the VRRP topology and sync groups (keepalived.data), as keepalived 2.2.7 lays them out. */
export function renderVrrpData(v: StatusView, instances: readonly VrrpInstance[] = []): string {
  if (v.vrrp === null) return '';
  const byName = new Map(instances.map((c) => [c.name, c]));
  const out = ['------< VRRP Topology >------'];
  for (const i of v.vrrp.instances) out.push(...dumpInstance(i, byName.get(i.name)));
  if (v.vrrp.syncGroups.length > 0) {
    out.push('------< VRRP Sync groups >------');
    for (const g of v.vrrp.syncGroups) {
      out.push(` VRRP Sync Group = ${g.name}, ${stateStr(g.state)}`);
      if (g.members.length > 0) out.push('   VRRP member instances :', ...g.members.map((m) => `     ${m}`));
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
