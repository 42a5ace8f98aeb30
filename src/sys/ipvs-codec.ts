// IPVS over generic netlink (include/uapi/linux/ip_vs.h, net/netfilter/ipvs/ip_vs_ctl.c):
// plain objects in, bytes out, and back. Pure: no sockets. Built on the rtnetlink framing
// of netlink-codec.ts; a generic netlink message is nlmsghdr + genlmsghdr + attributes.
//
//   struct genlmsghdr { u8 cmd; u8 version; u16 reserved; }      4 bytes
//
// Byte order, as the kernel reads and writes it: ports are big-endian (nla_put_be16);
// an IPv4 netmask is a big-endian mask, an IPv6 one a host-order prefix length; an
// address is sent as the 16-byte union nf_inet_addr (as libipvs does) and comes back as
// 16 bytes even for IPv4. Decoders never throw: a malformed message decodes to undefined.
import type { IpvsProtocol, IpvsServiceKey, IpvsServiceSettings, IpvsStats, IpvsTunnel } from '../core/ipvs-types.js';
import { addrBytes, bytesToAddr, nla, nlaNested, nlaStr, nlaU32, nlMessage, parseAttrs, NLM_F, AF, type NlAttr } from './netlink-codec.js';

export const GENL_HDRLEN = 4;
/** linux/genetlink.h: the controller family and its GETFAMILY command. */
export const GENL_ID_CTRL = 0x10;
export const CTRL_CMD = { GETFAMILY: 3 } as const;
export const CTRL_ATTR = { FAMILY_ID: 1, FAMILY_NAME: 2 } as const;

/** ip_vs.h IPVS_GENL_NAME / IPVS_GENL_VERSION. */
export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

export const IPVS_CMD = {
  NEW_SERVICE: 1, SET_SERVICE: 2, DEL_SERVICE: 3, GET_SERVICE: 4,
  NEW_DEST: 5, SET_DEST: 6, DEL_DEST: 7, GET_DEST: 8,
  NEW_DAEMON: 9, DEL_DAEMON: 10, GET_DAEMON: 11,
  SET_CONFIG: 12, GET_CONFIG: 13, GET_INFO: 15, ZERO: 16, FLUSH: 17,
} as const;

export const IPVS_CMD_ATTR = { SERVICE: 1, DEST: 2, DAEMON: 3, TIMEOUT_TCP: 4, TIMEOUT_TCP_FIN: 5, TIMEOUT_UDP: 6 } as const;

export const IPVS_SVC_ATTR = {
  AF: 1, PROTOCOL: 2, ADDR: 3, PORT: 4, FWMARK: 5, SCHED_NAME: 6, FLAGS: 7, TIMEOUT: 8, NETMASK: 9,
  STATS: 10, PE_NAME: 11, STATS64: 12,
} as const;

export const IPVS_DEST_ATTR = {
  ADDR: 1, PORT: 2, FWD_METHOD: 3, WEIGHT: 4, U_THRESH: 5, L_THRESH: 6,
  ACTIVE_CONNS: 7, INACT_CONNS: 8, PERSIST_CONNS: 9, STATS: 10, ADDR_FAMILY: 11, STATS64: 12,
  TUN_TYPE: 13, TUN_PORT: 14, TUN_FLAGS: 15,
} as const;

export const IPVS_STATS_ATTR = { CONNS: 1, INPKTS: 2, OUTPKTS: 3, INBYTES: 4, OUTBYTES: 5, CPS: 6, INPPS: 7, OUTPPS: 8, INBPS: 9, OUTBPS: 10 } as const;
export const IPVS_INFO_ATTR = { VERSION: 1, CONN_TAB_SIZE: 2 } as const;

/** ip_vs.h IP_VS_SVC_F_*: for sh and mh, SCHED1 is fallback and SCHED2 is port. */
export const IP_VS_SVC_F = { PERSISTENT: 0x1, HASHED: 0x2, ONEPACKET: 0x4, SCHED1: 0x8, SCHED2: 0x10, SCHED3: 0x20 } as const;
/** ip_vs.h IP_VS_CONN_F_FWD_MASK values. */
export const IP_VS_CONN_F = { MASQ: 0, LOCALNODE: 1, TUNNEL: 2, DROUTE: 3 } as const;
export const IPPROTO = { TCP: 6, UDP: 17, SCTP: 132 } as const;

