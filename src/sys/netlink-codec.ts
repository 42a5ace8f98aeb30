// rtnetlink message codec (rtnetlink(7), netlink(7)): plain objects in, bytes out, and
// back. Pure: no sockets. Messages are in host byte order (little-endian on every
// platform halb runs on); addresses inside attributes are in network order.
//
//   struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; }   16 bytes
//   struct nlattr   { u16 len; u16 type; } + value, padded to 4 bytes
//
// The address, link and neighbour parts live here; routes and rules in netlink-route.ts.
import { constants as osConstants } from 'node:os';
import ipaddr from 'ipaddr.js';

export const NLMSG_HDRLEN = 16;
export const NLA_HDRLEN = 4;
export const NLA_F_NESTED = 0x8000;

export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;

export const NLM_F = {
  REQUEST: 0x1, MULTI: 0x2, ACK: 0x4, ECHO: 0x8,
  ROOT: 0x100, MATCH: 0x200, DUMP: 0x300,
  REPLACE: 0x100, EXCL: 0x200, CREATE: 0x400, APPEND: 0x800,
} as const;

export const RTM = {
  NEWLINK: 16, DELLINK: 17, GETLINK: 18,
  NEWADDR: 20, DELADDR: 21, GETADDR: 22,
  NEWROUTE: 24, DELROUTE: 25, GETROUTE: 26,
  NEWRULE: 32, DELRULE: 33, GETRULE: 34,
} as const;

/** Legacy bind() group bits (linux/rtnetlink.h RTMGRP_*). */
export const RTMGRP = { LINK: 0x1, IPV4_IFADDR: 0x10, IPV4_ROUTE: 0x40, IPV6_IFADDR: 0x100 } as const;

export const AF = { INET: 2, INET6: 10 } as const;

export const IFF = { UP: 0x1, BROADCAST: 0x2, LOOPBACK: 0x8, RUNNING: 0x40, MULTICAST: 0x1000, LOWER_UP: 0x10000 } as const;
export const IFLA = { ADDRESS: 1, BROADCAST: 2, IFNAME: 3, MTU: 4, LINK: 5, MASTER: 10, OPERSTATE: 16 } as const;

export const IFA = { ADDRESS: 1, LOCAL: 2, LABEL: 3, BROADCAST: 4, ANYCAST: 5, CACHEINFO: 6, FLAGS: 8 } as const;
export const IFA_F = {
  SECONDARY: 0x01, NODAD: 0x02, OPTIMISTIC: 0x04, DADFAILED: 0x08, HOMEADDRESS: 0x10,
  DEPRECATED: 0x20, TENTATIVE: 0x40, PERMANENT: 0x80, MANAGETEMPADDR: 0x100,
  NOPREFIXROUTE: 0x200, MCAUTOJOIN: 0x400,
} as const;
/** Lifetime value meaning "forever" in struct ifa_cacheinfo. */
export const INFINITY_LIFE_TIME = 0xffffffff;

export const RT_SCOPE = { UNIVERSE: 0, SITE: 200, LINK: 253, HOST: 254, NOWHERE: 255 } as const;

export interface NlMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  /** The bytes after the netlink header. */
  readonly body: Buffer;
}

export interface NlAttr {
  readonly type: number;
  readonly value: Buffer;
}

// ---- framing ---------------------------------------------------------------------------

const align4 = (n: number): number => (n + 3) & ~3;

/** One attribute, padded. */
export function nla(type: number, value: Buffer): Buffer {
  const len = NLA_HDRLEN + value.length;
  const out = Buffer.alloc(align4(len));
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  value.copy(out, NLA_HDRLEN);
  return out;
}

export const nlaU8 = (type: number, v: number): Buffer => nla(type, Buffer.from([v & 0xff]));
export function nlaU32(type: number, v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return nla(type, b);
}
/** NUL-terminated string attribute (IFA_LABEL, IFLA_IFNAME, FRA_IIFNAME). */
export const nlaStr = (type: number, s: string): Buffer => nla(type, Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(1)]));
export const nlaNested = (type: number, parts: readonly Buffer[]): Buffer => nla(type | NLA_F_NESTED, Buffer.concat(parts));

/** A whole message: header + fixed body + attributes. */
export function nlMessage(type: number, flags: number, seq: number, body: Buffer, attrs: readonly Buffer[] = []): Buffer {
  const payload = Buffer.concat([body, ...attrs]);
  const out = Buffer.alloc(NLMSG_HDRLEN + payload.length);
  out.writeUInt32LE(out.length, 0);
  out.writeUInt16LE(type, 4);
  out.writeUInt16LE(flags, 6);
  out.writeUInt32LE(seq >>> 0, 8);
  out.writeUInt32LE(0, 12);
  payload.copy(out, NLMSG_HDRLEN);
  return out;
}

