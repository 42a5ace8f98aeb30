// What the nftables engine needs from the host, as an interface: apply.ts implements it
// with nft, /proc and ip (src/sys/), tests can implement it in memory.
import type { Json, TableFamily } from './nft-json.js';
import type { RouteInfo } from './plan.js';
import type { ConntrackEntry, TableReading } from './readings.js';

export interface NftBackend {
  /**
   * Fail with PermissionError (naming CAP_NET_ADMIN) or NotSupportedError when nftables
   * cannot do what the engine needs here (`dr`: the netdev family and `fwd` as well).
   */
  probe(needs: { readonly dr: boolean }): Promise<void>;
  /** Commit `commands` as one nftables transaction (all or nothing). */
  transaction(commands: readonly Json[]): Promise<void>;
  /** The named counters of a table; empty when the table does not exist. */
  counters(family: TableFamily, table: string): Promise<TableReading>;
  /** Counters and set elements of a table; empty when the table does not exist. */
  table(family: TableFamily, table: string): Promise<TableReading>;
  /** The conntrack table. */
  conntrack(): Promise<ConntrackEntry[]>;
  /** Where packets to `address` go. */
  route(address: string): Promise<RouteInfo>;
  /** Make sure the host forwards packets of `family` (NAT replies pass through the director). Returns true when it changed it. */
  ensureForwarding(family: 4 | 6): Promise<boolean>;
}
