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
