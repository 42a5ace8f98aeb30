// real_server ADDR [PORT] { ... } inside a virtual_server (keepalived's check_parser.c
// rs_* handlers). Values left unset are inherited when the virtual server closes.
import type { KeepalivedConfig } from '../model/index.js';
import type { SourcePos } from '../diagnostics.js';
import type { Handler, KeywordTable } from '../parser.js';
import { skipBlock, tableBlock } from '../parser.js';
import { readScript } from '../readers.js';
import { checkerKeywords } from './checkers/index.js';
import { portWord, stoSockaddr } from './lvs-addr.js';
import { parseForwarding } from './lvs-forwarding.js';
import type { RsDraft, VsDraft } from './lvs-draft.js';
import { blockEnd, vsGroupName } from './lvs-draft.js';
import { invalidValue, timingKeywords } from './lvs-timing.js';
import { LIMITS, readFlag, readUnsigned, need } from './lvs-values.js';

function rsKeywords(cfg: KeepalivedConfig, vs: VsDraft, rs: RsDraft): KeywordTable {
  const script = (which: 'notifyUp' | 'notifyDown', kw: string): Handler => (s, p) => {
    if (rs[which] !== undefined) {
      p.diag.error(s.pos, `(${vsGroupName(vs.key)}) ${kw} script already specified - ignoring ${s.words[1] ?? ''}`, kw);
      return;
    }
    if (need(s, p) === undefined) return;
    const v = readScript(s, p);
    if (v !== undefined) rs[which] = v;
  };
  const flag = (set: (v: boolean) => void, message: (w: string) => string): Handler => (s, p) => {
    const v = readFlag(s, p, message);
    if (v !== undefined) set(v);
  };
  return {
    weight: (s, p) => {
      const v = readUnsigned(s, p, 1, 0, LIMITS.INT_MAX);
      if (v === undefined) invalidValue(s, p, `Real server weight ${s.words[1]} is outside range 0-${LIMITS.INT_MAX}`);
      else rs.weight = v;
    },
    lvs_method: (s, p) => {
      const f = parseForwarding(s, p, rs.forwarding, 'real');
      if (f !== undefined) rs.forwarding = f;
    },
    uthreshold: (s, p) => {
      const v = readUnsigned(s, p, 1, 0, LIMITS.UINT_MAX);
      if (v === undefined) invalidValue(s, p, `Invalid real_server uthreshold '${s.words[1]}' - ignoring`);
      else rs.upperThreshold = v;
    },
    lthreshold: (s, p) => {
      const v = readUnsigned(s, p, 1, 0, LIMITS.UINT_MAX);
      if (v === undefined) invalidValue(s, p, `Invalid real_server lthreshold '${s.words[1]}' - ignoring`);
      else rs.lowerThreshold = v;
    },
    inhibit_on_failure: flag((v) => { rs.inhibitOnFailure = v; }, (w) => `Invalid inhibit_on_failure parameter ${w}`),
    notify_up: script('notifyUp', 'notify_up'),
    notify_down: script('notifyDown', 'notify_down'),
    alpha: flag((v) => { rs.alpha = v; }, (w) => `Invalid alpha parameter ${w}`),
    ...timingKeywords(rs, 'real server'),
    smtp_alert: flag((v) => { rs.smtpAlert = v; }, (w) => `Invalid real_server smtp_alert parameter ${w}`),
    virtualhost: (s, p) => {
      if (s.words[1] === undefined) p.diag.error(s.pos, 'real server virtualhost missing', s.words[0]);
      else rs.virtualhost = s.words[1];
    },
    snmp_name: (s, p) => {
      if (s.words.length !== 2) p.diag.error(s.pos, 'real server snmp_name missing or extra parameters', s.words[0]);
      else rs.snmpName = s.words[1];
    },
    ...checkerKeywords({ cfg, vs, rs }),
  };
}

/** `real_server ADDR [PORT] {`: an invalid address skips the whole block, as keepalived does. */
export function realServerHandler(cfg: KeepalivedConfig, vs: VsDraft): Handler {
  return (s, p) => {
    const ip = need(s, p);
    if (ip === undefined) return skipBlock;
    const a = stoSockaddr(ip, portWord(s.words[2]), s, p);
    if (a === undefined) {
      p.diag.error(s.pos, `Invalid real server ip address/port ${ip}/${s.words[2] ?? '(null)'} - skipping`, 'real_server');
      return skipBlock;
    }
    const rs: RsDraft = {
      pos: s.pos, addr: a.addr, family: a.family, port: a.port, upperThreshold: 0, lowerThreshold: 0,
      checkers: [], bfds: new Set(),
      // A real server starts with the virtual server's forwarding as it is now.
      ...(vs.forwarding !== undefined ? { forwarding: vs.forwarding } : {}),
    };
    const last = s.pos;
    return tableBlock(rsKeywords(cfg, vs, rs), (closePos?: SourcePos) => {
      // rs_end_handler(): unless tunnelled, a real server must match the service's family.
      if (rs.forwarding?.method !== 'TUN') {
        if (vs.family === undefined) vs.family = rs.family;
        else if (vs.family !== rs.family) {
          p.diag.error(blockEnd(closePos, last), `Address family of virtual server and real server ${rs.addr} don't match - skipping real server.`);
          return;
        }
      }
      vs.realServers.push(rs);
    });
  };
}
