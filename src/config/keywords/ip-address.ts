// One address line of static_ipaddress / virtual_ipaddress / virtual_ipaddress_excluded,
// read as keepalived's alloc_ipaddress() reads it (keepalived/vrrp/vrrp_ipaddress.c):
// the address first, then `ip addr`-style options; an unknown word is reported and
// skipped, so `virtual_ipaddress { a b }` makes `b` an unknown option of `a`.
import { isIP } from 'node:net';
import type { Stmt } from '../lexer.js';
import type { IpAddressEntry, IpFamily } from '../model/ip.js';
import type { Parser } from '../parser.js';
import { normaliseAddr } from '../readers.js';
import { resolveScope } from './rt-names.js';

const IFNAMSIZ = 16;

export interface ParsedAddr {
  address: string;
  family: IpFamily;
  prefixLength: number;
  lenGiven: boolean;
}

/**
 * keepalived's parse_ipaddress(): the family follows from a ':' in the text; a bad
 * prefix length is reported and replaced by the full length.
 */
export function parseAddr(text: string, s: Stmt, p: Parser, allowPrefix: boolean): ParsedAddr | undefined {
  const family: IpFamily = text.includes(':') ? 6 : 4;
  const max = family === 6 ? 128 : 32;
  let prefixLength = max;
  let lenGiven = false;
  let addrText = text;
  const slash = allowPrefix ? text.indexOf('/') : -1;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    addrText = text.slice(0, slash);
    if (!/^\d+$/.test(lenText)) {
      p.diag.error(s.pos, `invalid number '${lenText}'`, s.words[0]);
      p.diag.error(s.pos, `Invalid address prefix len ${lenText} for address ${text} - using ${max}`, s.words[0]);
    } else if (Number(lenText) > max) {
      p.diag.error(s.pos, `number '${lenText}' outside range [0, ${max}]`, s.words[0]);
      p.diag.error(s.pos, `Invalid address prefix len ${lenText} for address ${text} - using ${max}`, s.words[0]);
    } else {
      prefixLength = Number(lenText);
      lenGiven = true;
    }
  }
  if (isIP(addrText) !== family) {
    p.diag.error(s.pos, `VRRP parsed invalid IP ${text}. skipping IP...`, s.words[0]);
    return undefined;
  }
  return { address: normaliseAddr(addrText, family), family, prefixLength, lenGiven };
}

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
}
function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((sh) => String((n >>> sh) & 0xff)).join('.');
}

export interface AddressLineOptions {
  /** static_ipaddress: `track_group` allowed, `use_vmac` not. */
  readonly isStatic: boolean;
  /** track_group names defined so far (static only). */
  readonly trackGroups?: readonly string[];
}

