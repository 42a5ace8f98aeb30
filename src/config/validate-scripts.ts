// The script audit keepalived makes once the config is read (vrrp.c
// check_vrrp_script_security, check_data.c check_check_script_security, notify.c): for
// every script it would run, who runs it (its own `user [group]`, else global_defs
// script_user, else `keepalived_script` if that user exists, else the daemon's own
// uid:gid unless enable_script_security is on) and whether it may run
// (check_script_secure, asked of the host). Scripts that may not run are taken out of
// the config with keepalived's messages: a vrrp_script stops being tracked, a notify
// script is dropped, a MISC_CHECK is removed. Approved scripts get `run` (argv, uid, gid)
// and nothing else is ever executed. Any existing script without enable_script_security
// is a security violation (`keepalived -t` exits 6). Without a host description the
// files cannot be looked at: a script in the config counts as existing.
import type { Diagnostics } from './diagnostics.js';
import { SC, type AccountLookup, type ScriptHost } from './host.js';
import type { KeepalivedConfig } from './model/index.js';
import type { NotifyFifo } from './model/global.js';
import type { NotifySet } from './model/vrrp.js';
import type { ScriptSpec } from './readers.js';

type Kind = 'vrrp_script' | 'misc' | 'notify';

/** keepalived's cmd_str(): every word in single quotes. */
function cmdStr(s: ScriptSpec): string {
  return s.argv.map((w) => `'${w}'`).join(' ');
}

class Audit {
  #default: AccountLookup | undefined;
  #defaultFailed = false;
  flags = 0;

  constructor(readonly cfg: KeepalivedConfig, readonly diag: Diagnostics, readonly host: ScriptHost) {}

  get enforce(): boolean {
    return this.cfg.global.enableScriptSecurity;
  }

