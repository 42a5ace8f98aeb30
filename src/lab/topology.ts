// The lab's hosts, names and addresses, worked out from the options alone (pure).
//
// One LAN on a bridge, as in the seeds' four-VM set-up, in documentation addresses:
//
//                 switch namespace (bridge br0)
//     +-----------+------------+-----------+-----------+
//   client      dir1         dir2        rs1         rs2
//  .10/25    .2/25,.130/25 .3/25,.131/25 .141/25     .142/25
//             VIP 192.0.2.100 (VRRP)
//
// The front half (192.0.2.0/25) holds the client, the directors and the VIP; the back
// half (192.0.2.128/25) the real servers. With the proxy dataplane the directors open
// their own connections to the real servers (full NAT), so the real servers need no
// route back. Kernel NAT (nft or IPVS) rewrites only the destination: the real servers then
// route replies through a second VIP, 192.0.2.129, that the master holds (a sync group
// keeps both VIPs on one director), as the classic LVS-NAT set-up does. In DR the real
// servers answer the client from the VIP themselves, over an on-link route.
//
// Every namespace is named `hlab-<role>` (or `hlab-<lab>-<role>` for a named lab), so
// `halb lab down` can find everything a lab made, even without its state file.

export type LabMode = 'nat' | 'dr';
export type LabDataplane = 'proxy' | 'nft' | 'ipvs';

/** Whether the lab's directors forward in the kernel (nftables or IPVS) rather than proxy in userspace. */
export function kernelDataplane(d: LabDataplane): boolean {
  return d !== 'proxy';
}
export type DirectorSoftware = 'halb' | 'keepalived';

export interface LabOptions {
  /** Lab name: '' for the default lab. [a-z0-9], at most 8 characters. */
  readonly name: string;
  readonly directors: number;
  readonly realServers: number;
  readonly mode: LabMode;
  readonly dataplane: LabDataplane;
  /** Run Debian's keepalived for VRRP on the last director (its LVS side stays halb -C). */
  readonly peer: 'keepalived' | undefined;
  readonly vrrpVersion: 2 | 3;
  /** advert_int in seconds (v3 allows centiseconds). */
  readonly advertInt: number;
  /** Proxy worker processes per halb daemon (--workers). */
  readonly workers: number;
  /** garp_master_refresh in seconds on every instance; 0 = off, as in the seeds. */
  readonly garpMasterRefresh: number;
  /** Active-active directors announcing the VIP over BGP to a router that spreads flows by ECMP (src/lab/ecmp.ts). */
  readonly ecmp?: boolean;
  /** lb_algo of the virtual server (dflt rr, as in the seeds); mh keeps DR flows across a failover. */
  readonly lbAlgo?: string;
  /** nft NAT: halb_conntrack_sync on every halb director (dflt on; off shows what it saves). */
  readonly connSync?: boolean;
}

export const DEFAULT_OPTIONS: LabOptions = {
  name: '', directors: 2, realServers: 2, mode: 'nat', dataplane: 'proxy', peer: undefined,
  vrrpVersion: 2, advertInt: 1, workers: 0, garpMasterRefresh: 0,
};

export const NS_PREFIX = 'hlab-';
export const MAX_DIRECTORS = 8;
export const MAX_REAL_SERVERS = 16;
export const VIP = '192.0.2.100';
export const GATEWAY_VIP = '192.0.2.129';
export const FRONT_PREFIX = 25;
export const FRONT_NET = '192.0.2.0/25';
export const VS_PORT = 80;
export const VRID = 51;
export const GATEWAY_VRID = 52;
/** The interface every host has on the LAN. */
export const LAN_IF = 'eth0';
export const BRIDGE = 'br0';
/** --ecmp: the client sits in its own subnet behind the router (on the same bridge). */
export const ECMP_CLIENT = '198.51.100.10/24';
export const ECMP_ROUTER_ADDRESSES = ['192.0.2.1/25', '192.0.2.129/25', '198.51.100.1/24'];

