// Renders a dataplane snapshot in ipvsadm's own layouts (ipvsadm.c: print_service_entry,
// print_title, print_largenum, print_conn), so scripts and eyes trained on
// `ipvsadm -Ln`, `--stats`, `--rate` and `-Lnc` read `halb ctl list` unchanged.
import type {
  ConnectionSnapshot, DataplaneSnapshot, RealServerSnapshot, ServiceSnapshot, StatsSnapshot,
} from '../dataplane/dataplane.js';
import type { WeightOverride } from '../api/admin-types.js';

export type ListView = 'plain' | 'stats' | 'rate';

/** ipvsadm's print_largenum: up to 8 characters, K/M/G/T above 99999 as ipvsadm does. */
export function largeNum(n: number, width = 8): string {
  const v = Math.round(n);
  if (v < 100000 || width < 8) return String(v).padStart(width);
  const units = ['K', 'M', 'G', 'T', 'P'];
  let x = v;
  let i = -1;
  while (x >= 100000 && i < units.length - 1) {
    x = Math.floor(x / 1000);
    i++;
  }
  return `${x}${units[i] as string}`.padStart(width);
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** ipvsadm's print_sched_flags: sh-/mh- names for sh and mh, flag-N for any other scheduler. */
function flagsText(svc: ServiceSnapshot): string {
  const f: string[] = [];
  const name = svc.scheduler;
  const named = name === 'sh' || name === 'mh';
  if (svc.schedulerFlags.fallback === true) f.push(named ? `${name}-fallback` : 'flag-1');
  if (svc.schedulerFlags.port === true) f.push(named ? `${name}-port` : 'flag-2');
  return f.length > 0 ? ` (${f.join(',')})` : '';
}

/** ipvsadm's svc_name: `TCP  192.0.2.1:80`, `FWM  7`, `FWM  7 IPv6`. */
function serviceName(svc: ServiceSnapshot): string {
  if (svc.fwmark !== undefined) return `FWM  ${svc.fwmark}${svc.address.includes(':') ? ' IPv6' : ''}`;
  return `${svc.protocol}  ${hostPort(svc.address, svc.port)}`;
}

function serviceLine(svc: ServiceSnapshot): string {
  let line = `${serviceName(svc)} ${svc.scheduler}${flagsText(svc)}`;
  if (svc.persistence !== undefined) {
    line += ` persistent ${Math.round(svc.persistence.timeoutMs / 1000)}`;
    const full = svc.address.includes(':') ? 128 : 32;
    if (svc.persistence.granularity !== full) line += ` mask ${maskText(svc.persistence.granularity, full)}`;
  }
  if (svc.persistenceEngine !== undefined) line += ` pe ${svc.persistenceEngine}`;
  if (svc.onePacket === true) line += ' ops';
  return line;
}

function maskText(len: number, full: number): string {
  if (full === 128) return String(len);
  const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 0xff).join('.');
}

function statsCols(s: StatsSnapshot, view: ListView): string {
  const cols = view === 'stats'
    ? [s.conns, s.inPkts, s.outPkts, s.inBytes, s.outBytes]
    : [s.cps, s.inPps, s.outPps, s.inBps, s.outBps];
  return cols.map((c) => ` ${largeNum(c)}`).join('');
}

/** Real servers as ipvsadm lists them: pool members (draining ones left the pool and are not shown). */
function listed(svc: ServiceSnapshot): RealServerSnapshot[] {
  return svc.realServers.filter((rs) => !rs.draining);
}

/**
 * Run-time overrides below the table (ipvsadm has none; the table itself keeps ipvsadm's
 * columns so scripts that parse it still do).
 */
export function formatOverrides(overrides: readonly WeightOverride[]): string {
  if (overrides.length === 0) return '';
  const rows = overrides.map((o) => `  ${o.service} -> ${o.realServer}: ${o.drained ? 'drained (weight 0)' : `weight ${o.weight}`} by ${o.by} ` +
    `since ${new Date(o.at).toISOString()}`);
  return `Run-time overrides (kept across reloads; \`halb ctl enable SERVICE REAL-SERVER\` drops one):\n${rows.join('\n')}\n`;
}

export function formatList(snap: DataplaneSnapshot, view: ListView): string {
  // ipvsadm's list_all() prints the version line above every listing, --stats and --rate too.
  const out: string[] = ['IP Virtual Server version 1.2.1 (size=4096)'];
  if (view === 'plain') {
    out.push('Prot LocalAddress:Port Scheduler Flags');
    out.push('  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn');
  } else if (view === 'stats') {
    out.push('Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes');
    out.push('  -> RemoteAddress:Port');
  } else {
    out.push('Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS');
    out.push('  -> RemoteAddress:Port');
  }
  for (const svc of snap.services) {
    if (view === 'plain') {
      out.push(serviceLine(svc));
      for (const rs of listed(svc)) {
        out.push(`  -> ${hostPort(rs.address, rs.port).padEnd(28)} ${rs.forward.padEnd(7)} ${String(rs.weight).padEnd(6)} ` +
          `${String(rs.activeConns).padEnd(10)} ${rs.inactiveConns}`);
      }
    } else {
      out.push(`${serviceName(svc).padEnd(33)}${statsCols(svc.stats, view)}`);
      for (const rs of listed(svc)) out.push(`  -> ${hostPort(rs.address, rs.port).padEnd(28)}${statsCols(rs.stats, view)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function expire(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** ipvsadm -Lnc: the connection table, persistence templates included (state NONE). */
export function formatConnections(conns: readonly ConnectionSnapshot[]): string {
  const out = ['IPVS connection entries', 'pro expire state       source             virtual            destination'];
  for (const c of conns) {
    const src = hostPort(c.clientAddress, c.clientPort);
    out.push(`${c.protocol.padEnd(3)} ${expire(c.expiresInMs)}  ${c.state.padEnd(11)} ${src.padEnd(18)} ${c.virtual.padEnd(18)} ${c.destination}`);
  }
  return `${out.join('\n')}\n`;
}
