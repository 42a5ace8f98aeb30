// notify_* / smtp_alert / notify_priority_changes, shared by vrrp_instance and
// vrrp_sync_group (keepalived/vrrp/vrrp_parser.c): a second script of the same kind is
// reported and ignored. Scripts use keepalived's shell-like tokenizer (readScript).
import type { Stmt } from '../lexer.js';
import type { NotifySet } from '../model/vrrp.js';
import type { Parser } from '../parser.js';
import { optBool, scriptValue } from './kw-util.js';

type Handler = (s: Stmt, p: Parser) => void;

export interface NotifyTarget {
  readonly kind: 'instance' | 'group';
  name(): string;
  readonly notify: NotifySet;
  setSmtpAlert(v: boolean): void;
  setNotifyPriorityChanges(v: boolean): void;
}

export function notifyKeywords(t: NotifyTarget): Record<string, Handler> {
  const already = (s: Stmt, what: string): string => t.kind === 'instance'
    ? `(${t.name()}) ${what} already specified - ignoring ${s.words[1] ?? ''}`
    : `vrrp group ${t.name()}: ${what} already specified - ignoring ${s.words[1] ?? ''}`;
  const script = (field: 'master' | 'backup' | 'fault' | 'stop' | 'generic' | 'masterRxLowerPri', what: string): Handler => (s, p) => {
    if (t.notify[field] !== undefined) {
      p.diag.error(s.pos, already(s, what), s.words[0]);
      return;
    }
    const v = scriptValue(s, p);
    if (v !== undefined) t.notify[field] = v;
  };
  const table: Record<string, Handler> = {
    notify_master: script('master', 'notify_master script'),
    notify_backup: script('backup', 'notify_backup script'),
    notify_fault: script('fault', 'notify_fault script'),
    notify_stop: script('stop', 'notify_stop script'),
    notify: script('generic', 'notify script'),
    smtp_alert: (s, p) => {
      const v = optBool(s, p, (w) => `Invalid ${t.kind === 'instance' ? 'vrrp_instance' : 'vrrp_group'} smtp_alert parameter ${w}`);
      if (v !== undefined) t.setSmtpAlert(v);
    },
    notify_priority_changes: (s, p) => {
      const v = optBool(s, p, (w) => t.kind === 'instance'
        ? `(${t.name()}) Invalid value '${w}' for notify_priority_changes specified`
        : `(${t.name()}) Invalid value '${w}' for sync group notify_priority_changes specified`);
      if (v !== undefined) t.setNotifyPriorityChanges(v);
    },
  };
  if (t.kind === 'instance') {
    table['notify_master_rx_lower_pri'] = script('masterRxLowerPri', 'notify_master_rx_lower_pri script');
    table['notify_deleted'] = (s, p) => {
      if (t.notify.reportDeleted) {
        p.diag.error(s.pos, already(s, 'notify_deleted'), s.words[0]);
        return;
      }
      if (s.words.length > 1) {
        const v = scriptValue(s, p);
        if (v !== undefined) t.notify.deleted = v;
      }
      t.notify.reportDeleted = true;
    };
  }
  return table;
}

export function emptyNotify(): NotifySet {
  return { reportDeleted: false };
}