export type IpvsForward = 'NAT' | 'DR' | 'TUN' | 'LOCAL';

export type IpvsServiceWire = IpvsServiceKey & IpvsServiceSettings;

export interface IpvsDestWire {
  readonly family: 4 | 6;
  readonly address: string;
  readonly port: number;
  readonly forward: IpvsForward;
  readonly weight: number;
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  /** TUN's encapsulation when not ipip. */
  readonly tunnel?: IpvsTunnel;
}

/** Counters as IPVS_SVC_ATTR_STATS64 / IPVS_DEST_ATTR_STATS64 carry them (rates per second). */
export type IpvsStatsWire = IpvsStats;

export interface IpvsDestReading extends IpvsDestWire {
  readonly activeConns: number;
  readonly inactiveConns: number;
  readonly persistConns: number;
  readonly stats: IpvsStatsWire;
}

export type IpvsServiceReading = IpvsServiceWire & { readonly stats: IpvsStatsWire };

export interface IpvsTimeoutsWire {
  readonly tcpS: number;
  readonly tcpFinS: number;
  readonly udpS: number;
}

const FORWARD_CODE: Record<IpvsForward, number> = { NAT: IP_VS_CONN_F.MASQ, LOCAL: IP_VS_CONN_F.LOCALNODE, TUN: IP_VS_CONN_F.TUNNEL, DR: IP_VS_CONN_F.DROUTE };
const FORWARD_NAME: readonly IpvsForward[] = ['NAT', 'LOCAL', 'TUN', 'DR'];
const PROTO_NAME = new Map<number, IpvsProtocol>([[6, 'TCP'], [17, 'UDP'], [132, 'SCTP']]);
export const ZERO_STATS: IpvsStatsWire = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0, cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

// ---- generic netlink framing ------------------------------------------------------------

export function genlHeader(cmd: number, version: number): Buffer {
  const b = Buffer.alloc(GENL_HDRLEN);
  b[0] = cmd;
  b[1] = version;
  return b;
}

/** One generic netlink request of family `familyId`. */
export function genlMessage(familyId: number, cmd: number, version: number, flags: number, seq: number, attrs: readonly Buffer[] = []): Buffer {
  return nlMessage(familyId, flags, seq, genlHeader(cmd, version), attrs);
}

/** The command and attributes of a generic netlink message body; undefined when too short. */
export function parseGenl(body: Buffer): { cmd: number; version: number; attrs: NlAttr[] } | undefined {
  if (body.length < GENL_HDRLEN) return undefined;
  return { cmd: body[0]!, version: body[1]!, attrs: parseAttrs(body, GENL_HDRLEN) };
}

/** CTRL_CMD_GETFAMILY for `name` (the kernel answers with CTRL_ATTR_FAMILY_ID). */
export function encodeGetFamily(seq: number, name: string): Buffer {
  return genlMessage(GENL_ID_CTRL, CTRL_CMD.GETFAMILY, 1, NLM_F.REQUEST | NLM_F.ACK, seq, [nlaStr(CTRL_ATTR.FAMILY_NAME, name)]);
}

export function decodeFamilyId(body: Buffer): number | undefined {
  const a = parseGenl(body)?.attrs.find((x) => x.type === CTRL_ATTR.FAMILY_ID);
  return a !== undefined && a.value.length >= 2 ? a.value.readUInt16LE(0) : undefined;
}

// ---- encoders ----------------------------------------------------------------------------

const u16 = (type: number, v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v, 0);
  return nla(type, b);
};
const be16 = (type: number, v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v, 0);
  return nla(type, b);
};
const be32 = (type: number, v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return nla(type, b);
};
/** union nf_inet_addr: 16 bytes, IPv4 in the first 4. */
function inetAddr(address: string): Buffer {
  const out = Buffer.alloc(16);
  addrBytes(address).bytes.copy(out, 0);
  return out;
}
const afCode = (family: 4 | 6): number => (family === 4 ? AF.INET : AF.INET6);