/** Split a datagram from the kernel into messages; a truncated tail is ignored. */
export function parseMessages(buf: Buffer): NlMessage[] {
  const out: NlMessage[] = [];
  let at = 0;
  while (at + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(at);
    if (len < NLMSG_HDRLEN || at + len > buf.length) break;
    out.push({
      type: buf.readUInt16LE(at + 4), flags: buf.readUInt16LE(at + 6),
      seq: buf.readUInt32LE(at + 8), pid: buf.readUInt32LE(at + 12),
      body: buf.subarray(at + NLMSG_HDRLEN, at + len),
    });
    at += align4(len);
  }
  return out;
}

/** Attributes from `buf` starting at `offset`; a malformed one ends the list. */
export function parseAttrs(buf: Buffer, offset = 0): NlAttr[] {
  const out: NlAttr[] = [];
  let at = offset;
  while (at + NLA_HDRLEN <= buf.length) {
    const len = buf.readUInt16LE(at);
    if (len < NLA_HDRLEN || at + len > buf.length) break;
    out.push({ type: buf.readUInt16LE(at + 2) & ~NLA_F_NESTED, value: buf.subarray(at + NLA_HDRLEN, at + len) });
    at += align4(len);
  }
  return out;
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(osConstants.errno).map(([k, v]) => [v, k]));

/** NLM_F_ACK_TLVS on an NLMSG_ERROR: extended ACK attributes follow (NETLINK_EXT_ACK). */
export const NLM_F_ACK_TLVS = 0x200;
/** NLM_F_CAPPED: only the header of the request is echoed back. */
export const NLM_F_CAPPED = 0x100;
const NLMSGERR_ATTR_MSG = 1;

/**
 * NLMSG_ERROR body: errno 0 is an ACK. With NETLINK_EXT_ACK the kernel adds why, e.g.
 * "ipv4: Invalid scope value." (`flags` are the error message's own flags).
 */
export function parseError(body: Buffer, flags = 0): { errno: number; code: string; message?: string } {
  const err = body.length >= 4 ? -body.readInt32LE(0) : 0;
  const out = { errno: err, code: err === 0 ? 'OK' : ERRNO_NAMES.get(err) ?? `E${err}` };
  if ((flags & NLM_F_ACK_TLVS) === 0 || body.length < 4 + NLMSG_HDRLEN) return out;
  const echoed = (flags & NLM_F_CAPPED) !== 0 ? NLMSG_HDRLEN : align4(body.readUInt32LE(4));
  const msg = parseAttrs(body, 4 + echoed).find((a) => a.type === NLMSGERR_ATTR_MSG);
  return msg === undefined ? out : { ...out, message: cString(msg.value) };
}

// ---- addresses -------------------------------------------------------------------------

export function addrBytes(addr: string): { family: 4 | 6; bytes: Buffer } {
  const bare = addr.split('%')[0] ?? addr;
  if (!ipaddr.isValid(bare)) throw new TypeError(`not an IP address: ${JSON.stringify(addr)}`);
  const parsed = ipaddr.parse(bare);
  return { family: parsed.kind() === 'ipv4' ? 4 : 6, bytes: Buffer.from(parsed.toByteArray()) };
}

/** 4 or 16 bytes to text (RFC 5952 form for IPv6); '' for any other length. */
export function bytesToAddr(b: Buffer): string {
  if (b.length !== 4 && b.length !== 16) return '';
  return ipaddr.fromByteArray(Array.from(b)).toString();
}

export interface AddressSpec {
  readonly family: 4 | 6;
  readonly ifindex: number;
  readonly address: string;
  readonly prefixLength: number;
  /** Point-to-point peer (IFA_ADDRESS differs from IFA_LOCAL). */
  readonly peer?: string;
  readonly broadcast?: string;
  readonly scope?: number;
  /** IPv4 only, at most 15 characters. */
  readonly label?: string;
  /** IFA_F_* bits (NODAD, HOMEADDRESS, MANAGETEMPADDR, NOPREFIXROUTE, MCAUTOJOIN). */
  readonly flags?: number;
  /** Preferred lifetime in seconds ('forever' = INFINITY_LIFE_TIME); valid stays forever. */
  readonly preferredLft?: number | 'forever';
}

function ifaddrmsg(family: 4 | 6, prefixLength: number, flags: number, scope: number, ifindex: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = family === 4 ? AF.INET : AF.INET6;
  b[1] = prefixLength;
  b[2] = flags & 0xff;
  b[3] = scope;
  b.writeUInt32LE(ifindex, 4);
  return b;
}

