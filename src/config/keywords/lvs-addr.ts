// Addresses as keepalived's LVS parser reads them (lib/utils.c inet_stosockaddr and
// inet_stor, check/check_data.c alloc_vsg_entry) and labels them (inet_sockaddrtotrio).
import { isIP } from 'node:net';
import { canonicalAddress } from '../../core/address.js';
import ipaddr from 'ipaddr.js';
import type { Stmt } from '../lexer.js';
import type { Parser } from '../parser.js';
import type { Family } from '../readers.js';
import type { LvsProtocol, VsgEntry } from '../model/lvs.js';
import { parseUnsigned } from './lvs-values.js';

export interface SockAddr {
  readonly addr: string;
  readonly family: Family;
  /** 0 = none given. */
  readonly port: number;
}

/** Canonical text (inet_ntop's) so equal addresses compare equal. */
export function canonicalAddr(a: string, family: Family): string {
  if (family === 4) return a;
  return canonicalAddress(a) ?? a;
}

/** keepalived treats a port of "0", "00", ... as no port at all. */
export function portWord(w: string | undefined): string | undefined {
  return w !== undefined && /[^0]/.test(w) ? w : undefined;
}

/**
 * inet_stosockaddr(): the family is IPv6 when the text has a ':'; anything from a '-' or
 * '/' on is dropped (so `192.0.2.1/24` reads as 192.0.2.1); the port, when given, must
 * be 1..65535. Returns undefined after the port reader's own complaint, if any; the
 * caller reports the address itself.
 */
export function stoSockaddr(ip: string, port: string | undefined, s: Stmt, p: Parser): SockAddr | undefined {
  const family: Family = ip.includes(':') ? 6 : 4;
  let portNum = 0;
  if (port !== undefined) {
    const v = parseUnsigned(port, s, p, 1, 65535);
    if (v === undefined) return undefined;
    portNum = v;
  }
  const cut = ip.search(/[-/]/);
  const bare = cut >= 0 ? ip.slice(0, cut) : ip;
  // inet_pton: no scope ids, no leading zeros, family fixed by the ':' test.
  if (bare.includes('%') || isIP(bare) !== family) return undefined;
  return { addr: canonicalAddr(bare, family), family, port: portNum };
}

/** inet_sockaddrtotrio(): `[addr]:proto:port`. */
export function trio(addr: string, proto: LvsProtocol | undefined, port: number): string {
  return `[${addr}]:${proto === undefined ? 'none' : proto.toLowerCase()}:${port}`;
}

function groups(a: string, family: Family): number[] {
  return family === 4 ? ipaddr.IPv4.parse(a).octets.slice() : ipaddr.IPv6.parse(a).parts.slice();
}

function fromGroups(g: number[], family: Family): string {
  return family === 4 ? g.join('.') : new ipaddr.IPv6(g).toRFC5952String();
}