/** IPv4 prefix length -> big-endian mask. */
export function prefixToMask(prefix: number): number {
  return prefix <= 0 ? 0 : Number((0xffffffffn << BigInt(32 - Math.min(32, prefix))) & 0xffffffffn);
}

function maskToPrefix(mask: number): number {
  let n = 0;
  for (let bit = 31; bit >= 0 && ((mask >>> bit) & 1) === 1; bit--) n++;
  return n;
}

/** The attributes naming a service (the whole of a DEL_SERVICE / GET_DEST). */
function serviceKeyAttrs(k: IpvsServiceKey): Buffer[] {
  const out = [u16(IPVS_SVC_ATTR.AF, afCode(k.family))];
  if (k.fwmark !== undefined) out.push(nlaU32(IPVS_SVC_ATTR.FWMARK, k.fwmark));
  else out.push(u16(IPVS_SVC_ATTR.PROTOCOL, IPPROTO[k.protocol]), nla(IPVS_SVC_ATTR.ADDR, inetAddr(k.address)), be16(IPVS_SVC_ATTR.PORT, k.port));
  return out;
}

/** The full service (NEW_SERVICE / SET_SERVICE need scheduler, flags, timeout and netmask). */
function serviceAttrs(s: IpvsServiceWire): Buffer[] {
  const flags = Buffer.alloc(8);
  flags.writeUInt32LE(s.flags >>> 0, 0);
  flags.writeUInt32LE(0xffffffff, 4);
  const out = [...serviceKeyAttrs(s), nlaStr(IPVS_SVC_ATTR.SCHED_NAME, s.scheduler)];
  if (s.peName !== undefined) out.push(nlaStr(IPVS_SVC_ATTR.PE_NAME, s.peName));
  out.push(nla(IPVS_SVC_ATTR.FLAGS, flags), nlaU32(IPVS_SVC_ATTR.TIMEOUT, s.timeoutS));
  out.push(s.family === 4 ? be32(IPVS_SVC_ATTR.NETMASK, prefixToMask(s.prefix)) : nlaU32(IPVS_SVC_ATTR.NETMASK, s.prefix));
  return out;
}

function destAttrs(d: IpvsDestWire, full: boolean): Buffer[] {
  const out = [nla(IPVS_DEST_ATTR.ADDR, inetAddr(d.address)), be16(IPVS_DEST_ATTR.PORT, d.port)];
  if (!full) return out;
  out.push(
    nlaU32(IPVS_DEST_ATTR.FWD_METHOD, FORWARD_CODE[d.forward]), nlaU32(IPVS_DEST_ATTR.WEIGHT, d.weight),
    nlaU32(IPVS_DEST_ATTR.U_THRESH, d.upperThreshold), nlaU32(IPVS_DEST_ATTR.L_THRESH, d.lowerThreshold),
    u16(IPVS_DEST_ATTR.ADDR_FAMILY, afCode(d.family)),
  );
  // As keepalived's libipvs: a tunnel's type always, its port for gue, its flags unless ipip.
  if (d.forward === 'TUN') {
    const t = d.tunnel ?? { type: 'ipip', checksum: 'nocsum' };
    out.push(nla(IPVS_DEST_ATTR.TUN_TYPE, Buffer.from([TUN_TYPE_CODE[t.type]])));
    if (t.type === 'gue') out.push(be16(IPVS_DEST_ATTR.TUN_PORT, t.port ?? 0));
    if (t.type !== 'ipip') out.push(u16(IPVS_DEST_ATTR.TUN_FLAGS, TUN_FLAG_CODE[t.checksum]));
  }
  return out;
}

/** IP_VS_CONN_F_TUNNEL_TYPE_* and IP_VS_TUNNEL_ENCAP_FLAG_* (include/uapi/linux/ip_vs.h). */
const TUN_TYPE_CODE: Record<IpvsTunnel['type'], number> = { ipip: 0, gue: 1, gre: 2 };
const TUN_TYPE_NAME: readonly IpvsTunnel['type'][] = ['ipip', 'gue', 'gre'];
const TUN_FLAG_CODE: Record<IpvsTunnel['checksum'], number> = { nocsum: 0, csum: 1, remcsum: 2 };

