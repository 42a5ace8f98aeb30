// `halb realserver start|stop|status --vip ADDR`: on a real server behind an LVS-DR
// director, what the seeds' lvs_dr_rs.sh / realserver.sh do, idempotently:
//
//   ifconfig lo:0 $VIP netmask 255.255.255.255 up      -> VIP/32 (IPv6: /128) on lo
//   echo 1 > /proc/sys/net/ipv4/conf/{lo,all}/arp_ignore     answer ARP only for addresses on the asking interface
//   echo 2 > /proc/sys/net/ipv4/conf/{lo,all}/arp_announce   never put the VIP in our own ARP requests
//
// so the server accepts packets for the VIP and answers the client itself, while only
// the director answers ARP for the VIP. IPv6 needs no sysctl: Linux answers neighbour
// solicitations only for addresses on the interface they arrive on; it only needs IPv6 on
// lo (net.ipv6.conf.lo.disable_ipv6 = 0). `stop` removes the VIP, and once no other IPv4
// VIP is left on lo puts the ARP settings back to the values the first `start` found
// (kept in /run/halb/realserver-sysctl.json; 0, as realserver.sh stop, without a record).
// `status` judges each VIP by its family's settings and exits 3 when the set-up is
// incomplete.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isIP } from 'node:net';
import { Command } from 'commander';
import ipaddr from 'ipaddr.js';
import { UsageError } from '../core/errors.js';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { execCommand } from '../sys/exec-ns.js';
import { IFF } from '../sys/netlink-codec.js';
import { RtNetlink } from '../sys/netlink.js';
import { readSysctl, writeSysctl } from '../sys/sysctl.js';
import { SysError } from '../core/errors.js';
import { ARP_SETTINGS, applySysctls, type LoAddress } from './realserver-settings.js';
import { TUN_DEVICE, realserverTunStart, realserverTunStatus, realserverTunStop, type TunHost, type TunRecord } from './realserver-tun.js';

/** Loopback's ifindex in every network namespace. */
const LO_IFINDEX = 1;

export { ARP_SETTINGS, type LoAddress } from './realserver-settings.js';

/** What the command does to the host, as an interface so tests can stand in for it. */
export interface RealserverHost {
  loAddresses(): Promise<LoAddress[]>;
  addLoAddress(a: LoAddress): Promise<void>;
  delLoAddress(a: LoAddress): Promise<void>;
  readSysctl(name: string): Promise<string>;
  writeSysctl(name: string, value: string): Promise<void>;
  /** The sysctl values the first `start` found, kept until `stop` restores them. */
  savedSysctls(): Promise<Record<string, string>>;
  saveSysctls(values: Readonly<Record<string, string>>): Promise<void>;
}

export const SAVED_SYSCTLS_FILE = '/run/halb/realserver-sysctl.json';

/** The IPv6 setting an IPv6 VIP on lo needs. */
export const IPV6_LO = ['net.ipv6.conf.lo.disable_ipv6', '0'] as const;

export function systemRealserverHost(): RealserverHost & { close(): void } {
  let nl: RtNetlink | undefined;
  const link = (): RtNetlink => (nl ??= new RtNetlink());
  return {
    async loAddresses() {
      return (await link().addresses()).filter((a) => a.ifindex === LO_IFINDEX)
        .map((a) => ({ address: a.address, prefixLength: a.prefixLength, family: a.family }));
    },
    addLoAddress: (a) => link().addAddress({ ...a, ifindex: LO_IFINDEX, ...(a.family === 4 ? { label: 'lo:halb' } : {}) }),
    delLoAddress: (a) => link().delAddress({ ...a, ifindex: LO_IFINDEX }),
    readSysctl: (name) => readSysctl(name),
    writeSysctl: async (name, value) => {
      await writeSysctl(name, value);
    },
    savedSysctls: async () => {
      try {
        return JSON.parse(readFileSync(SAVED_SYSCTLS_FILE, 'utf8')) as Record<string, string>;
      } catch {
        return {};
      }
    },
    saveSysctls: async (values) => {
      if (Object.keys(values).length === 0) {
        rmSync(SAVED_SYSCTLS_FILE, { force: true });
        return;
      }
      mkdirSync(dirname(SAVED_SYSCTLS_FILE), { recursive: true });
      writeFileSync(SAVED_SYSCTLS_FILE, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o600 });
    },
    close: () => nl?.close(),
  };
}