  /** get_default_script_user(), asked once, when the first script without its own user needs it. */
  #defaultUser(): AccountLookup | undefined {
    if (this.#defaultFailed) return undefined;
    if (this.#default !== undefined) return this.#default;
    const su = this.cfg.global.scriptUser;
    if (su !== undefined) {
      const r = this.host.lookup(su.user, su.group);
      if (!r.ok) {
        this.diag.warn(undefined, r.message);
        this.diag.error(undefined, 'Error setting global script uid/gid');
        this.#defaultFailed = true;
        return undefined;
      }
      this.#default = r;
      return r;
    }
    const ks = this.host.lookup('keepalived_script', undefined);
    if (ks.ok) {
      this.#default = ks;
      return ks;
    }
    if (this.enforce) {
      this.diag.warn(undefined, ks.message);
      this.diag.error(undefined, 'Unable to set default user keepalived_script for script');
      this.#defaultFailed = true;
      return undefined;
    }
    const { uid, gid } = this.host.self;
    this.#default = { ok: true, uid, gid, label: `${uid}:${gid}` };
    return this.#default;
  }

  /**
   * The verdict for one script, `what` naming it in messages (the vrrp_script's name,
   * or the keyword for notify scripts). True: it may run, and `spec.run` says how.
   */
  approve(spec: ScriptSpec, kind: Kind, what: string): boolean {
    let who: AccountLookup | undefined;
    if (spec.user !== undefined) {
      who = this.host.lookup(spec.user, spec.group);
      if (!who.ok) {
        this.diag.warn(undefined, who.message);
        if (kind === 'notify') this.diag.warn(undefined, `Invalid user/group for ${what} script ${spec.argv[0] ?? ''} - ignoring`);
        else this.diag.error(undefined, `Unable to set uid/gid for script ${cmdStr(spec)}`);
        return false;
      }
    } else {
      who = this.#defaultUser();
      if (who === undefined || !who.ok) {
        if (kind === 'vrrp_script') this.diag.error(undefined, `Unable to set default user for vrrp script ${what} - removing`);
        else if (kind === 'misc') this.diag.error(undefined, `Unable to set default user for misc script ${cmdStr(spec)} - removing`);
        else this.diag.warn(undefined, `Failed to set default user for ${what} script ${spec.argv[0] ?? ''} - ignoring`);
        return false;
      }
    }
    const [cmd = '', ...args] = spec.argv;
    const c = this.host.check(cmd, who.uid, who.gid, this.enforce);
    this.flags |= c.flags;
    for (const m of c.messages) this.diag.warn(undefined, m);
    const f = c.flags;
    let ok: boolean;
    if (kind === 'notify') {
      ok = (f & (SC.INHIBIT | SC.NOTFOUND)) === 0 && (f & SC.EXECUTABLE) !== 0;
    } else {
      ok = (f & (SC.INHIBIT | SC.NOTFOUND)) === 0 && (f & (SC.EXECUTABLE | SC.SYSTEM)) !== 0;
      const label = kind === 'vrrp_script' ? `track script ${what}` : `misc script ${cmdStr(spec)}`;
      // keepalived reports these for vrrp_script (a config error) and only logs them for MISC_CHECK.
      const say = (m: string): void => (kind === 'vrrp_script' ? this.diag.error(undefined, m) : this.diag.warn(undefined, m));
      if ((f & SC.INHIBIT) !== 0) say(`Disabling ${label} due to insecure`);
      else if ((f & SC.NOTFOUND) !== 0) say(`Disabling ${label} since not found/accessible`);
    }
    if (ok) spec.run = { argv: [c.path, ...args], uid: who.uid, gid: who.gid, label: who.label, viaShell: c.viaShell };
    return ok;
  }

  /**
   * A notify FIFO's owner, as global_parser.c notify_fifo() sets it: its own `user
   * [group]`, else the default script user; a FIFO whose owner cannot be found is ignored.
   */
  fifoOwner(f: NotifyFifo, type: '' | 'vrrp_' | 'lvs_'): void {
    if (f.path === undefined) return;
    const who = f.user !== undefined ? this.host.lookup(f.user, f.group) : this.#defaultUser();
    if (who !== undefined && who.ok) {
      f.owner = { uid: who.uid, gid: who.gid };
      return;
    }
    if (who !== undefined) this.diag.warn(undefined, who.message);
    this.diag.warn(undefined, f.user !== undefined
      ? `Invalid user/group for ${type} fifo ${f.path} - ignoring`
      : `Failed to set default user for ${type} fifo ${f.path} - ignoring`);
    delete f.path;
    delete f.script;
  }

  /** A notify slot: approved, or removed. */
  notify<T extends object, K extends keyof T>(holder: T, key: K, what: string): void {
    const spec = holder[key] as ScriptSpec | undefined;
    if (spec !== undefined && !this.approve(spec, 'notify', what)) delete holder[key];
  }

  violation(side: 'vrrp' | 'check' | 'start/shutdown'): void {
    if (this.enforce || (this.flags & SC.ISSCRIPT) === 0) return;
    const insecure = (this.flags & SC.INSECURE) !== 0 ? ' There are insecure scripts.' : '';
    this.diag.security(undefined, `SECURITY VIOLATION - ${side === 'vrrp' ? '' : `${side} `}scripts are being executed but script_security not enabled.${insecure}`);
  }
}

const NOTIFY_KEYS: readonly [keyof NotifySet, string][] = [
  ['backup', 'notify_backup'], ['master', 'notify_master'], ['fault', 'notify_fault'], ['stop', 'notify_stop'],
  ['deleted', 'notify_deleted'], ['generic', 'notify'], ['masterRxLowerPri', 'notify_master_rx_lower_pri'],
];

/**
 * Without a host description (unit tests, `halb -t --no-host-checks`) every script counts
 * as present, executable and safe, run as the current user. The daemon always describes
 * the host (src/sys/script/runner.ts hostScripts).
 */
function assumePresent(): ScriptHost {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return {
    self: { uid, gid },
    lookup: (user) => ({ ok: true, uid, gid, label: user }),
    check: (argv0) => ({ flags: SC.ISSCRIPT | SC.EXECUTABLE, path: argv0, messages: [], viaShell: false }),
  };
}

function auditVrrp(a: Audit, cfg: KeepalivedConfig): void {
  if (cfg.vrrpInstances.length === 0) return;
  const insecure = new Set<string>();
  for (const sc of cfg.vrrpScripts) {
    const spec = sc.user !== undefined ? { ...sc.script, user: sc.user, ...(sc.group !== undefined ? { group: sc.group } : {}) } : sc.script;
    if (a.approve(spec, 'vrrp_script', sc.name)) sc.script.run = spec.run;
    else insecure.add(sc.name);
  }
  for (const v of cfg.vrrpInstances) for (const [k, what] of NOTIFY_KEYS) a.notify(v.notify, k, what);
  for (const sg of cfg.syncGroups) for (const [k, what] of NOTIFY_KEYS) a.notify(sg.notify, k, what);
  a.notify(cfg.global.notifyFifo, 'script', 'notify_fifo');
  a.notify(cfg.global.vrrpNotifyFifo, 'script', 'vrrp_notify_fifo');
  a.violation('vrrp');
  if (insecure.size === 0) return;
  cfg.vrrpScripts = cfg.vrrpScripts.filter((sc) => !insecure.has(sc.name));
  for (const v of cfg.vrrpInstances) v.track.scripts = v.track.scripts.filter((t) => !insecure.has(t.name));
  for (const g of cfg.syncGroups) g.track.scripts = g.track.scripts.filter((t) => !insecure.has(t.name));
}

function auditCheck(a: Audit, cfg: KeepalivedConfig): void {
  if (cfg.virtualServers.length === 0) return;
  for (const vs of cfg.virtualServers) {
    for (const rs of vs.realServers) {
      rs.checkers = rs.checkers.filter((c) => c.kind !== 'MISC_CHECK' || a.approve(c.script, 'misc', c.script.text));
    }
  }
  for (const vs of cfg.virtualServers) {
    a.notify(vs, 'quorumUp', 'quorum_up');
    a.notify(vs, 'quorumDown', 'quorum_down');
    for (const rs of vs.realServers) {
      a.notify(rs, 'notifyUp', 'notify_up');
      a.notify(rs, 'notifyDown', 'notify_down');
    }
  }
  a.notify(cfg.global.notifyFifo, 'script', 'notify_fifo');
  a.notify(cfg.global.lvsNotifyFifo, 'script', 'lvs_notify_fifo');
  a.violation('check');
}

export function auditScripts(cfg: KeepalivedConfig, diag: Diagnostics, host: ScriptHost | undefined): void {
  // keepalived's VRRP and checker processes each make their own audit of the shared parts.
  const h = host ?? assumePresent();
  // keepalived's parent process checks startup_script / shutdown_script (main.c).
  const g = cfg.global;
  if (g.startupScript !== undefined || g.shutdownScript !== undefined) {
    const a = new Audit(cfg, diag, h);
    a.notify(g, 'startupScript', 'startup');
    a.notify(g, 'shutdownScript', 'shutdown');
    a.violation('start/shutdown');
  }
  const fifos = new Audit(cfg, diag, h);
  fifos.fifoOwner(g.notifyFifo, '');
  fifos.fifoOwner(g.vrrpNotifyFifo, 'vrrp_');
  fifos.fifoOwner(g.lvsNotifyFifo, 'lvs_');
  auditVrrp(new Audit(cfg, diag, h), cfg);
  auditCheck(new Audit(cfg, diag, h), cfg);
}
