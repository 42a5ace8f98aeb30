// virtual_server ADDR [PORT] | fwmark N | group NAME { ... } (keepalived's check_parser.c
// vs_* handlers). Messages and the lines they are reported at follow keepalived 2.2.7.
import type { KeepalivedConfig } from '../model/index.js';
import type { SourcePos } from '../diagnostics.js';
import type { Stmt } from '../lexer.js';
import type { Handler, KeywordTable, Parser } from '../parser.js';
import { skipBlock, tableBlock } from '../parser.js';
import { readScript } from '../readers.js';
import { LVS_SCHEDULERS, type LvsScheduler, type VsKey } from '../model/lvs.js';
import { portWord, stoSockaddr } from './lvs-addr.js';
import { parseForwarding } from './lvs-forwarding.js';
import type { VsDraft } from './lvs-draft.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_DELAY_LOOP_MS, DEFAULT_PERSISTENCE_MS, blockEnd, emptyFlags, vsGroupName,
} from './lvs-draft.js';
import { finishVirtualServer } from './lvs-resolve.js';
import { LIMITS, need, parseUnsigned, readFlag, readUnsigned } from './lvs-values.js';
import { invalidValue, timingKeywords } from './lvs-timing.js';
import { realServerHandler } from './real-server.js';

/** IPVS's limit on persistence_timeout (LVS_MAX_TIMEOUT, 31 days) and on a PE name. */
const MAX_PERSISTENCE_S = 2_678_400;
const PE_NAME_MAX = 15;

/** inet_aton(): `a`, `a.b`, `a.b.c` or `a.b.c.d`, the last part filling the remaining bytes. */
function ipv4Mask(text: string): number | undefined {
  if (!/^\d+(\.\d+){0,3}$/.test(text)) return undefined;
  const parts = text.split('.').map(Number);
  const lastBytes = 4 - (parts.length - 1);
  const last = parts[parts.length - 1] as number;
  if (parts.slice(0, -1).some((x) => x > 255) || last >= 2 ** (8 * lastBytes)) return undefined;
  return parts.slice(0, -1).reduce((acc, x, i) => acc + x * 2 ** (8 * (3 - i)), 0) + last;
}

/** Scheduler flags (lbflags_handler): sh-* only with sh, mh-* only with mh, as set so far. */
function schedulerFlag(vs: VsDraft): Handler {
  return (s, p) => {
    const w = s.words[0] as string;
    const f = vs.flags;
    if (w === 'ops') f.onePacket = true;
    else if (w === 'flag-1') f.flag1 = true;
    else if (w === 'flag-2') f.flag2 = true;
    else if (w === 'flag-3') f.flag3 = true;
    else if (vs.scheduler === 'sh') {
      if (w === 'sh-port') f.shPort = true;
      if (w === 'sh-fallback') f.shFallback = true;
    } else if (vs.scheduler === 'mh') {
      if (w === 'mh-port') f.mhPort = true;
      if (w === 'mh-fallback') f.mhFallback = true;
    } else {
      p.diag.error(s.pos, `${w} only applies to sh scheduler - ignoring`, w);
    }
  };
}

function persistenceGranularity(vs: VsDraft): Handler {
  return (s, p) => {
    const w = need(s, p);
    if (w === undefined) return;
    const fam = vs.family ?? (w.includes('.') ? 4 : 6);
    if (fam === 6) {
      const v = parseUnsigned(w, s, p, 1, 128);
      if (v === undefined) return p.diag.error(s.pos, `Invalid IPv6 persistence_granularity specified - ${w}`, s.words[0]);
      vs.persistenceGranularity = v;
    } else {
      const mask = ipv4Mask(w);
      if (mask === undefined) return p.diag.error(s.pos, `Invalid IPv4 persistence_granularity specified - ${w}`, s.words[0]);
      const len = Math.clz32(~mask >>> 0);
      // IPVS masks the client address; only a contiguous mask is a prefix.
      if (((0xffffffff << (32 - len)) >>> 0) !== mask && len < 32) {
        p.diag.warn(s.pos, `persistence_granularity ${w} is not a contiguous netmask - halb uses /${len}`, s.words[0]);
      }
      vs.persistenceGranularity = len;
    }
    vs.family ??= fam;
    if (vs.persistenceTimeoutMs === 0) vs.persistenceTimeoutMs = DEFAULT_PERSISTENCE_MS;
  };
}

