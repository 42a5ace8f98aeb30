// Where the kernel's connection-state sync applies: conntrackd for nft NAT
// (halb_conntrack_sync), the IPVS sync daemons for the ipvs engine (lvs_sync_daemon).
// Each answers why not, in the words the daemon logs, or undefined when it applies.
import type { KeepalivedConfig } from '../config/index.js';
import type { Dataplane } from '../dataplane/dataplane.js';

export interface SyncScope {
  engine: Dataplane['engine'];
  /** This halb runs the LVS side (not -P). */
  lvs: boolean;
  /** This halb runs VRRP (not -C). */
  vrrp: boolean;
}

/** halb_conntrack_sync: only where halb runs VRRP and the kernel does NAT (docs/conntrack-sync.md). */
export function conntrackSyncNotApplicable(cfg: KeepalivedConfig, s: SyncScope): string | undefined {
  if (cfg.global.conntrackSync === undefined || (s.lvs && s.engine === 'nft')) return undefined;
  return !s.lvs ? 'this halb runs VRRP only (-P)' : `the ${s.engine} dataplane keeps its connections in its own process, not in conntrack`;
}

/** lvs_sync_daemon: only where this halb drives the kernel's IPVS and the VRRP it follows. */
export function syncDaemonNotApplicable(cfg: KeepalivedConfig, s: SyncScope): string | undefined {
  const d = cfg.global.lvsSyncDaemon;
  if (d === undefined) return undefined;
  if (s.engine !== 'ipvs') {
    return `the ${s.engine} dataplane has no kernel IPVS connection table to sync${s.engine === 'nft' ? ' (for nft NAT see halb_conntrack_sync)' : ''}`;
  }
  if (d.instance !== undefined && !s.vrrp) return `VRRP instance ${d.instance} runs in another process (-C)`;
  if (d.instance === undefined && !s.lvs) return 'no vrrp instance named, and this halb runs VRRP only (-P): the LVS side runs both daemons';
  return undefined;
}
