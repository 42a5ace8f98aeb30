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
import { RtNetlink } from '../sys/netlink.js';
import { readSysctl, writeSysctl } from '../sys/sysctl.js';

/** Loopback's ifindex in every network namespace. */
const LO_IFINDEX = 1;

export const ARP_SETTINGS = [
  ['net.ipv4.conf.lo.arp_ignore', '1'],
  ['net.ipv4.conf.lo.arp_announce', '2'],
  ['net.ipv4.conf.all.arp_ignore', '1'],
  ['net.ipv4.conf.all.arp_announce', '2'],
] as const;

export interface LoAddress {
  readonly address: string;
  readonly prefixLength: number;
  readonly family: 4 | 6;
}

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
    for (const [name, value] of ARP_SETTINGS) {
      const before = await host.readSysctl(name);
      if (before === value) {
        lines.push(`${name} = ${value} (already)`);
        continue;
      }
      await host.writeSysctl(name, value);
      lines.push(`${name} = ${value} (was ${before})`);
    }
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

interface VipOpts { vip: string[] }

export function realserverCommand(hostFactory: () => RealserverHost & { close?(): void } = systemRealserverHost): Command {
  const cmd = new Command('realserver')
    .description('prepare this host as an LVS-DR real server (VIP on lo, arp_ignore/arp_announce), as lvs_dr_rs.sh does');
  const vipOption = (c: Command, required: boolean): Command =>
    c.option('--vip <ADDR>', `virtual IP address (repeatable)${required ? '' : '; default: every VIP on lo'}`, (v: string, prev: string[]) => [...prev, v], [] as string[]);
  const run = (fn: (host: RealserverHost, o: VipOpts) => Promise<void>, required: boolean) => async (o: VipOpts) => {
    if (required && o.vip.length === 0) throw new UsageError('--vip ADDR is required');
    const host = hostFactory();
    try {
      await fn(host, o);
    } finally {
      host.close?.();
    }
  };
  vipOption(cmd.command('start').description('add the VIPs to lo and set the ARP sysctls (idempotent)'), true)
    .action(run(async (host, o) => {
      for (const l of await realserverStart(host, o.vip)) process.stdout.write(`${l}\n`);
    }, true));
  vipOption(cmd.command('stop').description('remove the VIPs from lo; put the ARP sysctls back to what start found when no IPv4 VIP is left'), true)
    .action(run(async (host, o) => {
      for (const l of await realserverStop(host, o.vip)) process.stdout.write(`${l}\n`);
    }, true));
  vipOption(cmd.command('status').description('show the VIPs on lo and their family\'s sysctls; exit 3 unless ready'), false)
    .action(run(async (host, o) => {
      const s = await realserverStatus(host, o.vip);
      for (const l of s.lines) process.stdout.write(`${l}\n`);
      if (!s.ready) process.exitCode = EXIT_NOT_READY;
    }, false));
  return cmd;
}