function vsKeywords(cfg: KeepalivedConfig, vs: VsDraft): KeywordTable {
  const script = (which: 'quorumUp' | 'quorumDown', kw: string): Handler => (s, p) => {
    if (vs[which] !== undefined) {
      p.diag.error(s.pos, `(${vsGroupName(vs.key)}) ${kw} script already specified - ignoring ${s.words[1] ?? ''}`, kw);
      return;
    }
    if (need(s, p) === undefined) return;
    const v = readScript(s, p);
    if (v !== undefined) vs[which] = v;
  };
  const sched: Handler = (s, p) => {
    const w = need(s, p);
    if (w === undefined) return;
    const found = LVS_SCHEDULERS.find((x) => x === w);
    if (found === undefined) p.diag.error(s.pos, `Invalid lvs_scheduler '${w}' - ignoring`, s.words[0]);
    else vs.scheduler = found as LvsScheduler;
  };
  const forwarding: Handler = (s, p) => {
    const f = parseForwarding(s, p, vs.forwarding, 'virtual');
    if (f !== undefined) vs.forwarding = f;
  };
  const flag = schedulerFlag(vs);
  return {
    ip_family: (s, p) => {
      const w = need(s, p);
      if (w === undefined) return;
      const fam = w === 'inet' ? 4 : w === 'inet6' ? 6 : undefined;
      if (fam === undefined) return p.diag.error(s.pos, `unknown address family ${w}`, 'ip_family');
      if (vs.family !== undefined && vs.family !== fam) {
        return p.diag.error(s.pos, `Virtual server specified family ${w} conflicts with server family`, 'ip_family');
      }
      vs.family = fam;
    },
    ...timingKeywords(vs, 'virtual server'),
    // keepalived ignores any argument of these four keywords.
    inhibit_on_failure: () => { vs.inhibitOnFailure = true; },
    ha_suspend: () => { vs.haSuspend = true; },
    alpha: () => { vs.alpha = true; },
    omega: () => { vs.omega = true; },
    lb_algo: sched,
    lvs_sched: sched,
    hashed: flag,
    ops: flag,
    'flag-1': flag,
    'flag-2': flag,
    'flag-3': flag,
    'sh-port': flag,
    'sh-fallback': flag,
    'mh-port': flag,
    'mh-fallback': flag,
    lb_kind: forwarding,
    lvs_method: forwarding,
    persistence_engine: (s, p) => {
      const w = need(s, p);
      if (w === undefined) return;
      if (w.length > PE_NAME_MAX) p.diag.error(s.pos, `persistence_name too long, truncating - ${w}`, s.words[0]);
      vs.persistenceEngine = w.slice(0, PE_NAME_MAX);
    },
    persistence_timeout: (s, p) => {
      if (s.words.length < 2) {
        vs.persistenceTimeoutMs = DEFAULT_PERSISTENCE_MS;
        return;
      }
      const v = readUnsigned(s, p, 1, 1, MAX_PERSISTENCE_S);
      if (v === undefined) p.diag.error(s.pos, 'persistence_timeout invalid', s.words[0]);
      else vs.persistenceTimeoutMs = v * 1000;
    },
    persistence_granularity: persistenceGranularity(vs),
    protocol: (s, p) => {
      const w = need(s, p);
      if (w === undefined) return;
      const u = w.toUpperCase();
      if (u === 'TCP' || u === 'UDP' || u === 'SCTP') vs.protocol = u;
      else p.diag.error(s.pos, `Unknown protocol ${w} - ignoring`, 'protocol');
    },
    smtp_alert: (s, p) => {
      const v = readFlag(s, p, (w) => `Invalid virtual_server smtp_alert parameter ${w}`);
      if (v !== undefined) vs.smtpAlert = v;
    },
    virtualhost: (s, p) => {
      if (s.words[1] === undefined) p.diag.error(s.pos, 'virtual server virtualhost missing', s.words[0]);
      else vs.virtualhost = s.words[1];
    },
    snmp_name: (s, p) => {
      if (s.words.length !== 2) p.diag.error(s.pos, 'virtual server snmp_name missing or extra parameters', s.words[0]);
      else vs.snmpName = s.words[1];
    },
    quorum_up: script('quorumUp', 'quorum_up'),
    quorum_down: script('quorumDown', 'quorum_down'),
    quorum: (s, p) => {
      const v = readUnsigned(s, p, 1, 1, LIMITS.UINT_MAX);
      if (v !== undefined) vs.quorum = v;
      else if (s.words[1] !== undefined) {
        p.diag.error(s.pos, `Quorum ${s.words[1]} must be in [1, ${LIMITS.UINT_MAX}]. Setting to 1.`, 'quorum');
        vs.quorum = 1;
      }
    },
    hysteresis: (s, p) => {
      const v = readUnsigned(s, p, 1, 0, LIMITS.UINT_MAX);
      if (v === undefined) invalidValue(s, p, `Hysteresis ${s.words[1]} must be in [0, ${LIMITS.UINT_MAX}] - ignoring`);
      else vs.hysteresis = v;
    },
    weight: (s, p) => {
      const v = readUnsigned(s, p, 1, 1, LIMITS.INT_MAX);
      if (v === undefined) invalidValue(s, p, `Virtual server weight ${s.words[1]} is outside range 1-${LIMITS.INT_MAX}`);
      else vs.weight = v;
    },
    sorry_server: (s, p) => {
      const ip = need(s, p);
      if (ip === undefined) return;
      const a = stoSockaddr(ip, portWord(s.words[2]), s, p);
      if (a === undefined) return p.diag.error(s.pos, `Invalid sorry server IP address ${ip} - skipping`, 'sorry_server');
      vs.sorry = {
        pos: s.pos, addr: a.addr, family: a.family, port: a.port, inhibitOnFailure: false,
        ...(vs.forwarding !== undefined ? { forwarding: vs.forwarding } : {}),
      };
    },
    sorry_server_inhibit: (s, p) => {
      if (vs.sorry !== undefined) vs.sorry.inhibitOnFailure = true;
      else p.diag.error(s.pos, 'Ignoring sorry_server inhibit used before or without sorry_server', s.words[0]);
    },
    sorry_server_lvs_method: (s, p) => {
      if (vs.sorry === undefined) return p.diag.error(s.pos, 'sorry_server forwarding used without sorry_server', s.words[0]);
      const f = parseForwarding(s, p, vs.sorry.forwarding, 'sorry');
      if (f !== undefined) vs.sorry.forwarding = f;
    },
    real_server: realServerHandler(cfg, vs),
  };
}