/** Parse one address line; undefined when keepalived would drop the address. */
export function parseAddressLine(s: Stmt, p: Parser, opts: AddressLineOptions): IpAddressEntry | undefined {
  const w = s.words;
  const addrText = w[0] as string;
  const base = parseAddr(addrText, s, p, true);
  if (base === undefined) return undefined;
  const e: IpAddressEntry = {
    pos: s.pos, address: base.address, family: base.family, prefixLength: base.prefixLength,
    home: false, noDad: false, manageTempAddr: false, noPrefixRoute: false, autoJoin: false,
    noTrack: false, useVmac: false,
  };
  const err = (m: string): void => p.diag.error(s.pos, m, addrText);
  let brd: '+' | '-' | undefined;
  let haveBroadcast = false;
  let havePeer = false;
  let missing: string | undefined;
  const withParam = ['dev', 'scope', 'broadcast', 'brd', 'label', 'peer', 'preferred_lft'];
  for (let i = 1; i < w.length; i++) {
    const k = w[i] as string;
    if ((withParam.includes(k) || (opts.isStatic && k === 'track_group')) && i + 1 >= w.length) {
      missing = k;
      break;
    }
    const v = w[i + 1] as string;
    switch (k) {
      case 'dev':
        if (e.device !== undefined) {
          err(`Cannot specify ipaddress device more than once for ${addrText}`);
          return undefined;
        }
        e.device = v;
        i++;
        break;
      case 'scope': {
        const sc = resolveScope(v);
        if (sc === undefined) err(`Invalid scope '${v}' specified for ${addrText} - ignoring`);
        else e.scope = sc;
        i++;
        break;
      }
      case 'broadcast':
      case 'brd':
        if (e.family === 6) {
          err(`VRRP is trying to assign a broadcast ${k} to the IPv6 address ${addrText} !!?? WTF... skipping VIP...`);
          return undefined;
        }
        haveBroadcast = true;
        if (v === '+' || v === '-') brd = v;
        else if (isIP(v) !== 4) {
          err(`VRRP is trying to assign invalid broadcast ${v}. skipping VIP...`);
          return undefined;
        } else e.broadcast = normaliseAddr(v, 4);
        i++;
        break;
      case 'label':
        e.label = v;
        i++;
        break;
      case 'peer': {
        i++;
        if (havePeer) {
          err(`Peer ${v} - another peer has already been specified`);
          break;
        }
        const peer = parseAddr(v, s, p, false);
        if (peer === undefined) err(`Invalid peer address ${v}`);
        else if (peer.family !== e.family) err(`Peer address ${v} does not match address family`);
        else {
          if (e.prefixLength !== (e.family === 6 ? 128 : 32)) {
            err('Cannot specify address prefix when specifying peer address - ignoring');
          }
          havePeer = true;
          e.peer = peer.address;
          e.prefixLength = peer.prefixLength;
        }
        break;
      }
      case 'home': e.home = true; break;
      case '-nodad': e.noDad = true; break;
      case 'mngtmpaddr': e.manageTempAddr = true; break;
      case 'noprefixroute': e.noPrefixRoute = true; break;
      case 'autojoin': e.autoJoin = true; break;
      case 'no_track': e.noTrack = true; break;
      case 'preferred_lft':
        i++;
        if (v === 'forever') e.preferredLft = 'forever';
        else if (/^\d+$/.test(v) && Number(v) <= 4294967295) e.preferredLft = Number(v);
        else {
          if (/^\d+$/.test(v)) p.diag.error(s.pos, `number '${v}' outside range [0, 4294967295]`, addrText);
          else p.diag.error(s.pos, `invalid number '${v}'`, addrText);
          err(`preferred_lft ${v} is invalid`);
        }
        break;
      default:
        if (opts.isStatic && k === 'track_group') {
          i++;
          if (e.trackGroup !== undefined) {
            err(`track_group ${v} is a duplicate`);
            i = w.length;
            break;
          }
          if (opts.trackGroups?.includes(v)) e.trackGroup = v;
          else err(`track_group ${v} not found`);
          break;
        }
        if (!opts.isStatic && k === 'use_vmac') {
          e.useVmac = true;
          break;
        }
        err(`Unknown configuration entry '${k}' for ip address - ignoring`);
    }
  }
  if (missing !== undefined) {
    err(`No ${missing} parameter specified for ${addrText}`);
    return undefined;
  }
  if (haveBroadcast && havePeer) {
    err('Cannot specify broadcast and peer addresses - ignoring broadcast address');
    delete e.broadcast;
  } else if (brd !== undefined && e.prefixLength <= 30) {
    const host = ipv4ToInt(e.peer ?? e.address);
    const mask = e.prefixLength === 0 ? 0xffffffff : (0xffffffff >>> e.prefixLength);
    e.broadcast = intToIpv4(brd === '+' ? (host | mask) >>> 0 : (host & ~mask) >>> 0);
  } else if (brd !== undefined) {
    err(`Address prefix length ${e.prefixLength} too long for broadcast`);
  }
  if (e.label !== undefined && e.label.length >= IFNAMSIZ) {
    err(`Address label ${e.label} is longer than maximum length ${IFNAMSIZ - 1} - removing address`);
    return undefined;
  }
  if (e.family === 6) {
    if (e.scope !== undefined && e.scope !== 0) {
      err(`Cannot specify scope for IPv6 addresses (${addrText}) - ignoring scope`);
      delete e.scope;
    }
    if (e.label !== undefined) {
      err(`Cannot specify label for IPv6 addresses (${addrText}) - ignoring label`);
      delete e.label;
    }
    // keepalived's old defaults: a /128 is deprecated (preferred_lft 0), a subnet is not.
    e.preferredLft ??= e.prefixLength === 128 ? 0 : 'forever';
  }
  if (e.trackGroup !== undefined && e.device === undefined) {
    err('Static route cannot have track_group if interface not specified');
    delete e.trackGroup;
  }
  return e;
}
