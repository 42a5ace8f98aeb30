// The local control socket's protocol (`halb ctl` <-> daemon): one JSON object per line
// each way. Requests carry an id so a client may pipeline; the daemon answers each.
import type { DataplaneSnapshot } from '../dataplane/dataplane.js';
import type { ConfigDiagnostic } from '../config/diagnostics.js';
import type { IpvsSyncDaemon } from '../core/ipvs-types.js';

export const DEFAULT_CONTROL_SOCKET = '/run/halb/halb.sock';

export type ControlRequest =
  | { readonly id: number; readonly cmd: 'list'; readonly connections?: boolean }
  | { readonly id: number; readonly cmd: 'reload' }
  | { readonly id: number; readonly cmd: 'status' }
  | { readonly id: number; readonly cmd: 'weight'; readonly service: string; readonly realServer: string; readonly weight: number }
  | { readonly id: number; readonly cmd: 'drain'; readonly service: string; readonly realServer: string }
  | { readonly id: number; readonly cmd: 'enable'; readonly service: string; readonly realServer: string }
  | { readonly id: number; readonly cmd: 'release'; readonly instance: string };

export interface ReloadResult {
  readonly applied: boolean;
  readonly diagnostics: readonly ConfigDiagnostic[];
  readonly summary: string;
}

export interface DaemonStatus {
  readonly pid: number;
  readonly configFile: string;
  readonly startedAt: number;
  readonly reloads: number;
  readonly lastReload?: { readonly at: number; readonly applied: boolean; readonly summary: string };
  /** halb_bgp: daemon, sessions and announced prefixes (src/bgp/speaker.ts BgpSnapshot). */
  readonly bgp?: unknown;
  /** conntrackd run by halb (halb_conntrack_sync), when configured. */
  readonly conntrackSync?: ConntrackSyncStatus;
  /** IPVS sync traffic seen on lvs_sync_daemon's interface, when configured. */
  readonly ipvsSync?: IpvsSyncStatus;
  /** The kernel's IPVS sync daemons halb runs for lvs_sync_daemon (IPVS dataplane only). */
  readonly ipvsSyncDaemons?: IpvsSyncDaemonStatus;
}

/** lvs_sync_daemon as halb drives it: what it follows, and what the kernel runs. */
export interface IpvsSyncDaemonStatus {
  readonly interface: string;
  readonly syncId: number;
  /** The VRRP instance followed; absent: both daemons run (lvs_sync_daemon without an instance). */
  readonly instance?: string;
  /** That instance's last known VRRP state. */
  readonly instanceState?: string;
  /** The roles halb has started. */
  readonly started: readonly ('MASTER' | 'BACKUP')[];
  /** The kernel's daemons, read with GET_DAEMON when the status was asked. */
  readonly kernel: readonly IpvsSyncDaemon[];
  /** The last failed start/stop/read, in keepalived's words. */
  readonly lastError?: string;
}

/** What halb saw of the kernel sync daemon's messages (protocol v1) on the sync interface. */
export interface IpvsSyncStatus {
  readonly interface: string;
  readonly group: string;
  readonly port: number;
  readonly listening: boolean;
  readonly error?: string;
  readonly messages: number;
  readonly conns: number;
  /** Persistence templates among the connections. */
  readonly templates: number;
  /** Datagrams not counted, by reason (the codec's drop reasons, OTHER_SYNCID). */
  readonly dropped: Readonly<Record<string, number>>;
  /** Wall-clock ms of the last datagram. */
  readonly lastAt?: number;
}

/** What halb knows of the conntrackd it runs (docs/conntrack-sync.md). */
export interface ConntrackSyncStatus {
  readonly instance: string;
  /** `multicast GROUP:PORT on IF` or `udp PEER:PORT on IF`. */
  readonly transport: string;
  /** running; starting; restarting (died, waiting to start again); missing (not installed); failed (cannot be configured); stopped. */
  readonly state: 'starting' | 'running' | 'restarting' | 'missing' | 'failed' | 'stopped';
  readonly pid?: number;
  /** Times it died or did not answer and was started again. */
  readonly restarts: number;
  readonly lastError?: string;
  /** primary: this director committed and now sends; backup: it receives. */
  readonly role: 'primary' | 'backup' | 'unknown';
  readonly commits: number;
  readonly commitFailures: number;
  /** How long the last commit took, before the VIPs were added. */
  readonly lastCommitMs?: number;
  /** Flows in conntrackd's caches at the last reading: this node's own, and the other's. */
  readonly internalFlows?: number;
  readonly externalFlows?: number;
  /** At start, before VRRP: the other director's flows received, how long it took, and whether the count had settled. */
  readonly startupResync?: { readonly flows: number; readonly ms: number; readonly settled: boolean };
}

export interface CommandResult {
  readonly done: string;
}

export type ControlResponse =
  /** `status` answers with the API's status view (src/api/status-view.ts StatusView). */
  | { readonly id: number; readonly ok: true; readonly result: DataplaneSnapshot | ReloadResult | CommandResult | object }
  | { readonly id: number; readonly ok: false; readonly error: string };

export function encodeMessage(m: ControlRequest | ControlResponse): string {
  return `${JSON.stringify(m)}\n`;
}

/** Parse one request line; a value with a reason on bad input, never a throw. */
export function decodeRequest(line: string): { ok: true; req: ControlRequest } | { ok: false; error: string; id: number } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, error: 'request is not JSON', id: 0 };
  }
  if (typeof v !== 'object' || v === null) return { ok: false, error: 'request is not an object', id: 0 };
  const o = v as Record<string, unknown>;
  const id = typeof o.id === 'number' ? o.id : 0;
  switch (o.cmd) {
    case 'list': return { ok: true, req: { id, cmd: 'list', connections: o.connections === true } };
    case 'reload': return { ok: true, req: { id, cmd: 'reload' } };
    case 'status': return { ok: true, req: { id, cmd: 'status' } };
    case 'weight':
    case 'drain':
    case 'enable': {
      if (typeof o.service !== 'string' || typeof o.realServer !== 'string') return { ok: false, error: `${o.cmd} needs service and realServer`, id };
      if (o.cmd === 'weight') {
        if (typeof o.weight !== 'number') return { ok: false, error: 'weight needs a number', id };
        return { ok: true, req: { id, cmd: 'weight', service: o.service, realServer: o.realServer, weight: o.weight } };
      }
      return { ok: true, req: { id, cmd: o.cmd, service: o.service, realServer: o.realServer } };
    }
    case 'release':
      if (typeof o.instance !== 'string') return { ok: false, error: 'release needs an instance', id };
      return { ok: true, req: { id, cmd: 'release', instance: o.instance } };
    default: return { ok: false, error: `unknown command ${JSON.stringify(o.cmd)}`, id };
  }
}
