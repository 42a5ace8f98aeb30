// vrrp_sync_group and garp_group blocks (keepalived/vrrp/vrrp_parser.c). Members are
// checked against the instances once the whole file is read (validate-vrrp.ts), as
// keepalived's vrrp_complete_init() does.
import type { Stmt } from '../lexer.js';
import type { KeepalivedConfig } from '../model/index.js';
import type { GarpGroup } from '../model/trackers.js';
import { emptyTrackSet } from '../model/trackers.js';
import type { SyncGroup } from '../model/vrrp.js';
import type { KeywordTable, Parser } from '../parser.js';
import { skipBlock, tableBlock } from '../parser.js';
import { readDecimalFixed } from '../readers.js';
import { endPos, groupListKeyword, needArg, secondsToMs, wordsBlock } from './kw-util.js';
import { emptyNotify, notifyKeywords } from './notify.js';
import { garpInterfacePos, groupPending } from './pending.js';
import { trackKeywords } from './track-refs.js';

function syncGroupKeyword(cfg: KeepalivedConfig): KeywordTable {
  return {
    vrrp_sync_group: (s, p) => {
      if (s.words.length !== 2) {
        p.diag.error(s.pos, 'vrrp_sync_group must have a name - skipping', s.words[0]);
        return skipBlock;
      }
      const name = s.words[1] as string;
      if (cfg.syncGroups.some((g) => g.name === name)) {
        p.diag.error(s.pos, `vrrp sync group ${name} already defined`, s.words[0]);
        return skipBlock;
      }
      const g: SyncGroup = {
        name, pos: s.pos, members: [], track: emptyTrackSet(), notify: emptyNotify(),
        smtpAlert: false, notifyPriorityChanges: false, trackingWeight: false,
      };
      const pend = groupPending(g);
      cfg.syncGroups.push(g);
      return tableBlock({
        group: groupListKeyword(name, 'sync', g.members),
        ...trackKeywords(cfg, () => name, g.track),
        ...notifyKeywords({
          kind: 'group', name: () => name, notify: g.notify,
          setSmtpAlert: (v) => { pend.smtpAlert = v; },
          setNotifyPriorityChanges: (v) => { pend.notifyPriorityChanges = v; },
        }),
        global_tracking: (gs, gp) => {
          gp.diag.error(gs.pos, `(${name}) global_tracking is deprecated. Use track_interface/script/file on the sync group`, gs.words[0]);
          g.trackingWeight = true;
        },
        sync_group_tracking_weight: () => { g.trackingWeight = true; },
      });
    },
  };
}

function garpGroupKeyword(cfg: KeepalivedConfig): KeywordTable {
  return {
    garp_group: (s, p) => {
      const gg: GarpGroup = { pos: s.pos, interfaces: [], aggregate: false };
      const claimed = (ifname: string): boolean => cfg.garpGroups.some((o) => o.interfaces.includes(ifname)) || gg.interfaces.includes(ifname);
      const interval = (field: 'garpIntervalMs' | 'gnaIntervalMs', what: string) => (ks: Stmt, kp: Parser): void => {
        if (!needArg(ks, kp)) return;
        const v = readDecimalFixed(ks, kp, 1, 0, 2147483647);
        if (v === undefined) {
          kp.diag.error(ks.pos, `garp_group ${what} '${ks.words[1]}' invalid`, ks.words[0]);
          return;
        }
        gg[field] = secondsToMs(v);
        // keepalived only logs this, so it is advice rather than an error.
        if (v >= 1) kp.diag.warn(ks.pos, `The ${what} is very large - ${ks.words[1]} seconds`, ks.words[0]);
      };
      return tableBlock({
        garp_interval: interval('garpIntervalMs', 'garp_interval'),
        gna_interval: interval('gnaIntervalMs', 'gna_interval'),
        interface: (ks, kp) => {
          if (!needArg(ks, kp)) return;
          const ifname = ks.words[1] as string;
          if (claimed(ifname)) kp.diag.error(ks.pos, `garp_group already specified for ${ifname} - ignoring`, ks.words[0]);
          else {
            gg.interfaces.push(ifname);
            garpInterfacePos(gg).set(ifname, ks.pos);
          }
        },
        interfaces: (ks, kp) => {
          const before = gg.interfaces.length;
          gg.aggregate = true;
          return wordsBlock((words, ls) => {
            for (const ifname of words) {
              if (claimed(ifname)) kp.diag.error(ls.pos, `garp_group already specified for ${ifname} - ignoring`, ifname);
              else {
                gg.interfaces.push(ifname);
                garpInterfacePos(gg).set(ifname, ls.pos);
              }
            }
          }, (closePos) => {
            if (gg.interfaces.length === before) kp.diag.error(endPos(closePos, ks.pos), 'Warning - empty garp_group interfaces block', ks.words[0]);
          });
        },
      }, (closePos) => {
        if (gg.garpIntervalMs === undefined && gg.gnaIntervalMs === undefined) {
          const number = gg.aggregate ? cfg.garpGroups.filter((o) => o.aggregate).length + 1 : 0;
          p.diag.error(endPos(closePos, s.pos), `garp group ${number} does not have any delay set - removing`, s.words[0]);
          return;
        }
        cfg.garpGroups.push(gg);
      });
    },
  };
}

export function groupKeywords(cfg: KeepalivedConfig): KeywordTable {
  return { ...syncGroupKeyword(cfg), ...garpGroupKeyword(cfg) };
}