/** A TUN destination's encapsulation as read back; undefined for ipip (the kernel's default). */
function decodeTunnel(m: Map<number, Buffer>): IpvsTunnel | undefined {
  const type = TUN_TYPE_NAME[m.get(IPVS_DEST_ATTR.TUN_TYPE)?.readUInt8(0) ?? 0];
  if (type === undefined || type === 'ipip') return undefined;
  const flags = rdU16(m.get(IPVS_DEST_ATTR.TUN_FLAGS)) ?? 0;
  const checksum = (flags & TUN_FLAG_CODE.remcsum) !== 0 ? 'remcsum' : (flags & TUN_FLAG_CODE.csum) !== 0 ? 'csum' : 'nocsum';
  return type === 'gue' ? { type, port: rdBe16(m.get(IPVS_DEST_ATTR.TUN_PORT)) ?? 0, checksum } : { type, checksum };
}

const REQ = NLM_F.REQUEST | NLM_F.ACK;

export function encodeService(familyId: number, cmd: typeof IPVS_CMD.NEW_SERVICE | typeof IPVS_CMD.SET_SERVICE, seq: number, s: IpvsServiceWire): Buffer {
  return genlMessage(familyId, cmd, IPVS_GENL_VERSION, REQ, seq, [nlaNested(IPVS_CMD_ATTR.SERVICE, serviceAttrs(s))]);
}

export function encodeDelService(familyId: number, seq: number, k: IpvsServiceKey): Buffer {
  return genlMessage(familyId, IPVS_CMD.DEL_SERVICE, IPVS_GENL_VERSION, REQ, seq, [nlaNested(IPVS_CMD_ATTR.SERVICE, serviceKeyAttrs(k))]);
}

export function encodeDest(familyId: number, cmd: typeof IPVS_CMD.NEW_DEST | typeof IPVS_CMD.SET_DEST | typeof IPVS_CMD.DEL_DEST, seq: number, k: IpvsServiceKey, d: IpvsDestWire): Buffer {
  return genlMessage(familyId, cmd, IPVS_GENL_VERSION, REQ, seq, [
    nlaNested(IPVS_CMD_ATTR.SERVICE, serviceKeyAttrs(k)),
    nlaNested(IPVS_CMD_ATTR.DEST, destAttrs(d, cmd !== IPVS_CMD.DEL_DEST)),
  ]);
}

/** GET_SERVICE as a dump of every service. */
export function encodeGetServices(familyId: number, seq: number): Buffer {
  return genlMessage(familyId, IPVS_CMD.GET_SERVICE, IPVS_GENL_VERSION, NLM_F.REQUEST | NLM_F.DUMP, seq);
}

/** GET_DEST: a dump of the destinations of one service. */
export function encodeGetDests(familyId: number, seq: number, k: IpvsServiceKey): Buffer {
  return genlMessage(familyId, IPVS_CMD.GET_DEST, IPVS_GENL_VERSION, NLM_F.REQUEST | NLM_F.DUMP, seq, [nlaNested(IPVS_CMD_ATTR.SERVICE, serviceKeyAttrs(k))]);
}

/** SET_CONFIG (`ipvsadm --set tcp tcpfin udp`); 0 leaves a timeout as it is. */
export function encodeSetConfig(familyId: number, seq: number, t: IpvsTimeoutsWire): Buffer {
  return genlMessage(familyId, IPVS_CMD.SET_CONFIG, IPVS_GENL_VERSION, REQ, seq, [
    nlaU32(IPVS_CMD_ATTR.TIMEOUT_TCP, t.tcpS), nlaU32(IPVS_CMD_ATTR.TIMEOUT_TCP_FIN, t.tcpFinS), nlaU32(IPVS_CMD_ATTR.TIMEOUT_UDP, t.udpS),
  ]);
}

export function encodeSimple(familyId: number, cmd: typeof IPVS_CMD.GET_CONFIG | typeof IPVS_CMD.GET_INFO, seq: number): Buffer {
  return genlMessage(familyId, cmd, IPVS_GENL_VERSION, REQ, seq);
}

// ---- decoders ----------------------------------------------------------------------------

