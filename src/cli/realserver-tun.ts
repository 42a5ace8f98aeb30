// `halb realserver start|stop|status --tun --vip ADDR`: a real server behind an LVS-TUN
// director, as the LVS how-tos set one up:
//
//   modprobe ipip                                   -> the fallback tunnel tunl0 appears
//   ip addr add $VIP/32 dev tunl0; ip link set tunl0 up
//   echo 0 > /proc/sys/net/ipv4/conf/{tunl0,all}/rp_filter   the decapsulated packet's source
//                                                             (the client) is not routed via tunl0
//   echo 1 > .../{lo,all}/arp_ignore; echo 2 > .../{lo,all}/arp_announce   as for DR
//
// The director sends IP-in-IP to the real server's own address; the kernel decapsulates
// on tunl0, finds the VIP local and the server answers the client directly. `start`
// records what it found (the sysctls and whether tunl0 was up) under /run/halb, and
// `stop` puts exactly that back once no VIP is left on tunl0. IPv4 only: an IPv6 VIP
// would need ip6tnl (IPv6-in-IPv6), which this command does not set up.
import { isIP } from 'node:net';
import { NotSupportedError, UsageError } from '../core/errors.js';
import { ARP_SETTINGS, applySysctls, type LoAddress } from './realserver-settings.js';

export const TUN_DEVICE = 'tunl0';

export const TUN_SETTINGS: ReadonlyArray<readonly [string, string]> = [
  [`net.ipv4.conf.${TUN_DEVICE}.rp_filter`, '0'],
  ['net.ipv4.conf.all.rp_filter', '0'],
  ...ARP_SETTINGS,
];

/** What `start` found, so `stop` can restore it. */
export interface TunRecord {
  readonly tunl0WasUp: boolean;
  readonly sysctls: Readonly<Record<string, string>>;
}

export interface TunHost {
  /** `modprobe ipip`; rejects when the module cannot be loaded. */
  loadIpip(): Promise<void>;
  /** tunl0 as it is now, or undefined when it does not exist. */
  tunnel(): Promise<{ readonly ifindex: number; readonly up: boolean } | undefined>;
  setTunnelUp(up: boolean): Promise<void>;
  addresses(ifindex: number): Promise<LoAddress[]>;
  addAddress(ifindex: number, a: LoAddress): Promise<void>;
  delAddress(ifindex: number, a: LoAddress): Promise<void>;
  readSysctl(name: string): Promise<string>;
  writeSysctl(name: string, value: string): Promise<void>;
  readRecord(): Promise<TunRecord | undefined>;
  writeRecord(r: TunRecord | undefined): Promise<void>;
}

function vip4(text: string): LoAddress {
  const f = isIP(text);
  if (f === 0) throw new UsageError(`--vip ${text}: not an IP address`);
  if (f === 6) throw new UsageError(`--vip ${text}: --tun sets up IPv4-in-IPv4 (tunl0); an IPv6 VIP needs ip6tnl, which halb realserver does not set up`);
  return { address: text, prefixLength: 32, family: 4 };
}

async function tunnelOrLoad(host: TunHost): Promise<{ ifindex: number; up: boolean }> {
  const have = await host.tunnel();
  if (have !== undefined) return have;
  try {
    await host.loadIpip();
  } catch (e) {
    throw new NotSupportedError(`LVS-TUN needs the ipip module (modprobe ipip failed: ${(e as Error).message})`, { cause: e });
  }
  const t = await host.tunnel();
  if (t === undefined) throw new NotSupportedError(`the ipip module is loaded but ${TUN_DEVICE} does not exist in this network namespace`);
  return t;
}

