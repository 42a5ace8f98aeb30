// smtp_alert for VRRP: mail on instance and sync group state changes, as keepalived's
// vrrp_smtp_notifier / vrrp_sync_smtp_notifier (keepalived/vrrp/vrrp_notify.c) with its
// subjects ("[router_id] VRRP Instance VI_1 - Entering MASTER state", "[router_id] VRRP
// Group G - ...") and bodies. Whether to mail is the instance's or group's smtp_alert,
// which the config has already resolved against global_defs smtp_alert_vrrp / smtp_alert;
// no_email_faults leaves FAULT out; a state already mailed is not mailed again (keepalived's
// last_email_state). The mail itself goes through src/check/smtp-alert.ts, which the VRRP
// engine may not import: the engine emits the events, the daemon decides and sends.
import { alertConfig, sendAlert, type AlertResult, type SmtpAlertConfig } from '../notify/index.js';
import type { KeepalivedConfig } from '../config/index.js';
import type { EngineEvent } from '../vrrp/engine/types.js';

export type VrrpAlertOutcome =
  | { readonly sent: true; readonly subject: string }
  | {
      readonly sent: false;
      readonly why: 'not a state change' | 'unknown instance or group' | 'smtp_alert off' | 'no_email_faults'
        | 'state already mailed' | 'no mail for this state' | 'notification_email or smtp_server not set';
    }
  | { readonly sent: false; readonly why: 'send failed'; readonly subject: string; readonly stage: string; readonly detail: string };

type State = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';

const INSTANCE_TEXT: Partial<Record<State, [subject: string, body: string]>> = {
  MASTER: ['Entering MASTER state', '=> VRRP Instance is now owning VRRP VIPs <='],
  BACKUP: ['Entering BACKUP state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
  FAULT: ['Entering FAULT state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
  STOP: ['Stopping', '=> VRRP Instance stopping <='],
};

const GROUP_TEXT: Partial<Record<State, [subject: string, body: string]>> = {
  MASTER: ['Entering MASTER state', '=> All VRRP group instances are now in MASTER state <='],
  BACKUP: ['Entering BACKUP state', '=> All VRRP group instances are now in BACKUP state <='],
  FAULT: ['Entering FAULT state', '=> All VRRP group instances are now in FAULT state <='],
  STOP: ['Stopping', '=> All VRRP group instances are now stopping <='],
};

export interface VrrpAlertsOptions {
  /** The mailer (dflt src/check/smtp-alert.ts sendAlert). */
  readonly send?: (c: SmtpAlertConfig, subject: string, body: string) => Promise<AlertResult>;
}

/** Keeps the last state mailed per instance and group, as keepalived's last_email_state. */
export class VrrpAlerts {
  readonly #send: NonNullable<VrrpAlertsOptions['send']>;
  readonly #lastMailed = new Map<string, State>();

  constructor(o: VrrpAlertsOptions = {}) {
    this.#send = o.send ?? ((c, subject, body) => sendAlert(c, subject, body));
  }

  /** Decide whether `ev` is mailed, and mail it. Never rejects: a failed send is an outcome. */
  async alert(cfg: KeepalivedConfig, ev: EngineEvent): Promise<VrrpAlertOutcome> {
    if (ev.kind !== 'transition' && ev.kind !== 'group-transition') return { sent: false, why: 'not a state change' };
    const group = ev.kind === 'group-transition';
    const name = group ? ev.group : ev.instance;
    const enabled = group ? cfg.syncGroups.find((g) => g.name === name)?.smtpAlert : cfg.vrrpInstances.find((v) => v.name === name)?.smtpAlert;
    if (enabled === undefined) return { sent: false, why: 'unknown instance or group' };
    if (!enabled) return { sent: false, why: 'smtp_alert off' };
    const to = ev.to as State;
    if (to === 'FAULT' && cfg.global.noEmailFaults) return { sent: false, why: 'no_email_faults' };
    const key = `${group ? 'group' : 'instance'}:${name}`;
    if (this.#lastMailed.get(key) === to) return { sent: false, why: 'state already mailed' };
    const text = (group ? GROUP_TEXT : INSTANCE_TEXT)[to];
    if (text === undefined) return { sent: false, why: 'no mail for this state' };
    this.#lastMailed.set(key, to);
    const c = alertConfig(cfg.global);
    if (c === undefined) return { sent: false, why: 'notification_email or smtp_server not set' };
    const subject = `[${cfg.global.routerId}] VRRP ${group ? 'Group' : 'Instance'} ${name} - ${text[0]}`;
    const r = await this.#send(c, subject, text[1]);
    return r.ok ? { sent: true, subject } : { sent: false, why: 'send failed', subject, stage: r.stage, detail: r.detail };
  }
}

const shared = new VrrpAlerts();

/**
 * Mail `ev` if the configuration asks for it (see VrrpAlerts). The daemon calls this for
 * every engine event; the last state mailed is kept across reloads, by name.
 */
export function vrrpAlert(cfg: KeepalivedConfig, ev: EngineEvent): Promise<VrrpAlertOutcome> {
  return shared.alert(cfg, ev);
}