/** The host side of `--tun`: rtnetlink for tunl0's addresses, ip(8) for up/down, modprobe, a record under /run/halb. */
export function systemTunHost(): TunHost & { close(): void } {
  let nl: RtNetlink | undefined;
  const link = (): RtNetlink => (nl ??= new RtNetlink());
  const run = async (cmd: string, args: string[]): Promise<void> => {
    const r = await execCommand(cmd, args);
    if (r.status !== 0) throw new SysError(cmd, `${cmd} ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.status}`}`);
  };
  // One record per network namespace: real servers of a lab share the host's /run.
  const recordFile = async (): Promise<string> => {
    let ns = 'init';
    try {
      ns = String((await stat('/proc/self/ns/net')).ino);
    } catch {
      // no /proc
    }
    return `/run/halb/realserver-tun-${ns}.json`;
  };
  return {
    loadIpip: () => run('modprobe', ['ipip']),
    async tunnel() {
      const l = (await link().links()).find((x) => x.name === TUN_DEVICE);
      return l === undefined ? undefined : { ifindex: l.ifindex, up: (l.flags & IFF.UP) !== 0 };
    },
    setTunnelUp: (up) => run('ip', ['link', 'set', TUN_DEVICE, up ? 'up' : 'down']),
    async addresses(ifindex) {
      return (await link().addresses(4)).filter((a) => a.ifindex === ifindex).map((a) => ({ address: a.address, prefixLength: a.prefixLength, family: a.family }));
    },
    addAddress: (ifindex, a) => link().addAddress({ ...a, ifindex }),
    delAddress: (ifindex, a) => link().delAddress({ ...a, ifindex }),
    readSysctl: (name) => readSysctl(name),
    writeSysctl: async (name, value) => {
      await writeSysctl(name, value);
    },
    async readRecord() {
      try {
        return JSON.parse(await readFile(await recordFile(), 'utf8')) as TunRecord;
      } catch {
        return undefined;
      }
    },
    async writeRecord(r) {
      const f = await recordFile();
      if (r === undefined) {
        await rm(f, { force: true });
        return;
      }
      await mkdir('/run/halb', { recursive: true });
      await writeFile(f, `${JSON.stringify(r)}\n`);
    },
    close: () => nl?.close(),
  };
}

function vipOf(text: string): LoAddress {
  const family = isIP(text);
  if (family === 0) throw new UsageError(`--vip ${text}: not an IP address`);
  return { address: text, prefixLength: family === 6 ? 128 : 32, family: family as 4 | 6 };
}

const isLoopback = (a: LoAddress): boolean => (a.family === 4 ? a.address.startsWith('127.') : a.address === '::1');
const norm = (a: string): string => (ipaddr.isValid(a) ? ipaddr.parse(a).toNormalizedString() : a);
const sameAddr = (a: LoAddress, b: LoAddress): boolean => a.family === b.family && norm(a.address) === norm(b.address);

/** Put the VIPs on lo and the ARP settings in place; returns what it did, one line each. */
export async function realserverStart(host: RealserverHost, vips: readonly string[]): Promise<string[]> {
  const wanted = vips.map(vipOf);
  const lines: string[] = [];
  const present = await host.loAddresses();
  for (const v of wanted) {
    const have = present.find((p) => sameAddr(p, v));
    if (have !== undefined) {
      lines.push(`${v.address}/${have.prefixLength} on lo: already there`);
      continue;
    }
    await host.addLoAddress(v);
    lines.push(`${v.address}/${v.prefixLength} on lo: added`);
  }
  if (wanted.some((v) => v.family === 4)) {
    // Remember what this host had before the first start (a later start must not record ours).
    const saved = { ...(await host.savedSysctls()) };
    for (const [name] of ARP_SETTINGS) saved[name] ??= await host.readSysctl(name);
    await host.saveSysctls(saved);
    lines.push(...await applySysctls(host, ARP_SETTINGS));
  }
  return lines;
}

/** Take the VIPs off lo; reset the ARP settings once no IPv4 VIP is left there. */
export async function realserverStop(host: RealserverHost, vips: readonly string[]): Promise<string[]> {
  const gone = vips.map(vipOf);
  const lines: string[] = [];
  const present = await host.loAddresses();
  for (const v of gone) {
    const have = present.find((p) => sameAddr(p, v));
    if (have === undefined) {
      lines.push(`${v.address} on lo: not there`);
      continue;
    }
    await host.delLoAddress(have);
    lines.push(`${v.address}/${have.prefixLength} on lo: removed`);
  }
  const left = present.filter((p) => p.family === 4 && !isLoopback(p) && !gone.some((g) => sameAddr(g, p)));
  if (left.length > 0) {
    lines.push(`ARP settings kept: lo still holds ${left.map((a) => a.address).join(', ')}`);
    return lines;
  }
  const saved = await host.savedSysctls();
  for (const [name] of ARP_SETTINGS) {
    const before = await host.readSysctl(name);
    const back = saved[name] ?? '0';
    if (before === back) continue;
    await host.writeSysctl(name, back);
    lines.push(`${name} = ${back} (was ${before}; ${saved[name] !== undefined ? 'the value start found' : 'no record of what start found: 0, as realserver.sh stop'})`);
  }
  await host.saveSysctls({});
  return lines;
}

export interface RealserverStatus {
  /** Every VIP asked about is on lo and, for IPv4, the ARP settings are in place. */
  readonly ready: boolean;
  readonly lines: readonly string[];
}

export async function realserverStatus(host: RealserverHost, vips: readonly string[]): Promise<RealserverStatus> {
  const asked = vips.map(vipOf);
  const present = (await host.loAddresses()).filter((a) => !isLoopback(a));
  const lines: string[] = [`VIPs on lo: ${present.length === 0 ? '(none)' : present.map((a) => `${a.address}/${a.prefixLength}`).join(' ')}`];
  const judged = asked.length > 0 ? asked : present;
  // Each family by its own settings: ARP for IPv4; for IPv6 only that lo has IPv6.
  let arpOk = true;
  if (judged.some((v) => v.family === 4)) {
    for (const [name, value] of ARP_SETTINGS) {
      const v = await host.readSysctl(name);
      const ok = v === value;
      arpOk &&= ok;
      lines.push(`${name} = ${v}${ok ? '' : ` (LVS-DR wants ${value})`}`);
    }
  }
  let v6Ok = true;
  if (judged.some((v) => v.family === 6)) {
    const [name, value] = IPV6_LO;
    const v = await host.readSysctl(name);
    v6Ok = v === value;
    lines.push(`${name} = ${v}${v6Ok ? '' : ` (an IPv6 VIP on lo wants ${value})`}; IPv6 needs no ARP settings (neighbour discovery answers only on the interface holding the address)`);
  }
  let ready = judged.length > 0;
  for (const v of judged) {
    const onLo = present.some((p) => sameAddr(p, v));
    const ok = onLo && (v.family === 6 ? v6Ok : arpOk);
    ready &&= ok;
    const why = !onLo ? 'not on lo' : v.family === 6 ? 'IPv6 disabled on lo' : 'ARP settings missing';
    lines.push(`${v.address}: ${ok ? 'ready for LVS-DR' : `NOT ready (${why})`}`);
  }
  return { ready, lines };
}

/** LSB status code for "not running". */
export const EXIT_NOT_READY = 3;

interface VipOpts { vip: string[]; tun?: boolean }
type Mode = 'start' | 'stop' | 'status';

async function runDr(host: RealserverHost, mode: Mode, vips: readonly string[]): Promise<{ lines: readonly string[]; ready: boolean }> {
  if (mode === 'start') return { lines: await realserverStart(host, vips), ready: true };
  if (mode === 'stop') return { lines: await realserverStop(host, vips), ready: true };
  return realserverStatus(host, vips);
}

async function runTun(host: TunHost, mode: Mode, vips: readonly string[]): Promise<{ lines: readonly string[]; ready: boolean }> {
  if (mode === 'start') return { lines: await realserverTunStart(host, vips), ready: true };
  if (mode === 'stop') return { lines: await realserverTunStop(host, vips), ready: true };
  return realserverTunStatus(host, vips);
}

export function realserverCommand(
  hostFactory: () => RealserverHost & { close?(): void } = systemRealserverHost,
  tunFactory: () => TunHost & { close?(): void } = systemTunHost,
): Command {
  const cmd = new Command('realserver')
    .description('prepare this host as an LVS-DR real server (VIP on lo, arp_ignore/arp_announce), as lvs_dr_rs.sh does; with --tun as an LVS-TUN one (VIP on tunl0)');
  const vipOption = (c: Command, required: boolean): Command =>
    c.option('--vip <ADDR>', `virtual IP address (repeatable)${required ? '' : '; default: every VIP on lo'}`, (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('--tun', 'LVS-TUN: the VIP on tunl0 (loads ipip), rp_filter off on tunl0 and all; stop restores what start found');
  const run = (mode: Mode) => async (o: VipOpts) => {
    if (mode !== 'status' && o.vip.length === 0) throw new UsageError('--vip ADDR is required');
    const host = o.tun === true ? tunFactory() : hostFactory();
    try {
      const out = o.tun === true ? await runTun(host as TunHost, mode, o.vip) : await runDr(host as RealserverHost, mode, o.vip);
      for (const l of out.lines) process.stdout.write(`${l}\n`);
      if (!out.ready) process.exitCode = EXIT_NOT_READY;
    } finally {
      host.close?.();
    }
  };
  vipOption(cmd.command('start').description('add the VIPs to lo (--tun: tunl0) and set the ARP sysctls (idempotent)'), true).action(run('start'));
  vipOption(cmd.command('stop').description('remove the VIPs from lo (--tun: tunl0); put the sysctls back to what start found when no VIP is left'), true).action(run('stop'));
  vipOption(cmd.command('status').description('show the VIPs and their family\'s sysctls; exit 3 unless ready'), false).action(run('status'));
  return cmd;
}