/** Why an --ecmp lab cannot be built with `o`, or undefined. */
function ecmpOptionsError(o: LabOptions): string | undefined {
  if (o.peer !== undefined) return '--ecmp runs no VRRP: --peer keepalived does not apply';
  // DNAT answers must return through the director that rewrote them, which ECMP cannot promise.
  if (kernelDataplane(o.dataplane) && o.mode === 'nat') return `--ecmp with --mode nat needs the proxy dataplane (full NAT); use --mode dr for the ${o.dataplane} dataplane`;
  return undefined;
}

export interface LabHost {
  /** Role name: client, dir1.., rs1.. */
  readonly role: string;
  readonly ns: string;
  /** CIDR addresses on eth0. */
  readonly addresses: readonly string[];
  /** The bridge port (in the switch namespace) this host's cable plugs into. */
  readonly switchPort: string;
}

export interface Director extends LabHost {
  readonly index: number;
  readonly software: DirectorSoftware;
  readonly priority: number;
  readonly state: 'MASTER' | 'BACKUP';
  readonly routerId: string;
  /** The address on the real servers' side: where its connections to them come from. */
  readonly backAddress: string;
}

export interface RealServerHost extends LabHost {
  readonly index: number;
  readonly address: string;
  readonly port: number;
}

export interface Topology {
  readonly options: LabOptions;
  readonly switchNs: string;
  readonly client: LabHost;
  readonly directors: readonly Director[];
  readonly realServers: readonly RealServerHost[];
  readonly vip: string;
  /** The real servers' gateway VIP (kernel NAT only). */
  readonly gatewayVip: string | undefined;
  /** --ecmp: the BGP router between the client and the directors. */
  readonly router?: LabHost;
}

/** Why `o` cannot be built, or undefined. */
export function validateOptions(o: LabOptions): string | undefined {
  if (!/^[a-z0-9]{0,8}$/.test(o.name)) return `lab name '${o.name}': use at most 8 letters a-z or digits`;
  if (!Number.isInteger(o.directors) || o.directors < 1 || o.directors > MAX_DIRECTORS) return `--directors must be 1..${MAX_DIRECTORS}`;
  if (!Number.isInteger(o.realServers) || o.realServers < 1 || o.realServers > MAX_REAL_SERVERS) return `--real-servers must be 1..${MAX_REAL_SERVERS}`;
  if (o.peer === 'keepalived' && o.directors < 2) return '--peer keepalived needs at least 2 directors (one runs halb, the last keepalived)';
  if (o.vrrpVersion !== 2 && o.vrrpVersion !== 3) return '--vrrp-version must be 2 or 3';
  // RFC 3768 §5.3.7: the v2 advert interval is whole seconds; RFC 5798 §5.2.7: v3 counts centiseconds up to 4095.
  if (o.vrrpVersion === 2 && (!Number.isInteger(o.advertInt) || o.advertInt < 1 || o.advertInt > 255)) return '--advert-int must be a whole number of seconds 1..255 with VRRPv2';
  if (o.vrrpVersion === 3 && (!(o.advertInt >= 0.01 && o.advertInt <= 40.95) || Math.abs(Math.round(o.advertInt * 100) - o.advertInt * 100) > 1e-6)) {
    return '--advert-int must be 0.01..40.95 s in centiseconds with VRRPv3';
  }
  if (!Number.isInteger(o.workers) || o.workers < 0 || o.workers > 16) return '--workers must be 0..16';
  if (!Number.isInteger(o.garpMasterRefresh) || o.garpMasterRefresh < 0 || o.garpMasterRefresh > 3600) return '--garp-master-refresh must be 0..3600 seconds';
  return o.ecmp === true ? ecmpOptionsError(o) : undefined;
}

/** The namespace name prefix of a lab: `hlab-` or `hlab-<name>-`. */
export function labPrefix(name: string): string {
  return name === '' ? NS_PREFIX : `${NS_PREFIX}${name}-`;
}

const ROLE = /^(sw|client|router|dir\d+|rs\d+)$/;

