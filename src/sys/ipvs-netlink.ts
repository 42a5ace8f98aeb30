// The kernel's IPVS table over generic netlink, as ipvsadm and keepalived's libipvs
// (LIBIPVS_USE_NL) drive it: resolve the "IPVS" family, then NEW/SET/DEL_SERVICE,
// NEW/SET/DEL_DEST, dumps of services and destinations, SET/GET_CONFIG, the sync daemon
// (NEW/DEL/GET_DAEMON, bytes in ipvs-daemon-codec.ts). The bytes are
// built and parsed in ipvs-codec.ts; the socket is netlink.ts's NlChannel. Also the
// connection table, which IPVS exposes only as /proc/net/ip_vs_conn (ipvsadm -Lnc reads
// it too), and loading the ip_vs module.
import { access, readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { NotSupportedError, SysError } from '../core/errors.js';
import type { IpvsConnEntry, IpvsSyncDaemon, IpvsSyncRole } from '../core/ipvs-types.js';
import { execCommand } from './exec-ns.js';
import {
  IPVS_CMD, IPVS_GENL_NAME, decodeConfig, decodeDest, decodeFamilyId, decodeInfo, decodeService, encodeDelService, encodeDest,
  encodeGetDests, encodeGetFamily, encodeGetServices, encodeService, encodeSetConfig, encodeSimple,
  type IpvsDestReading, type IpvsDestWire, type IpvsServiceKey, type IpvsServiceReading, type IpvsServiceWire, type IpvsTimeoutsWire,
} from './ipvs-codec.js';
import { decodeDaemon, encodeDelDaemon, encodeGetDaemons, encodeNewDaemon } from './ipvs-daemon-codec.js';
import { NETLINK_GENERIC, NlChannel } from './netlink.js';

const PERM = 'halb needs CAP_NET_ADMIN to program IPVS (run as root, or use --dataplane nft/proxy)';

/**
 * Whether this kernel has IPVS, without loading anything (for `halb -t`): 'loaded' when
 * /proc/net/ip_vs exists, 'module' when ip_vs is built in or a module of the running
 * kernel (modules.builtin / modules.dep), 'absent' otherwise.
 */
export async function ipvsKernelSupport(): Promise<'loaded' | 'module' | 'absent'> {
  try {
    await access('/proc/net/ip_vs');
    return 'loaded';
  } catch {
    // not loaded: look for the module
  }
  const dir = `/lib/modules/${release()}`;
  for (const f of ['modules.builtin', 'modules.dep']) {
    try {
      if (/(^|\/)ip_vs\.ko/m.test(await readFile(`${dir}/${f}`, 'utf8'))) return 'module';
    } catch {
      // no such list
    }
  }
  return 'absent';
}

/** `modprobe ip_vs` (IPVS registers its netlink family only once loaded); false when it failed. */
export async function loadIpvsModule(): Promise<boolean> {
  try {
    const r = await execCommand('modprobe', ['-q', 'ip_vs'], { timeoutMs: 10_000 });
    return r.status === 0;
  } catch {
    // No modprobe: the module may be built in or loaded already; resolving the family tells.
    return false;
  }
}

/** One generic netlink socket speaking to the kernel's IPVS family. */
export class IpvsNetlink {
  readonly #ch: NlChannel;
  readonly #family: number;

  private constructor(ch: NlChannel, family: number) {
    this.#ch = ch;
    this.#family = family;
  }

  /**
   * Open a socket and resolve the IPVS family. NotSupportedError when the kernel has no
   * IPVS (the family is unknown even after modprobe); PermissionError is raised later,
   * by the first change, since reading needs no privilege... except that IPVS asks for
   * CAP_NET_ADMIN on every command (GENL_ADMIN_PERM), so `open` probes with GET_INFO.
   */
  static async open(): Promise<IpvsNetlink> {
    const ch = new NlChannel(NETLINK_GENERIC, PERM);
    try {
      const msgs = await ch.request('resolve the IPVS netlink family', (seq) => encodeGetFamily(seq, IPVS_GENL_NAME));
      const id = msgs.map((m) => decodeFamilyId(m.body)).find((x) => x !== undefined);
      if (id === undefined) throw new SysError('netlink', 'the kernel did not say the IPVS family id');
      const nl = new IpvsNetlink(ch, id);
      await nl.info();
      return nl;
    } catch (e) {
      ch.close();
      if (e instanceof SysError && e.errno === 'ENOENT') {
        throw new NotSupportedError('this kernel has no IPVS (the ip_vs module is missing and the IPVS netlink family is unknown): use --dataplane nft or proxy', { cause: e });
      }
      throw e;
    }
  }

  async info(): Promise<{ version: number; connTabSize: number }> {
    const msgs = await this.#ch.request('IPVS GET_INFO', (seq) => encodeSimple(this.#family, IPVS_CMD.GET_INFO, seq));
    const info = msgs.map((m) => decodeInfo(m.body)).find((x) => x !== undefined);
    if (info === undefined) throw new SysError('netlink', 'IPVS GET_INFO: no answer');
    return info;
  }

  async services(): Promise<IpvsServiceReading[]> {
    const msgs = await this.#ch.dump('IPVS list services', (seq) => encodeGetServices(this.#family, seq));
    return msgs.map((m) => decodeService(m.body)).filter((s): s is IpvsServiceReading => s !== undefined);
  }

  async dests(k: IpvsServiceKey): Promise<IpvsDestReading[]> {
    const msgs = await this.#ch.dump(`IPVS list destinations of ${describe(k)}`, (seq) => encodeGetDests(this.#family, seq, k));
    return msgs.map((m) => decodeDest(m.body, k.family)).filter((d): d is IpvsDestReading => d !== undefined);
  }

  async addService(s: IpvsServiceWire): Promise<void> {
    await this.#ch.request(`add virtual service ${describe(s)} (${s.scheduler})`, (seq) => encodeService(this.#family, IPVS_CMD.NEW_SERVICE, seq, s));
  }

  async editService(s: IpvsServiceWire): Promise<void> {
    await this.#ch.request(`edit virtual service ${describe(s)} (${s.scheduler})`, (seq) => encodeService(this.#family, IPVS_CMD.SET_SERVICE, seq, s));
  }

  /** A service already gone counts as deleted (ESRCH). */
  async delService(k: IpvsServiceKey): Promise<void> {
    await this.#ch.request(`delete virtual service ${describe(k)}`, (seq) => encodeDelService(this.#family, seq, k), ['ESRCH']);
  }

  async addDest(k: IpvsServiceKey, d: IpvsDestWire): Promise<void> {
    await this.#ch.request(`add real server ${d.address}:${d.port} to ${describe(k)}`, (seq) => encodeDest(this.#family, IPVS_CMD.NEW_DEST, seq, k, d));
  }

  async editDest(k: IpvsServiceKey, d: IpvsDestWire): Promise<void> {
    await this.#ch.request(`edit real server ${d.address}:${d.port} of ${describe(k)}`, (seq) => encodeDest(this.#family, IPVS_CMD.SET_DEST, seq, k, d));
  }

  /** A destination already gone counts as deleted (ENOENT). */
  async delDest(k: IpvsServiceKey, d: IpvsDestWire): Promise<void> {
    await this.#ch.request(`delete real server ${d.address}:${d.port} of ${describe(k)}`, (seq) => encodeDest(this.#family, IPVS_CMD.DEL_DEST, seq, k, d), ['ENOENT']);
  }

  async setTimeouts(t: IpvsTimeoutsWire): Promise<void> {
    await this.#ch.request(`set IPVS timeouts tcp ${t.tcpS} tcpfin ${t.tcpFinS} udp ${t.udpS}`, (seq) => encodeSetConfig(this.#family, seq, t));
  }

  async timeouts(): Promise<IpvsTimeoutsWire> {
    const msgs = await this.#ch.request('IPVS GET_CONFIG', (seq) => encodeSimple(this.#family, IPVS_CMD.GET_CONFIG, seq));
    const t = msgs.map((m) => decodeConfig(m.body)).find((x) => x !== undefined);
    if (t === undefined) throw new SysError('netlink', 'IPVS GET_CONFIG: no answer');
    return t;
  }

  /** Start the kernel's sync thread of `d.role` (`ipvsadm --start-daemon`); EEXIST when that role already runs. */
  async startDaemon(d: IpvsSyncDaemon): Promise<void> {
    await this.#ch.request(`start the IPVS sync daemon ${d.role} on ${d.interface} syncid ${d.syncId}`, (seq) => encodeNewDaemon(this.#family, seq, d));
  }

  /** Stop the sync thread of one role; one not running counts as stopped (ESRCH). */
  async stopDaemon(role: IpvsSyncRole, syncId: number): Promise<void> {
    await this.#ch.request(`stop the IPVS sync daemon ${role}`, (seq) => encodeDelDaemon(this.#family, seq, role, syncId), ['ESRCH']);
  }

  /** The running sync threads (`ipvsadm -L --daemon`). */
  async daemons(): Promise<IpvsSyncDaemon[]> {
    const msgs = await this.#ch.dump('IPVS list sync daemons', (seq) => encodeGetDaemons(this.#family, seq));
    return msgs.map((m) => decodeDaemon(m.body)).filter((d): d is IpvsSyncDaemon => d !== undefined);
  }

  close(): void {
    this.#ch.close();
  }
}

/** `TCP 192.0.2.1:80`, `FWM 7`: a service as messages name it. */
export function describe(k: IpvsServiceKey): string {
  if (k.fwmark !== undefined) return `FWM ${k.fwmark}${k.family === 6 ? ' IPv6' : ''}`;
  return `${k.protocol} ${k.family === 6 ? `[${k.address}]` : k.address}:${k.port}`;
}

export type { IpvsConnEntry } from '../core/ipvs-types.js';

function procAddr(s: string): string | undefined {
  if (/^[0-9A-Fa-f]{8}$/.test(s)) {
    const n = Number.parseInt(s, 16);
    return [24, 16, 8, 0].map((b) => (n >>> b) & 0xff).join('.');
  }
  if (isIP(s) === 6) return ipaddr.IPv6.parse(s).toRFC5952String();
  return undefined;
}

/**
 * /proc/net/ip_vs_conn as ip_vs_conn_seq_show prints it:
 *   "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData"
 *   "TCP C0000264 D2A4 C0000201 0050 C0000265 0050 ESTABLISHED     898"
 * IPv4 addresses and every port in hex, IPv6 addresses as %pI6. Lines that do not parse
 * are skipped.
 */
export function parseIpvsConn(text: string): IpvsConnEntry[] {
  const out: IpvsConnEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 9) continue;
    const [protocol, ca, cp, va, vp, da, dp, state, exp] = f as [string, string, string, string, string, string, string, string, string];
    const c = procAddr(ca);
    const v = procAddr(va);
    const d = procAddr(da);
    const ports = [cp, vp, dp].map((p) => (/^[0-9A-Fa-f]{1,4}$/.test(p) ? Number.parseInt(p, 16) : Number.NaN));
    const expiresS = Number(exp);
    if (c === undefined || v === undefined || d === undefined || ports.some((p) => Number.isNaN(p)) || !Number.isFinite(expiresS)) continue;
    out.push({
      protocol, clientAddress: c, clientPort: ports[0]!, virtualAddress: v, virtualPort: ports[1]!, destAddress: d, destPort: ports[2]!, state, expiresS,
    });
  }
  return out;
}

/** The connection table; empty when IPVS is not loaded. */
export async function readIpvsConnections(): Promise<IpvsConnEntry[]> {
  try {
    return parseIpvsConn(await readFile('/proc/net/ip_vs_conn', 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SysError('read', `cannot read /proc/net/ip_vs_conn: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code, { cause: e });
  }
}
