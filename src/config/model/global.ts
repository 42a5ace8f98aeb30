// Top-level daemon facilities and global_defs, with keepalived's defaults filled in
// (docs/config-defaults.md). What halb acts on is typed; the tuning knobs it only
// carries (process priorities, SNMP, DBus, netlink buffers) are kept verbatim in `other`.
import type { SourcePos } from '../diagnostics.js';
import type { ScriptSpec } from '../readers.js';

export interface LinkbeatInterface {
  name: string;
  pos: SourcePos;
  type?: 'MII' | 'ETHTOOL' | 'IOCTL';
}

export interface InterfaceUpDownDelay {
  interface: string;
  pos: SourcePos;
  downDelayMs: number;
  upDelayMs: number;
}

export interface TopLevelOptions {
  netNamespace?: string;
  /** '' = the default namespace. */
  netNamespaceIpvs?: string;
  namespaceWithIpsets: boolean;
  instance?: string;
  usePidDir: boolean;
  linkbeatUsePolling: boolean;
  childWaitTimeS: number;
  linkbeatInterfaces: LinkbeatInterface[];
  interfaceUpDownDelays: InterfaceUpDownDelay[];
}

export interface NotifyFifo {
  path?: string;
  user?: string;
  group?: string;
  script?: ScriptSpec;
  /** Who owns the FIFO halb creates: `user [group]`, else the default script user (the script audit fills it in). */
  owner?: { readonly uid: number; readonly gid: number };
}

/**
 * halb-only `halb_conntrack_sync INSTANCE [interface IF] [peer ADDR] [group ADDR] [port N] [binary PATH]`:
 * halb runs conntrackd (FTFW) following INSTANCE (docs/conntrack-sync.md).
 */
export interface ConntrackSyncConf {
  instance: string;
  pos: SourcePos;
  /** Sync link; dflt the instance's interface. */
  interface?: string;
  /** UDP unicast to this peer; dflt the instance's only unicast_peer, else multicast. */
  peer?: string;
  group: string;
  port: number;
  binary: string;
}

export interface LvsSyncDaemon {
  interface: string;
  /** VRRP instance whose state decides master/backup. */
  instance?: string;
  syncId?: number;
  maxLen?: number;
  port: number;
  ttl?: number;
  group: string;
}

/** A global_defs keyword halb accepts but does not interpret. */
export interface OtherKeyword {
  keyword: string;
  args: string[];
  pos: SourcePos;
}

export interface GlobalDefs {
  /** Defaults to the host name (LoadOptions.hostname, else $HOSTNAME, else 'localhost'). */
  routerId: string;
  notificationEmail: string[];
  /** undefined: keepalived uses USER@HOSTNAME of the running process. */
  notificationEmailFrom?: string;
  smtpServer?: { host: string; port: number };
  smtpHeloName?: string;
  smtpConnectTimeoutMs: number;
  /** undefined = not set (instances then fall back to false). */
  smtpAlert?: boolean;
  smtpAlertVrrp?: boolean;
  smtpAlertChecker?: boolean;
  noEmailFaults: boolean;
  noCheckerEmails: boolean;
  checkerLogAllFailures: boolean;
  scriptUser?: { user: string; group?: string };
  enableScriptSecurity: boolean;
  startupScript?: ScriptSpec;
  startupScriptTimeoutS: number;
  shutdownScript?: ScriptSpec;
  shutdownScriptTimeoutS: number;
  umask?: number;
  randomSeed?: number;
  processName?: string;
  vrrpProcessName?: string;
  checkerProcessName?: string;
  bfdProcessName?: string;
  maxAutoPriority?: number;
  minAutoPriorityDelayUs?: number;
  // VRRP defaults
  vrrpMcastGroup4: string;
  vrrpMcastGroup6: string;
  defaultInterface?: string;
  vrrpVersion: 2 | 3;
  vrrpGarpMasterDelayMs: number;
  vrrpGarpMasterRepeat: number;
  vrrpGarpMasterRefreshMs: number;
  vrrpGarpMasterRefreshRepeat: number;
  /** Default: the master delay / repeat. */
  vrrpGarpLowerPrioDelayMs: number;
  vrrpGarpLowerPrioRepeat: number;
  vrrpGarpIntervalMs: number;
  vrrpGnaIntervalMs: number;
  vrrpMinGarp: boolean;
  vrrpGarpExtraIfIntervalMs?: number;
  vrrpGarpExtraIfAll: boolean;
  vrrpDownTimerAdverts: number;
  vrrpLowerPrioNoAdvert: boolean;
  vrrpHigherPrioSendAdvert: boolean;
  vrrpCheckUnicastSrc: boolean;
  vrrpSkipCheckAdvAddr: boolean;
  vrrpStrict: boolean;
  vrrpNotifyPriorityChanges: boolean;
  vrrpStartupDelayMs: number;
  logUnknownVrids: boolean;
  vmacPrefix?: string;
  vmacAddrPrefix?: string;
  disableLocalIgmp: boolean;
  dynamicInterfaces: boolean;
  allowIfChanges: boolean;
  // Firewall
  nftables?: { table: string; priority: number; ifindex: boolean };
  nftablesIpvs?: { table: string; priority: number; startFwmark: number };
  nftablesCounters: boolean;
  // LVS
  lvsSyncDaemon?: LvsSyncDaemon;
  /** halb-only: conntrackd for nft NAT (ConntrackSyncConf). */
  conntrackSync?: ConntrackSyncConf;
  lvsTimeouts: { tcpS?: number; tcpFinS?: number; udpS?: number };
  lvsFlush: boolean;
  lvsFlushOnStop: 'none' | 'full' | 'vs';
  rsInitNotifies: boolean;
  // Notify FIFOs
  notifyFifo: NotifyFifo;
  vrrpNotifyFifo: NotifyFifo;
  lvsNotifyFifo: NotifyFifo;
  fifoWriteVrrpStatesOnReload: boolean;
  // Reload
  reloadCheckConfig?: string;
  reloadTimeFile?: string;
  reloadRepeat: boolean;
  reloadFile?: string;
  dataUseInstance: boolean;
  tmpConfigDirectory?: string;
  configSaveDir?: string;
  enableSnmpVrrp: boolean;
  enableSnmpChecker: boolean;
  enableSnmpRfcV2: boolean;
  enableSnmpRfcV3: boolean;
  enableTraps: boolean;
  snmpSocket?: string;
  enableDbus: boolean;
  dbusServiceName?: string;
  other: OtherKeyword[];
}