function compareAddr(a: string, b: string, family: Family): number {
  const ga = groups(a, family);
  const gb = groups(b, family);
  for (let i = 0; i < ga.length; i++) {
    const d = (ga[i] as number) - (gb[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** Host bits of addr under a prefix of len bits: all zero, and the last address of the block. */
function cidrEnd(addr: string, family: Family, len: number): string | undefined {
  const width = family === 4 ? 8 : 16;
  const g = groups(addr, family);
  const end = g.map((v, i) => {
    const keep = Math.max(0, Math.min(width, len - i * width));
    const hostMask = (1 << (width - keep)) - 1;
    return v | hostMask;
  });
  const clean = g.every((v, i) => {
    const keep = Math.max(0, Math.min(width, len - i * width));
    return (v & ((1 << (width - keep)) - 1)) === 0;
  });
  return clean ? fromGroups(end, family) : undefined;
}

/** One line of a virtual_server_group block (alloc_vsg_entry). */
export function parseVsgEntry(s: Stmt, p: Parser, group: string): VsgEntry | undefined {
  const first = s.words[0] as string;
  const err = (msg: string): undefined => {
    p.diag.error(s.pos, msg, first);
    return undefined;
  };
  if (first === 'fwmark') {
    return parseVsgFwmark(s, p, group);
  }
  const port = portWord(s.words[1]);
  const start = stoSockaddr(first, port, s, p);
  if (start === undefined) {
    return err(`Invalid virtual server group IP address ${first} ${port !== undefined ? `/port/${port}` : ''} - skipping`);
  }
  const { family } = start;
  const slash = first.indexOf('/');
  if (slash >= 0) {
    const maskText = first.slice(slash + 1);
    const len = /^\d+$/.test(maskText) ? Number(maskText) : NaN;
    if (!(len > 0) || len > (family === 4 ? 32 : 128)) return err(`Invalid netmask - ${first} - skipping`);
    const end = cidrEnd(start.addr, family, len);
    if (end === undefined) return err(`Address mask bits not empty - ${first} - skipping`);
    return { kind: 'range', pos: s.pos, family, start: start.addr, end, port: start.port };
  }
  const dash = first.indexOf('-');
  const endText = dash >= 0 ? first.slice(dash + 1) : '';
  if (dash >= 0 && endText.includes(family === 4 ? '.' : ':')) {
    const end = stoSockaddr(endText, port, s, p);
    if (end === undefined) return err(`Invalid range end ${first} - skipping`);
    if (end.family !== family) return err(`Range address families do not match ${first} - skipping`);
    if (compareAddr(start.addr, end.addr, family) > 0) {
      return err(`Address range end is less than address range start - ${first} - skipping`);
    }
    return { kind: 'range', pos: s.pos, family, start: start.addr, end: end.addr, port: start.port };
  }
  if (dash < 0) return { kind: 'range', pos: s.pos, family, start: start.addr, end: start.addr, port: start.port };
  // inet_stor(): the last octet (IPv4, decimal) or last group (IPv6, hex) of the range's end.
  const m = (family === 4 ? /^[+]?\d*/ : /^[+]?(0x)?[0-9a-fA-F]*/).exec(endText) as RegExpExecArray;
  const rest = endText.slice(m[0].length);
  if (rest !== '') return err(`Virtual server group range '${first}' has extra characters at end '${rest}'`);
  const digits = m[0].replace(/^\+/, '').replace(/^0x/i, '');
  const last = digits === '' ? 0 : parseInt(digits, family === 4 ? 10 : 16);
  if (last > (family === 4 ? 255 : 0xffff)) return err(`Virtual server group range '${first}' end '${endText}' too large`);
  const g = groups(start.addr, family);
  const startLast = g[g.length - 1] as number;
  if (startLast >= last) return err(`Address range end is not greater than address range start - ${first} - skipping`);
  g[g.length - 1] = last;
  return { kind: 'range', pos: s.pos, family, start: start.addr, end: fromGroups(g, family), port: start.port };
}

function parseVsgFwmark(s: Stmt, p: Parser, group: string): VsgEntry | undefined {
  const w = s.words[1];
  if (w === undefined) {
    p.diag.fatal(s.pos, '*** Configuration line starting `fwmark` is missing a parameter after keyword `fwmark` at word position 2', 'fwmark');
    return undefined;
  }
  const mark = parseUnsigned(w, s, p, 0, 4_294_967_295);
  if (mark === undefined) {
    p.diag.error(s.pos, `(${group}): fwmark '${w}' must be in [0, 4294967295] - ignoring`, 'fwmark');
    return undefined;
  }
  const fam = s.words[2];
  if (fam === undefined) return { kind: 'fwmark', pos: s.pos, fwmark: mark };
  if (fam === 'inet') return { kind: 'fwmark', pos: s.pos, fwmark: mark, family: 4 };
  if (fam === 'inet6') return { kind: 'fwmark', pos: s.pos, fwmark: mark, family: 6 };
  p.diag.error(s.pos, `(${group}): fwmark '${mark}' family ${fam} unknown - ignoring`, 'fwmark');
  return undefined;
}