/** Whether namespace `ns` belongs to lab `name` (and not to another lab sharing the prefix). */
export function isLabNamespace(ns: string, name: string): boolean {
  const p = labPrefix(name);
  return ns.startsWith(p) && ROLE.test(ns.slice(p.length));
}

/** Every lab that a namespace list shows, by name ('' = the default lab). */
export function labsIn(namespaces: readonly string[]): string[] {
  const names = new Set<string>();
  for (const ns of namespaces) {
    if (!ns.startsWith(NS_PREFIX)) continue;
    const rest = ns.slice(NS_PREFIX.length);
    if (ROLE.test(rest)) names.add('');
    const m = /^([a-z0-9]{1,8})-(.+)$/.exec(rest);
    if (m !== null && ROLE.test(m[2] as string)) names.add(m[1] as string);
  }
  return [...names].sort();
}

/** Director i (1-based): dir1 is the MASTER at 150, the others BACKUP at 100, 90, 80 ... */
function priorityOf(i: number): number {
  return i === 1 ? 150 : 100 - 10 * (i - 2);
}

export function buildTopology(o: LabOptions): Topology {
  const why = validateOptions(o);
  if (why !== undefined) throw new RangeError(why);
  const p = labPrefix(o.name);
  const host = (role: string, addresses: string[]): LabHost => ({ role, ns: `${p}${role}`, addresses, switchPort: `v-${role}` });
  const directors: Director[] = [];
  for (let i = 1; i <= o.directors; i++) {
    const backAddress = `192.0.2.${129 + i}`;
    directors.push({
      ...host(`dir${i}`, [`192.0.2.${1 + i}/${FRONT_PREFIX}`, `${backAddress}/${FRONT_PREFIX}`]),
      index: i,
      software: o.peer === 'keepalived' && i === o.directors ? 'keepalived' : 'halb',
      priority: priorityOf(i),
      state: i === 1 ? 'MASTER' : 'BACKUP',
      routerId: `LVS_DIR${i}`,
      backAddress,
    });
  }
  const realServers: RealServerHost[] = [];
  for (let i = 1; i <= o.realServers; i++) {
    const address = `192.0.2.${140 + i}`;
    realServers.push({ ...host(`rs${i}`, [`${address}/${FRONT_PREFIX}`]), index: i, address, port: VS_PORT });
  }
  const ecmp = o.ecmp === true;
  return {
    options: o,
    switchNs: `${p}sw`,
    client: host('client', [ecmp ? ECMP_CLIENT : `192.0.2.10/${FRONT_PREFIX}`]),
    directors,
    realServers,
    vip: VIP,
    gatewayVip: !ecmp && kernelDataplane(o.dataplane) && o.mode === 'nat' ? GATEWAY_VIP : undefined,
    ...(ecmp ? { router: host('router', ECMP_ROUTER_ADDRESSES) } : {}),
  };
}

/** Every namespace of the topology, the switch first. */
export function namespacesOf(t: Topology): string[] {
  return [t.switchNs, t.client.ns, ...(t.router !== undefined ? [t.router.ns] : []), ...t.directors.map((d) => d.ns), ...t.realServers.map((r) => r.ns)];
}

export function hostsOf(t: Topology): LabHost[] {
  return [t.client, ...(t.router !== undefined ? [t.router] : []), ...t.directors, ...t.realServers];
}

/**
 * Master_Down_Interval of a backup at `priority` (RFC 3768 §6.1 / RFC 5798 §6.1):
 * 3 * Advertisement_Interval + Skew_Time, Skew_Time = ((256 - Priority) * Interval) / 256.
 */
export function masterDownIntervalMs(advertIntS: number, priority: number): number {
  const adv = advertIntS * 1000;
  return 3 * adv + ((256 - priority) * adv) / 256;
}

/** The director that takes over when `gone` are down: the highest priority left. */
export function nextMaster(t: Topology, gone: ReadonlySet<string>): Director | undefined {
  return [...t.directors].filter((d) => !gone.has(d.role)).sort((a, b) => b.priority - a.priority)[0];
}