/** The key of `virtual_server ...`, or undefined (reported) when the block is to be skipped. */
function vsKey(s: Stmt, p: Parser): VsKey | undefined {
  const first = need(s, p);
  if (first === undefined) return undefined;
  if (first === 'group') {
    const name = need(s, p, 2);
    return name === undefined ? undefined : { kind: 'group', group: name };
  }
  if (first === 'fwmark') {
    const w = need(s, p, 2);
    if (w === undefined) return undefined;
    const mark = parseUnsigned(w, s, p, 0, LIMITS.UINT_MAX);
    if (mark === undefined) {
      p.diag.error(s.pos, `virtual server fwmark '${w}' must be in [0, ${LIMITS.UINT_MAX}] - ignoring`, 'virtual_server');
      return undefined;
    }
    return { kind: 'fwmark', fwmark: mark };
  }
  const port = portWord(s.words[2]);
  const a = stoSockaddr(first, port, s, p);
  if (a === undefined) {
    const what = port !== undefined ? `/port ${first}/${port}` : ` ${first}`;
    p.diag.error(s.pos, `Invalid virtual server IP address${what} - skipping`, 'virtual_server');
    return undefined;
  }
  return { kind: 'addr', addr: a.addr, family: a.family, port: a.port };
}

export function virtualServerHandler(cfg: KeepalivedConfig): Handler {
  return (s, p) => {
    const key = vsKey(s, p);
    if (key === undefined) return skipBlock;
    const vs: VsDraft = {
      pos: s.pos,
      key,
      ...(key.kind === 'addr' ? { family: key.family } : {}),
      flags: emptyFlags(),
      persistenceTimeoutMs: 0,
      haSuspend: false,
      alpha: false,
      omega: false,
      quorum: 1,
      hysteresis: 0,
      weight: 1,
      inhibitOnFailure: false,
      delayLoopMs: DEFAULT_DELAY_LOOP_MS,
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
      realServers: [],
      lastPos: s.pos,
    };
    const table = vsKeywords(cfg, vs);
    return tableBlock(table, (closePos?: SourcePos) => {
      cfg.virtualServers.push(finishVirtualServer(vs, cfg, p.diag, blockEnd(closePos, vs.lastPos)));
    });
  };
}
