// What `halb realserver` sets on a real server, shared by the LVS-DR (realserver.ts) and
// LVS-TUN (realserver-tun.ts) set-ups.

/** As the seeds' lvs_dr_rs.sh: answer ARP only for local addresses on the asking interface; never announce the VIP. */
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

export interface SysctlAccess {
  readSysctl(name: string): Promise<string>;
  writeSysctl(name: string, value: string): Promise<void>;
}

/** Set each sysctl that differs; one line each saying what it was (or that it already was). */
export async function applySysctls(host: SysctlAccess, settings: readonly (readonly [string, string])[]): Promise<string[]> {
  const lines: string[] = [];
  for (const [name, value] of settings) {
    const before = await host.readSysctl(name);
    if (before === value) {
      lines.push(`${name} = ${value} (already)`);
      continue;
    }
    await host.writeSysctl(name, value);
    lines.push(`${name} = ${value} (was ${before})`);
  }
  return lines;
}