/** RTM_NEWADDR / RTM_DELADDR for one address, as `ip addr add|del` builds it. */
export function encodeAddress(type: typeof RTM.NEWADDR | typeof RTM.DELADDR, flags: number, seq: number, a: AddressSpec): Buffer {
  const local = addrBytes(a.address).bytes;
  const attrs: Buffer[] = [nla(IFA.LOCAL, local), nla(IFA.ADDRESS, a.peer === undefined ? local : addrBytes(a.peer).bytes)];
  if (a.family === 4 && a.broadcast !== undefined) attrs.push(nla(IFA.BROADCAST, addrBytes(a.broadcast).bytes));
  if (a.family === 4 && a.label !== undefined) attrs.push(nlaStr(IFA.LABEL, a.label));
  const f = a.flags ?? 0;
  // Flags above 0xff only fit in IFA_FLAGS (Linux 3.14+).
  if (f > 0xff) attrs.push(nlaU32(IFA.FLAGS, f));
  if (type === RTM.NEWADDR && a.preferredLft !== undefined && a.preferredLft !== 'forever') {
    const ci = Buffer.alloc(16);
    ci.writeUInt32LE(a.preferredLft >>> 0, 0);
    ci.writeUInt32LE(INFINITY_LIFE_TIME, 4);
    attrs.push(nla(IFA.CACHEINFO, ci));
  }
  return nlMessage(type, flags, seq, ifaddrmsg(a.family, a.prefixLength, f, a.scope ?? RT_SCOPE.UNIVERSE, a.ifindex), attrs);
}

/** RTM_GETADDR dump, one family or both (0). */
export function encodeGetAddr(seq: number, family: 0 | 4 | 6 = 0): Buffer {
  const fam = family === 0 ? 0 : family === 4 ? AF.INET : AF.INET6;
  const b = Buffer.alloc(8);
  b[0] = fam;
  return nlMessage(RTM.GETADDR, NLM_F.REQUEST | NLM_F.DUMP, seq, b);
}

export interface AddressInfo {
  readonly family: 4 | 6;
  readonly ifindex: number;
  readonly prefixLength: number;
  readonly scope: number;
  readonly flags: number;
  /** IFA_LOCAL, else IFA_ADDRESS (IPv6 has only IFA_ADDRESS). */
  readonly address: string;
  readonly label?: string;
  readonly broadcast?: string;
}

/** RTM_NEWADDR / RTM_DELADDR body; undefined for families other than IPv4/IPv6. */
export function decodeAddress(body: Buffer): AddressInfo | undefined {
  if (body.length < 8) return undefined;
  const fam = body[0] === AF.INET ? 4 : body[0] === AF.INET6 ? 6 : 0;
  if (fam === 0) return undefined;
  let local: string | undefined;
  let address: string | undefined;
  let label: string | undefined;
  let broadcast: string | undefined;
  let flags = body[2]!;
  for (const at of parseAttrs(body, 8)) {
    if (at.type === IFA.LOCAL) local = bytesToAddr(at.value);
    else if (at.type === IFA.ADDRESS) address = bytesToAddr(at.value);
    else if (at.type === IFA.LABEL) label = cString(at.value);
    else if (at.type === IFA.BROADCAST) broadcast = bytesToAddr(at.value);
    else if (at.type === IFA.FLAGS && at.value.length >= 4) flags = at.value.readUInt32LE(0);
  }
  const addr = local ?? address;
  if (addr === undefined) return undefined;
  return {
    family: fam, prefixLength: body[1]!, flags, scope: body[3]!, ifindex: body.readUInt32LE(4), address: addr,
    ...(label !== undefined ? { label } : {}), ...(broadcast !== undefined ? { broadcast } : {}),
  };
}

// ---- links -----------------------------------------------------------------------------

export function encodeGetLink(seq: number): Buffer {
  return nlMessage(RTM.GETLINK, NLM_F.REQUEST | NLM_F.DUMP, seq, Buffer.alloc(16));
}

export interface LinkInfo {
  readonly ifindex: number;
  readonly name: string;
  readonly flags: number;
  /** "aa:bb:..", '' when the link has none. */
  readonly mac: string;
  readonly mtu: number;
  /** IFF_UP and IFF_RUNNING, keepalived's IF_ISUP. */
  readonly up: boolean;
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul === -1 ? b.length : nul).toString('utf8');
}

export function decodeLink(body: Buffer): LinkInfo | undefined {
  if (body.length < 16) return undefined;
  const ifindex = body.readInt32LE(4);
  const flags = body.readUInt32LE(8);
  let name = '';
  let mac = '';
  let mtu = 0;
  for (const at of parseAttrs(body, 16)) {
    if (at.type === IFLA.IFNAME) name = cString(at.value);
    else if (at.type === IFLA.ADDRESS) mac = Array.from(at.value, (x) => x.toString(16).padStart(2, '0')).join(':');
    else if (at.type === IFLA.MTU && at.value.length >= 4) mtu = at.value.readUInt32LE(0);
  }
  return { ifindex, name, flags, mac, mtu, up: (flags & IFF.UP) !== 0 && (flags & IFF.RUNNING) !== 0 };
}