const byType = (attrs: readonly NlAttr[]): Map<number, Buffer> => new Map(attrs.map((a) => [a.type, a.value]));
const rdU16 = (b: Buffer | undefined): number | undefined => (b !== undefined && b.length >= 2 ? b.readUInt16LE(0) : undefined);
const rdBe16 = (b: Buffer | undefined): number | undefined => (b !== undefined && b.length >= 2 ? b.readUInt16BE(0) : undefined);
const rdU32 = (b: Buffer | undefined): number | undefined => (b !== undefined && b.length >= 4 ? b.readUInt32LE(0) : undefined);
/** u32 or u64 counter; u64 beyond 2^53 is rounded (Number), which no real counter reaches. */
function rdCounter(b: Buffer | undefined): number {
  if (b === undefined) return 0;
  if (b.length >= 8) return Number(b.readBigUInt64LE(0));
  return b.length >= 4 ? b.readUInt32LE(0) : 0;
}
const familyOf = (af: number | undefined): 4 | 6 | undefined => (af === AF.INET ? 4 : af === AF.INET6 ? 6 : undefined);

function addrOf(b: Buffer | undefined, family: 4 | 6): string | undefined {
  if (b === undefined) return undefined;
  const want = family === 4 ? 4 : 16;
  if (b.length < want) return undefined;
  return bytesToAddr(b.subarray(0, want));
}

export function decodeStats(b: Buffer | undefined): IpvsStatsWire {
  if (b === undefined) return ZERO_STATS;
  const m = byType(parseAttrs(b));
  const c = (t: number): number => rdCounter(m.get(t));
  return {
    conns: c(IPVS_STATS_ATTR.CONNS), inPkts: c(IPVS_STATS_ATTR.INPKTS), outPkts: c(IPVS_STATS_ATTR.OUTPKTS),
    inBytes: c(IPVS_STATS_ATTR.INBYTES), outBytes: c(IPVS_STATS_ATTR.OUTBYTES), cps: c(IPVS_STATS_ATTR.CPS),
    inPps: c(IPVS_STATS_ATTR.INPPS), outPps: c(IPVS_STATS_ATTR.OUTPPS), inBps: c(IPVS_STATS_ATTR.INBPS), outBps: c(IPVS_STATS_ATTR.OUTBPS),
  };
}

/** The nested IPVS_CMD_ATTR_SERVICE of a NEW_SERVICE reply (a GET_SERVICE dump entry). */
export function decodeService(body: Buffer): IpvsServiceReading | undefined {
  const g = parseGenl(body);
  const nest = g?.attrs.find((a) => a.type === IPVS_CMD_ATTR.SERVICE);
  if (nest === undefined) return undefined;
  const m = byType(parseAttrs(nest.value));
  const family = familyOf(rdU16(m.get(IPVS_SVC_ATTR.AF)));
  if (family === undefined) return undefined;
  const schedRaw = m.get(IPVS_SVC_ATTR.SCHED_NAME);
  const flagsRaw = rdU32(m.get(IPVS_SVC_ATTR.FLAGS));
  if (schedRaw === undefined || flagsRaw === undefined) return undefined;
  const nul = schedRaw.indexOf(0);
  const scheduler = schedRaw.subarray(0, nul === -1 ? schedRaw.length : nul).toString('latin1');
  const peRaw = m.get(IPVS_SVC_ATTR.PE_NAME);
  const pe = peRaw === undefined ? '' : peRaw.subarray(0, peRaw.indexOf(0) === -1 ? peRaw.length : peRaw.indexOf(0)).toString('latin1');
  const nm = m.get(IPVS_SVC_ATTR.NETMASK);
  const prefix = family === 4 ? (nm !== undefined && nm.length >= 4 ? maskToPrefix(nm.readUInt32BE(0)) : 32) : (rdU32(nm) ?? 128);
  const settings = {
    scheduler, flags: flagsRaw & ~IP_VS_SVC_F.HASHED, timeoutS: rdU32(m.get(IPVS_SVC_ATTR.TIMEOUT)) ?? 0, prefix,
    ...(pe !== '' ? { peName: pe } : {}),
    stats: decodeStats(m.get(IPVS_SVC_ATTR.STATS64) ?? m.get(IPVS_SVC_ATTR.STATS)),
  };
  const fwmark = rdU32(m.get(IPVS_SVC_ATTR.FWMARK));
  if (fwmark !== undefined && fwmark !== 0) return { family, fwmark, ...settings };
  const proto = PROTO_NAME.get(rdU16(m.get(IPVS_SVC_ATTR.PROTOCOL)) ?? -1);
  const address = addrOf(m.get(IPVS_SVC_ATTR.ADDR), family);
  const port = rdBe16(m.get(IPVS_SVC_ATTR.PORT));
  if (proto === undefined || address === undefined || port === undefined) return undefined;
  return { family, protocol: proto, address, port, ...settings };
}

