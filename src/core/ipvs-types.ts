// IPVS's vocabulary as the kernel speaks it (include/uapi/linux/ip_vs.h,
// /proc/net/ip_vs_conn), shared by the netlink codec in sys/, the ipvs engine and every
// dataplane's snapshots: one definition each.

export type IpvsProtocol = 'TCP' | 'UDP' | 'SCTP';

/**
 * A tunnelled real server's encapsulation (lvs_method TUN type ipip|gue|gre, IPVS's
 * IPVS_DEST_ATTR_TUN_TYPE / _TUN_PORT / _TUN_FLAGS, kernel 5.2+): ipip unless said.
 */
export interface IpvsTunnel {
  readonly type: 'ipip' | 'gue' | 'gre';
  /** Destination UDP port; gue only. */
  readonly port?: number;
  readonly checksum: 'nocsum' | 'csum' | 'remcsum';
}

/** A service's identity: protocol, address and port, or a firewall mark (per family). */
export type IpvsServiceKey =
  | { readonly family: 4 | 6; readonly protocol: IpvsProtocol; readonly address: string; readonly port: number; readonly fwmark?: undefined }
  | { readonly family: 4 | 6; readonly fwmark: number };

export interface IpvsServiceSettings {
  readonly scheduler: string;
  /** IP_VS_SVC_F_* bits, without HASHED. */
  readonly flags: number;
  /** Persistence timeout in seconds; 0 when not persistent. */
  readonly timeoutS: number;
  /** Persistence granularity as a prefix length (32 / 128 when not persistent). */
  readonly prefix: number;
  readonly peName?: string;
}

/**
 * IPVS's per-service / per-destination counters and its estimated rates (per second, from
 * its 2-second estimator), as IPVS_*_ATTR_STATS64 carry them and ipvsadm --stats / --rate
 * print them. Every dataplane reports its counters in this shape.
 */
export interface IpvsStats {
  readonly conns: number;
  readonly inPkts: number;
  readonly outPkts: number;
  readonly inBytes: number;
  readonly outBytes: number;
  readonly cps: number;
  readonly inPps: number;
  readonly outPps: number;
  readonly inBps: number;
  readonly outBps: number;
}

/** One row of /proc/net/ip_vs_conn (ipvsadm -Lnc). */
export interface IpvsConnEntry {
  /** TCP, UDP, SCTP; IP for a fwmark template. */
  readonly protocol: string;
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly virtualAddress: string;
  readonly virtualPort: number;
  readonly destAddress: string;
  readonly destPort: number;
  /** ESTABLISHED, SYN_RECV, FIN_WAIT, ..., NONE for persistence templates. */
  readonly state: string;
  readonly expiresS: number;
}

/** A kernel sync daemon's role (IP_VS_STATE_MASTER / IP_VS_STATE_BACKUP). */
export type IpvsSyncRole = 'MASTER' | 'BACKUP';

/** One kernel sync daemon's settings: what NEW_DAEMON asks for and GET_DAEMON reports. */
export interface IpvsSyncSettings {
  readonly interface: string;
  readonly syncId: number;
  /** Largest sync message payload (the kernel picks from the interface MTU when absent or 0). */
  readonly maxLen?: number;
  /** Multicast group; the kernel's default is 224.0.0.81. */
  readonly group?: string;
  /** UDP port; the kernel's default is 8848. */
  readonly port?: number;
  /** Multicast TTL; the kernel's default is 1. */
  readonly ttl?: number;
}

/** One kernel sync daemon as `ipvsadm -L --daemon` lists it. */
export interface IpvsSyncDaemon extends IpvsSyncSettings {
  readonly role: IpvsSyncRole;
}