/** Load ipip, put the VIPs on tunl0, bring it up, set rp_filter and the ARP sysctls. */
export async function realserverTunStart(host: TunHost, vips: readonly string[]): Promise<string[]> {
  const wanted = vips.map(vip4);
  const lines: string[] = [];
  const tun = await tunnelOrLoad(host);
  // Record the state found before the first start only: a second start must not record halb's own settings.
  if ((await host.readRecord()) === undefined) {
    const sysctls: Record<string, string> = {};
    for (const [name] of TUN_SETTINGS) sysctls[name] = await host.readSysctl(name);
    await host.writeRecord({ tunl0WasUp: tun.up, sysctls });
  }
  const present = await host.addresses(tun.ifindex);
  for (const v of wanted) {
    if (present.some((p) => p.address === v.address)) {
      lines.push(`${v.address}/32 on ${TUN_DEVICE}: already there`);
      continue;
    }
    await host.addAddress(tun.ifindex, v);
    lines.push(`${v.address}/32 on ${TUN_DEVICE}: added`);
  }
  if (!tun.up) {
    await host.setTunnelUp(true);
    lines.push(`${TUN_DEVICE}: up`);
  }
  lines.push(...await applySysctls(host, TUN_SETTINGS));
  return lines;
}

/** Take the VIPs off tunl0; once none is left, restore what start found. */
export async function realserverTunStop(host: TunHost, vips: readonly string[]): Promise<string[]> {
  const gone = vips.map(vip4);
  const lines: string[] = [];
  const tun = await host.tunnel();
  if (tun === undefined) return [`${TUN_DEVICE} does not exist: nothing to undo`];
  const present = await host.addresses(tun.ifindex);
  for (const v of gone) {
    const have = present.find((p) => p.address === v.address);
    if (have === undefined) {
      lines.push(`${v.address} on ${TUN_DEVICE}: not there`);
      continue;
    }
    await host.delAddress(tun.ifindex, have);
    lines.push(`${v.address}/32 on ${TUN_DEVICE}: removed`);
  }
  const left = present.filter((p) => p.family === 4 && !gone.some((g) => g.address === p.address));
  if (left.length > 0) {
    lines.push(`settings kept: ${TUN_DEVICE} still holds ${left.map((a) => a.address).join(', ')}`);
    return lines;
  }
  const rec = await host.readRecord();
  if (rec === undefined) {
    lines.push('no record of the settings found before start: sysctls and tunl0 left as they are');
    return lines;
  }
  for (const [name] of TUN_SETTINGS) {
    const was = rec.sysctls[name];
    if (was === undefined) continue;
    const now = await host.readSysctl(name);
    if (now === was) continue;
    await host.writeSysctl(name, was);
    lines.push(`${name} = ${was} (restored; was ${now})`);
  }
  if (!rec.tunl0WasUp) {
    await host.setTunnelUp(false);
    lines.push(`${TUN_DEVICE}: down (as found)`);
  }
  await host.writeRecord(undefined);
  return lines;
}

export async function realserverTunStatus(host: TunHost, vips: readonly string[]): Promise<{ ready: boolean; lines: string[] }> {
  const asked = vips.map(vip4);
  const tun = await host.tunnel();
  if (tun === undefined) return { ready: false, lines: [`${TUN_DEVICE}: missing (ipip not loaded)`] };
  const present = await host.addresses(tun.ifindex);
  const lines = [`${TUN_DEVICE}: ${tun.up ? 'up' : 'DOWN'}; VIPs: ${present.length === 0 ? '(none)' : present.map((a) => `${a.address}/${a.prefixLength}`).join(' ')}`];
  let ok = tun.up;
  for (const [name, value] of TUN_SETTINGS) {
    const v = await host.readSysctl(name);
    ok &&= v === value;
    lines.push(`${name} = ${v}${v === value ? '' : ` (LVS-TUN wants ${value})`}`);
  }
  let ready = ok && (asked.length > 0 || present.length > 0);
  for (const v of asked) {
    const on = present.some((p) => p.address === v.address);
    ready &&= on;
    lines.push(`${v.address}: ${on && ok ? 'ready for LVS-TUN' : `NOT ready (${on ? 'settings missing' : `not on ${TUN_DEVICE}`})`}`);
  }
  return { ready, lines };
}