/** One entry of a GET_DEST dump; `svcFamily` is the family when the kernel omits ADDR_FAMILY (< 3.18). */
export function decodeDest(body: Buffer, svcFamily: 4 | 6): IpvsDestReading | undefined {
  const g = parseGenl(body);
  const nest = g?.attrs.find((a) => a.type === IPVS_CMD_ATTR.DEST);
  if (nest === undefined) return undefined;
  const m = byType(parseAttrs(nest.value));
  const family = familyOf(rdU16(m.get(IPVS_DEST_ATTR.ADDR_FAMILY))) ?? svcFamily;
  const address = addrOf(m.get(IPVS_DEST_ATTR.ADDR), family);
  const port = rdBe16(m.get(IPVS_DEST_ATTR.PORT));
  const fwd = rdU32(m.get(IPVS_DEST_ATTR.FWD_METHOD));
  if (address === undefined || port === undefined || fwd === undefined) return undefined;
  const forward = FORWARD_NAME[fwd & 0x7];
  if (forward === undefined) return undefined;
  const tunnel = forward === 'TUN' ? decodeTunnel(m) : undefined;
  return {
    family, address, port, forward, ...(tunnel !== undefined ? { tunnel } : {}),
    weight: rdU32(m.get(IPVS_DEST_ATTR.WEIGHT)) ?? 0,
    upperThreshold: rdU32(m.get(IPVS_DEST_ATTR.U_THRESH)) ?? 0,
    lowerThreshold: rdU32(m.get(IPVS_DEST_ATTR.L_THRESH)) ?? 0,
    activeConns: rdU32(m.get(IPVS_DEST_ATTR.ACTIVE_CONNS)) ?? 0,
    inactiveConns: rdU32(m.get(IPVS_DEST_ATTR.INACT_CONNS)) ?? 0,
    persistConns: rdU32(m.get(IPVS_DEST_ATTR.PERSIST_CONNS)) ?? 0,
    stats: decodeStats(m.get(IPVS_DEST_ATTR.STATS64) ?? m.get(IPVS_DEST_ATTR.STATS)),
  };
}

/** The GET_CONFIG reply: the three timeouts in seconds. */
export function decodeConfig(body: Buffer): IpvsTimeoutsWire | undefined {
  const g = parseGenl(body);
  if (g === undefined) return undefined;
  const m = byType(g.attrs);
  const tcpS = rdU32(m.get(IPVS_CMD_ATTR.TIMEOUT_TCP));
  const tcpFinS = rdU32(m.get(IPVS_CMD_ATTR.TIMEOUT_TCP_FIN));
  const udpS = rdU32(m.get(IPVS_CMD_ATTR.TIMEOUT_UDP));
  if (tcpS === undefined || tcpFinS === undefined || udpS === undefined) return undefined;
  return { tcpS, tcpFinS, udpS };
}

/** The GET_INFO reply: IPVS version (e.g. 0x010201 = 1.2.1) and connection table size. */
export function decodeInfo(body: Buffer): { version: number; connTabSize: number } | undefined {
  const g = parseGenl(body);
  if (g === undefined) return undefined;
  const m = byType(g.attrs);
  const version = rdU32(m.get(IPVS_INFO_ATTR.VERSION));
  const connTabSize = rdU32(m.get(IPVS_INFO_ATTR.CONN_TAB_SIZE));
  return version === undefined || connTabSize === undefined ? undefined : { version, connTabSize };
}

export type { IpvsProtocol, IpvsServiceKey, IpvsServiceSettings } from '../core/ipvs-types.js';
