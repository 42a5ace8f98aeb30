// halb's `halb_bgp { }` block: which VIPs this director announces over BGP, to whom, and
// through which daemon (docs/bgp.md). keepalived 2.2.7 has no such block: it logs
// "Unknown keyword" for it and each of its lines and runs without it (`keepalived -t`
// then exits 5), so none of the words below is one of keepalived's top-level keywords.
import { isIP } from 'node:net';
import type { KeepalivedConfig } from '../model/index.js';
import { emptyBgpConfig, type BgpConfig, type BgpNeighbor } from '../model/bgp.js';
import type { Stmt } from '../lexer.js';
import type { KeywordTable, Parser } from '../parser.js';
import { skipBlock, tableBlock } from '../parser.js';
import { normaliseAddr, readBool, readInt, readWord } from '../readers.js';

const AS_MAX = 4294967295;

function addrAt(s: Stmt, p: Parser, i: number, what: string): { addr: string; family: 4 | 6 } | undefined {
  const w = s.words[i];
  const fam = w === undefined ? 0 : isIP(w);
  if (w === undefined || (fam !== 4 && fam !== 6)) {
    p.diag.error(s.pos, `${s.words[0]}: expected ${what} (an IPv4 or IPv6 address), got '${w ?? ''}'`, s.words[0]);
    return undefined;
  }
  return { addr: normaliseAddr(w, fam), family: fam };
}