export const VRRP_GARP_MASTER_DELAY_MS = 5000;
export const VRRP_GARP_MASTER_REPEAT = 5;
export const VRRP_GARP_REFRESH_REPEAT = 1;

export function emptyTopLevel(): TopLevelOptions {
  return {
    namespaceWithIpsets: false,
    usePidDir: false,
    linkbeatUsePolling: false,
    childWaitTimeS: 5,
    linkbeatInterfaces: [],
    interfaceUpDownDelays: [],
  };
}

export function emptyGlobalDefs(hostname = 'localhost'): GlobalDefs {
  return {
    routerId: hostname,
    notificationEmail: [],
    smtpConnectTimeoutMs: 30_000,
    noEmailFaults: false,
    noCheckerEmails: false,
    checkerLogAllFailures: false,
    enableScriptSecurity: false,
    startupScriptTimeoutS: 10,
    shutdownScriptTimeoutS: 10,
    vrrpMcastGroup4: '224.0.0.18',
    vrrpMcastGroup6: 'ff02::12',
    vrrpVersion: 2,
    vrrpGarpMasterDelayMs: VRRP_GARP_MASTER_DELAY_MS,
    vrrpGarpMasterRepeat: VRRP_GARP_MASTER_REPEAT,
    vrrpGarpMasterRefreshMs: 0,
    vrrpGarpMasterRefreshRepeat: VRRP_GARP_REFRESH_REPEAT,
    vrrpGarpLowerPrioDelayMs: VRRP_GARP_MASTER_DELAY_MS,
    vrrpGarpLowerPrioRepeat: VRRP_GARP_MASTER_REPEAT,
    vrrpGarpIntervalMs: 0,
    vrrpGnaIntervalMs: 0,
    vrrpMinGarp: false,
    vrrpGarpExtraIfAll: false,
    vrrpDownTimerAdverts: 3,
    vrrpLowerPrioNoAdvert: false,
    // halb differs from keepalived (false): a master yielding to a higher priority sends
    // one last advert, so the other master re-GARPs and a healed split brain does not
    // leave clients on the loser's MAC (docs/config-defaults.md).
    vrrpHigherPrioSendAdvert: true,
    vrrpCheckUnicastSrc: false,
    vrrpSkipCheckAdvAddr: false,
    vrrpStrict: false,
    vrrpNotifyPriorityChanges: false,
    vrrpStartupDelayMs: 0,
    logUnknownVrids: false,
    disableLocalIgmp: false,
    dynamicInterfaces: false,
    allowIfChanges: false,
    nftablesCounters: false,
    lvsTimeouts: {},
    lvsFlush: false,
    lvsFlushOnStop: 'none',
    rsInitNotifies: false,
    notifyFifo: {},
    vrrpNotifyFifo: {},
    lvsNotifyFifo: {},
    fifoWriteVrrpStatesOnReload: false,
    reloadRepeat: false,
    dataUseInstance: false,
    enableSnmpVrrp: false,
    enableSnmpChecker: false,
    enableSnmpRfcV2: false,
    enableSnmpRfcV3: false,
    enableTraps: false,
    enableDbus: false,
    other: [],
  };
}

/** The host name as LoadOptions gives it: option, else $HOSTNAME, else 'localhost'. */
export function resolveHostname(hostname: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const h = hostname ?? env['HOSTNAME'];
  return h !== undefined && h !== '' ? h : 'localhost';
}
