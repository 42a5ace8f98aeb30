// One line of static_rules / virtual_rules, read as keepalived's alloc_rule()
// (keepalived/vrrp/vrrp_iprule.c): `ip rule` syntax; a rule without a preference gets
// 16384, 16383, ... per family, with keepalived's warning.
import type { Stmt } from '../lexer.js';
import type { IpFamily, IpRule, RuleAction } from '../model/ip.js';
import type { Parser } from '../parser.js';
import { parseAddr } from './ip-address.js';
import { resolveDsfield, resolveTable, RTPROT_KEEPALIVED } from './rt-names.js';

/** Next automatic preference per family, shared by every rule of one configuration. */
export interface RulePriorities {
  next4: number;
  next6: number;
}
export const RULE_START_PRIORITY = 16384;

export interface RuleContext {
  readonly allowTrackGroup: boolean;
  readonly trackGroups: readonly string[];
  readonly priorities: RulePriorities;
}

function range(text: string | undefined, max: number): { start: number; end: number } | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text ?? '');
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  return start <= max && end <= max ? { start, end } : undefined;
}

/** Parse one rule line; undefined when keepalived would drop it. */
export function parseRuleLine(s: Stmt, p: Parser, ctx: RuleContext): IpRule | undefined {
  const w = s.words;
  const err = (m: string): undefined => {
    p.diag.error(s.pos, m, w[0]);
    return undefined;
  };
  let family: IpFamily | undefined;
  let action: RuleAction | undefined;
  let priority: number | undefined;
  let tableOption = false;
  let protocolGiven: number | undefined;
  const r: Omit<IpRule, 'family' | 'priority' | 'action'> = { pos: s.pos, invert: false, l3mdev: false, noTrack: false };
  const setAction = (a: RuleAction, msg = 'Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable/l3mdev for rule'): boolean => {
    if (action !== undefined) {
      err(msg);
      return false;
    }
    action = a;
    return true;
  };
  for (let i = 0; i < w.length; i++) {
    const k = w[i] as string;
    const v = w[i + 1];
    if (k === 'inet' || k === 'inet6') {
      const f: IpFamily = k === 'inet6' ? 6 : 4;
      family ??= f;
      if (family !== f) return err(`${k} specified for IPv${f === 6 ? 4 : 6} rule`);
    } else if (k === 'from' || k === 'to') {
      i++;
      let text: string;
      if (v === 'default' || v === 'any' || v === 'all') text = 'default';
      else {
        const a = v === undefined ? undefined : parseAddr(v, s, p, true);
        if (a === undefined) return err(`Invalid rule ${k} address ${v ?? ''}`);
        family ??= a.family;
        if (a.family !== family) return err('rule specification has mixed IPv4 and IPv6');
        text = `${a.address}/${a.prefixLength}`;
      }
      if (k === 'from') r.from = text;
      else r.to = text;
    } else if (k === 'table' || k === 'lookup') {
      i++;
      const t = v === undefined ? undefined : resolveTable(v);
      if (t === undefined) return err(`Routing table ${v ?? ''} not found for rule`);
      if (t === 0) return err('Table 0 is not valid');
      r.table = t;
      if (!setAction('table', 'Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable for rule')) return undefined;
    } else if (k === 'not') r.invert = true;
    else if (k === 'preference' || k === 'order' || k === 'priority') {
      i++;
      if (v === undefined || !/^(0x[0-9a-fA-F]+|\d+)$/.test(v) || Number(v) > 4294967295) return err(`Invalid rule preference ${k} specified`);
      priority = Number(v);
    } else if (k === 'tos' || k === 'dsfield') {
      i++;
      const t = v === undefined ? undefined : resolveDsfield(v);
      if (t === undefined) return err(`TOS value ${v ?? ''} is invalid`);
      r.tos = t;
    } else if (k === 'fwmark') {
      i++;
      const m = /^(0x[0-9a-fA-F]+|\d+)(?:\/(0x[0-9a-fA-F]+|\d+))?$/.exec(v ?? '');
      if (!m || Number(m[1]) > 4294967295 || (m[2] !== undefined && Number(m[2]) > 4294967295)) return err(`Invalid rule fwmark ${v ?? ''} specified`);
      r.fwmark = Number(m[1]);
      if (m[2] !== undefined) r.fwmask = Number(m[2]);
    } else if (k === 'realms') {
      i++;
      if (v === undefined || !/^[\w/]+$/.test(v)) return err(`invalid realms ${v ?? ''} for rule`);
      r.realms = v;
      tableOption = true;
      family ??= 4;
      if (family !== 4) return err('realms is only valid for IPv4');
    } else if (k === 'suppress_prefixlength' || k === 'sup_pl') {
      i++;
      if (v === undefined || !/^\d+$/.test(v) || Number(v) > 2147483647) return err(`Invalid suppress_prefixlength ${k} specified`);
      r.suppressPrefixLength = Number(v);
      tableOption = true;
    } else if (k === 'suppress_ifgroup' || k === 'sup_group') {
      i++;
      if (v === undefined) return err('suppress_group  is invalid');
      r.suppressIfGroup = v;
      tableOption = true;
    } else if (k === 'dev' || k === 'iif' || k === 'oif') {
      i++;
      if (v === undefined) return err(`Unknown rule option ${k}`);
      if (k === 'oif') r.oif = v;
      else r.iif = v;
    } else if (k === 'tunnel-id') {
      i++;
      if (v === undefined || !/^\d+$/.test(v)) return err(`Invalid tunnel-id ${k} specified`);
      r.tunnelId = v;
    } else if (k === 'uidrange') {
      i++;
      const u = /^(\d+)-(\d+)$/.exec(v ?? '');
      if (!u) return err(`Invalid uidrange ${k} specified`);
      r.uidRange = { start: Number(u[1]), end: Number(u[2]) };
    } else if (k === 'l3mdev') {
      r.l3mdev = true;
      if (!setAction('table', 'Cannot specify l3mdev with other action')) return undefined;
    } else if (k === 'protocol') {
      i++;
      if (v === undefined || !/^\d+$/.test(v) || Number(v) > 255) err(`Invalid protocol ${v ?? ''}`);
      else protocolGiven = Number(v);
    } else if (k === 'ipproto') {
      i++;
      if (v === undefined || !/^(\d+|[a-z][\w-]*)$/.test(v) || Number(v) > 255) err(`Invalid ipproto ${v ?? ''}`);
      else r.ipProto = v;
    } else if (k === 'sport' || k === 'dport') {
      i++;
      const pr = range(v, 65535);
      if (pr === undefined) err(`invalid ${k} range ${v ?? ''}`);
      else if (k === 'sport') r.sport = pr;
      else r.dport = pr;
    } else if (k === 'no_track') r.noTrack = true;
    else if (ctx.allowTrackGroup && k === 'track_group') {
      i++;
      if (r.trackGroup !== undefined) {
        err(`track_group ${v ?? ''} is a duplicate`);
        break;
      }
      if (v !== undefined && ctx.trackGroups.includes(v)) r.trackGroup = v;
      else err(`track_group ${v ?? ''} not found`);
    } else {
      const name = k === 'type' ? w[++i] ?? '' : k;
      let a: RuleAction;
      if (name === 'goto') {
        const t = w[++i];
        if (t === undefined || !/^\d+$/.test(t) || Number(t) > 4294967295) return err(`Invalid target ${name} specified`);
        r.gotoTarget = Number(t);
        a = 'goto';
      } else if (name === 'nop') a = 'nop';
      else if (name === 'blackhole' || name === 'unreachable' || name === 'prohibit') a = name;
      else if (['unicast', 'local', 'broadcast', 'anycast', 'multicast', 'throw', 'nat'].includes(name)) return err(`Invalid rule action ${name}`);
      else return err(`Unknown rule option ${name}`);
      if (!setAction(a)) return undefined;
    }
  }
  if (action === 'goto') {
    if (priority === undefined) return err(`Invalid rule - goto target ${r.gotoTarget ?? 0} specified without preference`);
    if (priority >= (r.gotoTarget ?? 0)) return err(`Invalid rule - preference ${priority} >= goto target ${r.gotoTarget ?? 0}`);
  }
  if (action === undefined) return err('No action specified for rule - ignoring');
  if (action !== 'table' && tableOption) return err('suppressor/realm specified for non table action - skipping');
  if (r.table !== undefined && r.l3mdev) return err('table cannot be specified for l3mdev rules');
  if (!r.noTrack) {
    if (protocolGiven !== undefined && protocolGiven !== RTPROT_KEEPALIVED) {
      err(`Rule cannot be tracked if protocol is not RTPROT_KEEPALIVED(${RTPROT_KEEPALIVED}), resetting protocol`);
    }
    r.protocol = RTPROT_KEEPALIVED;
  } else if (protocolGiven !== undefined) r.protocol = protocolGiven;
  if (r.trackGroup !== undefined && r.iif === undefined) {
    err('Static rule cannot have track_group if dev/iif not specified');
    delete r.trackGroup;
  }
  const fam: IpFamily = family ?? 4;
  if (priority === undefined) {
    priority = fam === 4 ? ctx.priorities.next4-- : ctx.priorities.next6--;
    err(`Rule has no preference specified - setting to ${priority}. This is probably not what you want.`);
  }
  return { ...r, family: fam, priority, action };
}
