// When the kernel's IPVS sync daemons run, as keepalived 2.x decides it (pure: state x
// event -> state + actions; ipvs-syncd.ts carries the actions out over netlink).
//
// keepalived (check/ipvswrapper.c ipvs_syncd_master/backup, vrrp/vrrp.c, vrrp_scheduler.c,
// vrrp_daemon.c, check/check_daemon.c):
//  - `lvs_sync_daemon IF INSTANCE`: the VRRP side follows INSTANCE. At start the instance
//    is not MASTER, so the BACKUP daemon starts. Becoming MASTER stops the BACKUP daemon
//    and starts the MASTER one (vrrp_state_become_master); leaving MASTER for BACKUP or
//    FAULT stops the MASTER and starts the BACKUP (vrrp_state_leave_master). BACKUP <->
//    FAULT changes nothing: the backup daemon keeps receiving. On stop, the daemon of the
//    current state is stopped. On reload with changed settings, the daemon is restarted
//    with them, and the other role stopped. syncid defaults to the instance's vrid.
//  - `lvs_sync_daemon IF` with no instance: the checker runs BOTH daemons, from start to
//    stop (syncid 0 unless `id`).
// One difference, deliberate (docs/dataplane-ipvs.md): at start halb stops any daemon left
// in the kernel (a halb killed -9 leaves the kernel threads running) before starting its
// own, as keepalived's checker does for the no-instance case, so new settings apply.
import type { KeepalivedConfig } from '../config/index.js';
import type { VrrpStateName } from '../vrrp/fsm/fsm-types.js';
import type { IpvsSyncRole, IpvsSyncSettings } from '../core/ipvs-types.js';

/** What the configuration asks for: settings, and the instance to follow (none: both roles always). */
export interface SyncdWanted {
  readonly settings: IpvsSyncSettings;
  readonly instance?: string;
}

export interface SyncdState {
  readonly wanted?: SyncdWanted;
  /** Last known VRRP state of every instance (from transitions). */
  readonly states: Readonly<Record<string, VrrpStateName>>;
  /** Daemons halb started and has not stopped, with their settings. */
  readonly running: Readonly<Partial<Record<IpvsSyncRole, IpvsSyncSettings>>>;
}

export type SyncdEvent =
  /** Start (fresh: clear what a previous run left) or reload with the configuration's wish. */
  | { readonly kind: 'configure'; readonly wanted: SyncdWanted | undefined; readonly fresh: boolean }
  | { readonly kind: 'transition'; readonly instance: string; readonly to: VrrpStateName }
  | { readonly kind: 'stop' };

export type SyncdAction =
  | { readonly op: 'start'; readonly role: IpvsSyncRole; readonly settings: IpvsSyncSettings; readonly why: string }
  | { readonly op: 'stop'; readonly role: IpvsSyncRole; readonly syncId: number; readonly why: string };

export const SYNCD_INITIAL: SyncdState = { states: {}, running: {} };

const ROLES: readonly IpvsSyncRole[] = ['MASTER', 'BACKUP'];

export function sameSettings(a: IpvsSyncSettings | undefined, b: IpvsSyncSettings | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.interface === b.interface && a.syncId === b.syncId && a.maxLen === b.maxLen && a.group === b.group && a.port === b.port && a.ttl === b.ttl;
}

/** The roles that should run: both without an instance; MASTER while it is MASTER, else BACKUP. */
function wantedRoles(w: SyncdWanted | undefined, states: SyncdState['states']): Set<IpvsSyncRole> {
  if (w === undefined) return new Set();
  if (w.instance === undefined) return new Set(ROLES);
  return new Set([states[w.instance] === 'MASTER' ? 'MASTER' : 'BACKUP']);
}

/** Stops first, then starts: a director never runs both roles of one instance at once. */
function converge(s: SyncdState, why: string, forceStop: boolean): { state: SyncdState; actions: SyncdAction[] } {
  const want = wantedRoles(s.wanted, s.states);
  const settings = s.wanted?.settings;
  const actions: SyncdAction[] = [];
  const running: Partial<Record<IpvsSyncRole, IpvsSyncSettings>> = { ...s.running };
  for (const role of ROLES) {
    const cur = running[role];
    if (forceStop || (cur !== undefined && (!want.has(role) || !sameSettings(cur, settings)))) {
      actions.push({ op: 'stop', role, syncId: cur?.syncId ?? settings?.syncId ?? 0, why });
      delete running[role];
    }
  }
  for (const role of ROLES) {
    if (want.has(role) && running[role] === undefined && settings !== undefined) {
      actions.push({ op: 'start', role, settings, why });
      running[role] = settings;
    }
  }
  return { state: { ...s, running }, actions };
}

export function syncdStep(s: SyncdState, ev: SyncdEvent): { state: SyncdState; actions: SyncdAction[] } {
  switch (ev.kind) {
    case 'configure':
      return converge({ ...s, wanted: ev.wanted }, ev.fresh ? 'start' : 'reload', ev.fresh && ev.wanted !== undefined);
    case 'transition': {
      const states = { ...s.states, [ev.instance]: ev.to };
      // STOP is VRRP shutting down: the 'stop' event that follows stops the daemon as it is
      // (keepalived stops the daemon of the state it was in, without a backup in between).
      if (s.wanted?.instance !== ev.instance || ev.to === 'STOP') return { state: { ...s, states: ev.to === 'STOP' ? s.states : states }, actions: [] };
      return converge({ ...s, states }, `(${ev.instance}) entering ${ev.to} state`, false);
    }
    case 'stop':
      return converge({ ...s, wanted: undefined }, 'stop', false);
  }
}

/**
 * What lvs_sync_daemon asks for, in keepalived's terms: the instance must exist ("Unable
 * to find vrrp instance ... for lvs_syncd - clearing lvs_syncd config"); syncid defaults
 * to its vrid, or 0 without an instance. Defaults are left to the kernel (not sent), as
 * keepalived sends only what was given.
 */
export function syncdWanted(cfg: KeepalivedConfig): { wanted?: SyncdWanted; error?: string } {
  const d = cfg.global.lvsSyncDaemon;
  if (d === undefined) return {};
  let syncId = d.syncId;
  if (d.instance !== undefined) {
    const vi = cfg.vrrpInstances.find((v) => v.name === d.instance);
    if (vi === undefined) return { error: `Unable to find vrrp instance ${d.instance} for lvs_syncd - clearing lvs_syncd config` };
    syncId ??= vi.vrid;
  }
  const settings: IpvsSyncSettings = {
    interface: d.interface, syncId: syncId ?? 0,
    ...(d.maxLen !== undefined ? { maxLen: d.maxLen } : {}),
    ...(d.group !== '224.0.0.81' ? { group: d.group } : {}),
    ...(d.port !== 8848 ? { port: d.port } : {}),
    ...(d.ttl !== undefined ? { ttl: d.ttl } : {}),
  };
  return { wanted: { settings, ...(d.instance !== undefined ? { instance: d.instance } : {}) } };
}
