// The typed model of a keepalived.conf, with keepalived's defaults filled in (see
// docs/config-defaults.md). Built section by section by the keyword tables in
// src/config/keywords/, then checked by src/config/validate*.ts.
import type { GlobalDefs, TopLevelOptions } from './global.js';
import type {
  StaticAddress, StaticRoute, StaticRule, VrrpScript, TrackFile, TrackProcess, BfdInstance,
  SyncGroup, GarpGroup, VrrpInstance, TrackGroup,
} from './vrrp.js';
import type { VirtualServerGroup, VirtualServer, SslConfig } from './lvs.js';
import type { BgpConfig } from './bgp.js';
import { emptyGlobalDefs, emptyTopLevel } from './global.js';

export interface KeepalivedConfig {
  top: TopLevelOptions;
  global: GlobalDefs;
  staticAddresses: StaticAddress[];
  staticRoutes: StaticRoute[];
  staticRules: StaticRule[];
  trackGroups: TrackGroup[];
  vrrpScripts: VrrpScript[];
  trackFiles: TrackFile[];
  trackProcesses: TrackProcess[];
  bfdInstances: BfdInstance[];
  syncGroups: SyncGroup[];
  garpGroups: GarpGroup[];
  vrrpInstances: VrrpInstance[];
  virtualServerGroups: VirtualServerGroup[];
  virtualServers: VirtualServer[];
  ssl: SslConfig | undefined;
  /** halb-only `halb_bgp` block (docs/bgp.md); undefined when absent. */
  bgp: BgpConfig | undefined;
}

export function emptyConfig(): KeepalivedConfig {
  return {
    top: emptyTopLevel(),
    global: emptyGlobalDefs(),
    staticAddresses: [],
    staticRoutes: [],
    staticRules: [],
    trackGroups: [],
    vrrpScripts: [],
    trackFiles: [],
    trackProcesses: [],
    bfdInstances: [],
    syncGroups: [],
    garpGroups: [],
    vrrpInstances: [],
    virtualServerGroups: [],
    virtualServers: [],
    ssl: undefined,
    bgp: undefined,
  };
}

export type * from './global.js';
export type * from './vrrp.js';
export type * from './lvs.js';
export type * from './bgp.js';