/** `neighbor ADDR as N [port P] [source ADDR] [bfd] [password W] [multihop TTL]` on one line. */
function neighborLine(b: BgpConfig, s: Stmt, p: Parser): void {
  const a = addrAt(s, p, 1, 'the neighbour address');
  if (a === undefined) return;
  const n: { -readonly [K in keyof BgpNeighbor]: BgpNeighbor[K] } = { pos: s.pos, address: a.addr, family: a.family, remoteAs: 0, port: 179, bfd: false };
  let asGiven = false;
  for (let i = 2; i < s.words.length; i++) {
    const k = s.words[i] as string;
    const need = (): boolean => {
      if (s.words[i + 1] !== undefined) return true;
      p.diag.error(s.pos, `neighbor ${a.addr}: '${k}' needs a value`, 'neighbor');
      return false;
    };
    switch (k) {
      case 'as': {
        if (!need()) return;
        const v = readInt(s, p, ++i, 1, AS_MAX);
        if (v === undefined) return;
        n.remoteAs = v;
        asGiven = true;
        break;
      }
      case 'port': {
        if (!need()) return;
        const v = readInt(s, p, ++i, 1, 65535);
        if (v === undefined) return;
        n.port = v;
        break;
      }
      case 'source': {
        if (!need()) return;
        const src = addrAt(s, p, ++i, 'the source address');
        if (src === undefined) return;
        n.source = src.addr;
        break;
      }
      case 'multihop': {
        if (!need()) return;
        const v = readInt(s, p, ++i, 1, 255);
        if (v === undefined) return;
        n.multihop = v;
        break;
      }
      case 'password': {
        if (!need()) return;
        const w = s.words[++i] as string;
        // BIRD's config quoting: a double quote or backslash inside would end or escape it.
        if (/["\\\n]/.test(w)) {
          p.diag.error(s.pos, `neighbor ${a.addr}: password must not contain '"' or '\\'`, 'neighbor');
          return;
        }
        n.password = w;
        break;
      }
      case 'bfd':
        n.bfd = true;
        break;
      default:
        p.diag.error(s.pos, `neighbor ${a.addr}: unknown option '${k}' (expected as, port, source, bfd, password, multihop)`, 'neighbor');
        return;
    }
  }
  if (!asGiven) {
    p.diag.error(s.pos, `neighbor ${a.addr}: missing 'as <remote AS>'`, 'neighbor');
    return;
  }
  if (b.neighbors.some((x) => x.address === n.address)) {
    p.diag.error(s.pos, `neighbor ${a.addr} given twice - ignoring`, 'neighbor');
    return;
  }
  b.neighbors.push(n);
}

function bgpTable(b: BgpConfig): KeywordTable {
  const seconds = (set: (v: number) => void, min: number, max: number): KeywordTable[string] => (s, p) => {
    const v = readInt(s, p, 1, min, max);
    if (v !== undefined) set(v);
  };
  return {
    daemon: (s, p) => {
      const w = readWord(s, p, 1, "'bird' or 'attach'");
      if (w === 'bird' || w === 'attach') b.daemon = w;
      else if (w !== undefined) p.diag.error(s.pos, `daemon '${w}': expected bird (halb starts BIRD 2) or attach (a BIRD already running)`, 'daemon');
    },
    bird_path: (s, p) => { const w = readWord(s, p, 1, 'a program path'); if (w !== undefined) b.birdPath = w; },
    birdc_path: (s, p) => { const w = readWord(s, p, 1, 'a program path'); if (w !== undefined) b.birdcPath = w; },
    control_socket: (s, p) => { const w = readWord(s, p, 1, 'a socket path'); if (w !== undefined) b.controlSocket = w; },
    include_file: (s, p) => { const w = readWord(s, p, 1, 'a file path'); if (w !== undefined) b.includeFile = w; },
    local_as: seconds((v) => { b.localAs = v; }, 1, AS_MAX),
    router_id: (s, p) => {
      const w = s.words[1];
      if (w === undefined || isIP(w) !== 4) p.diag.error(s.pos, `router_id: expected an IPv4 address (BGP identifier), got '${w ?? ''}'`, 'router_id');
      else b.routerId = normaliseAddr(w, 4);
    },
    // RFC 4271 §4.2: a hold time is 0 or at least 3 s.
    hold_time: (s, p) => {
      const v = readInt(s, p, 1, 0, 65535);
      if (v === undefined) return;
      if (v > 0 && v < 3) p.diag.error(s.pos, `hold_time ${v}: must be 0 or at least 3 seconds (RFC 4271)`, 'hold_time');
      else b.holdTimeS = v;
    },
    keepalive_time: seconds((v) => { b.keepaliveS = v; }, 1, 65535),
    connect_retry_time: seconds((v) => { b.connectRetryS = v; }, 1, 65535),
    bfd: (s, p) => { const v = readBool(s, p); if (v !== undefined) b.bfd = v; },
    bfd_interval: seconds((v) => { b.bfdIntervalMs = v; }, 10, 60000),
    bfd_multiplier: seconds((v) => { b.bfdMultiplier = v; }, 1, 255),
    neighbor: (s, p) => neighborLine(b, s, p),
    announce: (s, p) => {
      const a = addrAt(s, p, 1, 'a VIP');
      if (a === undefined) return;
      const req = s.words[2] ?? 'all';
      if (req !== 'all' && req !== 'any') {
        p.diag.error(s.pos, `announce ${a.addr}: expected 'all' or 'any' after the address, got '${req}'`, 'announce');
        return;
      }
      if (b.announces.some((x) => x.address === a.addr)) {
        p.diag.error(s.pos, `announce ${a.addr} given twice - ignoring`, 'announce');
        return;
      }
      b.announces.push({ pos: s.pos, address: a.addr, family: a.family, require: req });
    },
  };
}

/** Checks that need the whole block, at its closing brace. */
function endChecks(b: BgpConfig, p: Parser): boolean {
  let ok = true;
  const bad = (msg: string): void => { p.diag.error(b.pos, `halb_bgp: ${msg}`, 'halb_bgp'); ok = false; };
  if (b.localAs === undefined) bad('local_as is required');
  if (b.routerId === undefined) bad('router_id is required (an IPv4 address)');
  if (b.daemon === 'bird' && b.neighbors.length === 0) bad('no neighbor: give at least one `neighbor ADDR as N`');
  if (b.announces.length === 0) bad('nothing to announce: give at least one `announce VIP`');
  if (b.daemon === 'attach' && (b.controlSocket === undefined || b.includeFile === undefined)) {
    bad('daemon attach needs control_socket (the running BIRD\'s) and include_file (included by its bird.conf)');
  }
  return ok;
}

export function halbBgpKeywords(cfg: KeepalivedConfig): KeywordTable {
  return {
    halb_bgp: (s, p) => {
      if (cfg.bgp !== undefined) {
        p.diag.error(s.pos, 'halb_bgp given twice - ignoring the second block', 'halb_bgp');
        return skipBlock;
      }
      const b = emptyBgpConfig(s.pos);
      // Only a block that passes its own checks is kept: the rest of halb runs without BGP.
      return tableBlock(bgpTable(b), () => { if (endChecks(b, p)) cfg.bgp = b; });
    },
  };
}
