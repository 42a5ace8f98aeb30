// VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798) advert codec: plain typed objects in, bytes
// out, and back. Pure: no sockets, no clock. `decodeAdvert` never throws; a packet it
// rejects comes back as { ok: false, reason, detail } (drop-reason.ts).
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |Version| Type  | Virtual Rtr ID|   Priority    | Count IP Addrs|
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |   Auth Type   |   Adver Int   |          Checksum             |   v2 (RFC 3768 §5.1)
//    |(rsvd) |     Max Adver Int     |          Checksum             |   v3 (RFC 5798 §5.1)
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                 IPvX Address(es) (4 or 16 bytes each)         |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |             Authentication Data (8 bytes, v2 only)            |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import assert from 'node:assert';
import {
  AH_HEADER_LEN, AH_ICV_LEN, AH_PAYLOAD_LEN, IPPROTO_AH, IPPROTO_VRRP, IPV4_MIN_HEADER_LEN,
  IPV6_HEADER_LEN, VRRP_AUTH, VRRP_HEADER_LEN, VRRP_MAX_ADDRS, VRRP_MCAST_V4, VRRP_TTL,
  VRRP_TYPE, VRRP_V2_AUTH_LEN, VRRP_V2_MAX_ADVER_INT_S, VRRP_V3_MAX_ADVER_INT_CS,
} from './constants.js';
import {
  bytesToIp, internetChecksum, ipToBytes, ipv4PseudoHeader, ipv6PseudoHeader, tryIpToBytes,
  type IpFamily,
} from './checksum.js';
import { drop, type Dropped } from './drop-reason.js';

export type V2Auth =
  | { readonly type: 'none' }
  /** keepalived sends the first 8 bytes of auth_pass, zero padded. */
  | { readonly type: 'pass'; readonly password: string }
  /** IPsec AH (RFC 2338 §5.3.6.3): recognised on receive; the ICV is checked per instance. */
  | { readonly type: 'ah' };

export interface AdvertV2 {
  readonly version: 2;
  /** VRRPv2 is IPv4 only (RFC 3768; keepalived forces v3 for IPv6). */
  readonly family: 4;
  readonly vrid: number;
  readonly priority: number;
  readonly advertIntervalSec: number;
  readonly auth: V2Auth;
  readonly addresses: readonly string[];
}

export interface AdvertV3 {
  readonly version: 3;
  readonly family: IpFamily;
  readonly vrid: number;
  readonly priority: number;
  /** Max Adver Int, centiseconds (12 bits). */
  readonly advertIntervalCs: number;
  readonly addresses: readonly string[];
}

export type Advert = AdvertV2 | AdvertV3;

/** What `encodeAdvert` can build: AH needs the IP header it authenticates, which the kernel writes. */
export type EncodableAdvert = AdvertV3 | (Omit<AdvertV2, 'auth'> & { readonly auth: Exclude<V2Auth, { type: 'ah' }> });

/**
 * How an IPv4 VRRPv3 checksum treats the pseudo-header:
 * - `rfc5798`: pseudo-header with the packet's own source and destination (RFC 5798 §5.2.8);
 * - `as-v2`: no pseudo-header, like VRRPv2 (keepalived `v3_checksum_as_v2`, Cisco/Juniper interop);
 * - `old-unicast`: pseudo-header with 224.0.0.18 as destination even when unicast
 *   (keepalived <= 1.3.5, `old_unicast_checksum`).
 */
export type V3ChecksumVariant = 'rfc5798' | 'as-v2' | 'old-unicast';
/** Which checksum rule verified a decoded packet; `kernel` = IPv6 left to IPV6_CHECKSUM. */
export type ChecksumVariant = 'v2' | V3ChecksumVariant | 'ipv6' | 'kernel';

export interface EncodeCtx {
  /** Source the IP header will carry. Needed for IPv4 v3 (`rfc5798`, `old-unicast`); for IPv6 without it the checksum is left 0 for the kernel (IPV6_CHECKSUM). */
  readonly src?: string;
  /** Destination the IP header will carry (multicast group or unicast peer). */
  readonly dst?: string;
  /** IPv4 VRRPv3 checksum rule; default `rfc5798`. */
  readonly v3Checksum?: V3ChecksumVariant;
}

export interface DecodeCtx {
  /** Family of the socket the bytes came from. */
  readonly family: IpFamily;
  /**
   * `ip-header`: bytes start with the IP header (IPv4 raw sockets, AF_PACKET captures);
   * `payload`: bytes are the VRRP message (IPv6 raw sockets), src/dst/ttl come from ctx;
   * `auto` (default): an IP header is recognised by its version nibble (4 or 6, where VRRP has 2 or 3).
   */
  readonly framing?: 'auto' | 'ip-header' | 'payload';
  /** From recvmsg / ancillary data, used when there is no IP header. */
  readonly src?: string;
  readonly dst?: string;
  /** TTL / Hop Limit from IP_TTL / IPV6_HOPLIMIT ancillary data. */
  readonly ttl?: number;
  /**
   * Accepted TTL range; default 255..255 (multicast). keepalived skips the check for
   * unicast unless the peer has min_ttl/max_ttl: pass `'ignore'` or that range.
   */
  readonly ttlRange?: { readonly min: number; readonly max: number } | 'ignore';
  /** IPv4 VRRPv3 checksum rules to accept, tried in order; default all three, RFC first. */
  readonly v3Checksums?: readonly V3ChecksumVariant[];
  /** IPv6: the socket has IPV6_CHECKSUM set, so the kernel already dropped bad checksums. */
  readonly ipv6ChecksumVerifiedByKernel?: boolean;
}

export interface IpInfo {
  readonly src: string | undefined;
  readonly dst: string | undefined;
  readonly ttl: number | undefined;
  /** Bytes of IP header (and AH) in front of the VRRP message; 0 for payload framing. */
  readonly headerLen: number;
}

export interface AhInfo {
  readonly spi: number;
  readonly seq: number;
  readonly icv: Buffer;
  /** The IPv4 datagram with TOS, fragment field, header checksum and ICV zeroed: the HMAC input (RFC 2402 §3.3.3.1). */
  readonly icvInput: Buffer;
}

export interface VrrpPacket {
  readonly advert: Advert;
  readonly ip: IpInfo;
  readonly checksum: number;
  readonly checksumVariant: ChecksumVariant;
  /** v2: the raw 8 Authentication Data bytes (compared byte for byte with auth_pass). */
  readonly authData?: Buffer;
  /** v3: the 4 reserved bits; "MUST be set to zero on transmission and ignored on reception" (RFC 5798 §5.2.6). */
  readonly v3Reserved?: number;
  readonly ah?: AhInfo;
}

export type DecodeResult = { readonly ok: true; readonly packet: VrrpPacket } | Dropped;

const DEFAULT_V3_CHECKSUMS: readonly V3ChecksumVariant[] = ['rfc5798', 'as-v2', 'old-unicast'];
const addrLen = (family: IpFamily): number => (family === 4 ? 4 : 16);

/** auth_pass as keepalived puts it on the wire: first 8 bytes, zero padded. */
export function passwordBytes(password: string): Buffer {
  const out = Buffer.alloc(VRRP_V2_AUTH_LEN);
  Buffer.from(password, 'utf8').copy(out, 0, 0, VRRP_V2_AUTH_LEN);
  return out;
}

/**
 * Build the VRRP message (the kernel adds the IP header). Throws on an advert that could
 * not come from a valid configuration: that is a bug upstream, not peer input.
 */
export function encodeAdvert(advert: EncodableAdvert, ctx: EncodeCtx = {}): Buffer {
  const { family, addresses } = advert;
  assert(Number.isInteger(advert.vrid) && advert.vrid >= 1 && advert.vrid <= 255, `VRID ${advert.vrid} not in 1..255`);
  assert(Number.isInteger(advert.priority) && advert.priority >= 0 && advert.priority <= 255, `priority ${advert.priority} not in 0..255`);
  assert(addresses.length <= VRRP_MAX_ADDRS, `${addresses.length} addresses, at most ${VRRP_MAX_ADDRS} fit`);
  const authLen = advert.version === 2 ? VRRP_V2_AUTH_LEN : 0;
  const buf = Buffer.alloc(VRRP_HEADER_LEN + addresses.length * addrLen(family) + authLen);
  buf[0] = (advert.version << 4) | VRRP_TYPE.ADVERTISEMENT;
  buf[1] = advert.vrid;
  buf[2] = advert.priority;
  buf[3] = addresses.length;
  addresses.forEach((a, i) => ipToBytes(a, family).copy(buf, VRRP_HEADER_LEN + i * addrLen(family)));

  if (advert.version === 2) {
    assert(family === 4, 'VRRPv2 is IPv4 only');
    const s = advert.advertIntervalSec;
    assert(Number.isInteger(s) && s >= 1 && s <= VRRP_V2_MAX_ADVER_INT_S, `v2 advert interval ${s}s not in 1..255`);
    buf[4] = advert.auth.type === 'pass' ? VRRP_AUTH.PASS : VRRP_AUTH.NONE;
    buf[5] = s;
    // "The authentication string ... SHOULD be set to zero on transmission" (RFC 3768 §5.3.10), except for PASS.
    if (advert.auth.type === 'pass') passwordBytes(advert.auth.password).copy(buf, buf.length - VRRP_V2_AUTH_LEN);
    buf.writeUInt16BE(internetChecksum(buf), 6);
    return buf;
  }

  const cs = advert.advertIntervalCs;
  assert(Number.isInteger(cs) && cs >= 1 && cs <= VRRP_V3_MAX_ADVER_INT_CS, `v3 advert interval ${cs}cs not in 1..4095`);
  buf.writeUInt16BE(cs, 4); // reserved bits stay zero
  if (family === 6) {
    // Without addresses the socket's IPV6_CHECKSUM option fills it in, as keepalived relies on.
    if (ctx.src !== undefined && ctx.dst !== undefined) {
      const ph = ipv6PseudoHeader(ipToBytes(ctx.src, 6), ipToBytes(ctx.dst, 6), IPPROTO_VRRP, buf.length);
      buf.writeUInt16BE(internetChecksum(ph, buf), 6);
    }
    return buf;
  }
  const variant = ctx.v3Checksum ?? 'rfc5798';
  if (variant === 'as-v2') {
    buf.writeUInt16BE(internetChecksum(buf), 6);
    return buf;
  }
  assert(ctx.src !== undefined, 'IPv4 VRRPv3 checksum needs the source address');
  const dst = variant === 'old-unicast' ? VRRP_MCAST_V4 : ctx.dst;
  assert(dst !== undefined, 'IPv4 VRRPv3 checksum needs the destination address');
  const ph = ipv4PseudoHeader(ipToBytes(ctx.src, 4), ipToBytes(dst, 4), IPPROTO_VRRP, buf.length);
  buf.writeUInt16BE(internetChecksum(ph, buf), 6);
  return buf;
}

interface Framed {
  readonly vrrp: Buffer;
  readonly src: Buffer | undefined;
  readonly dst: Buffer | undefined;
  readonly ttl: number | undefined;
  readonly headerLen: number;
  readonly ah: AhInfo | undefined;
  /** The IP header said AH, so the VRRP Auth Type must say AH too. */
  readonly viaAh: boolean;
}

/** Strip the IPv4 header (and AH), checking what the kernel did not already check for us. */
function unwrapIpv4(b: Buffer): Framed | Dropped {
  if (b.length < IPV4_MIN_HEADER_LEN) return drop('PACKET_TOO_SHORT', `IPv4 VRRP packet too short - ${b.length} bytes`);
  if (b[0]! >> 4 !== 4) return drop('INVALID_IP_HEADER', `IP version ${b[0]! >> 4} on an IPv4 socket`);
  const ihl = (b[0]! & 0x0f) * 4;
  if (ihl < IPV4_MIN_HEADER_LEN) return drop('INVALID_IP_HEADER', `IPv4 header length ${ihl} < 20`);
  if (b.length < ihl) return drop('PACKET_TOO_SHORT', `IPv4 VRRP packet too short - ${b.length} bytes, header is ${ihl}`);
  const totLen = b.readUInt16BE(2);
  if (totLen !== b.length) {
    return drop('PKT_LEN_MISMATCH', `ip_tot_len mismatch against received length. ${totLen} and received ${b.length}`);
  }
  // Raw sockets see reassembled datagrams, so a fragment here was crafted.
  if ((b.readUInt16BE(6) & 0x3fff) !== 0) return drop('INVALID_IP_HEADER', 'IPv4 fragment');
  const proto = b[9]!;
  const base = { src: b.subarray(12, 16), dst: b.subarray(16, 20), ttl: b[8]! };
  if (proto === IPPROTO_VRRP) return { ...base, vrrp: b.subarray(ihl), headerLen: ihl, ah: undefined, viaAh: false };
  if (proto !== IPPROTO_AH) return drop('NOT_VRRP', `IP protocol ${proto}, expected ${IPPROTO_VRRP} or ${IPPROTO_AH}`);
  if (b.length < ihl + AH_HEADER_LEN) return drop('PACKET_TOO_SHORT', `IPv4 VRRP packet with AH too short - ${b.length} bytes`);
  // keepalived ignores AH for other protocols (VRRP_PACKET_DROP).
  if (b[ihl] !== IPPROTO_VRRP) return drop('NOT_VRRP', `AH next header ${b[ihl]}, expected ${IPPROTO_VRRP}`);
  if (b[ihl + 1] !== AH_PAYLOAD_LEN) return drop('INVALID_IP_HEADER', `AH payload length ${b[ihl + 1]}, expected ${AH_PAYLOAD_LEN} (HMAC-MD5-96)`);
  const icvAt = ihl + AH_HEADER_LEN - AH_ICV_LEN;
  const icvInput = Buffer.from(b);
  icvInput[1] = 0; // TOS
  icvInput.writeUInt16BE(0, 6); // flags + fragment offset
  icvInput.writeUInt16BE(0, 10); // header checksum
  icvInput.fill(0, icvAt, icvAt + AH_ICV_LEN);
  const ah: AhInfo = {
    spi: b.readUInt32BE(ihl + 4),
    seq: b.readUInt32BE(ihl + 8),
    icv: Buffer.from(b.subarray(icvAt, icvAt + AH_ICV_LEN)),
    icvInput,
  };
  return { ...base, vrrp: b.subarray(ihl + AH_HEADER_LEN), headerLen: ihl + AH_HEADER_LEN, ah, viaAh: true };
}

/** Strip a fixed IPv6 header (AF_PACKET captures); extension headers are not walked. */
function unwrapIpv6(b: Buffer): Framed | Dropped {
  if (b.length < IPV6_HEADER_LEN) return drop('PACKET_TOO_SHORT', `IPv6 VRRP packet too short - ${b.length} bytes`);
  if (b[0]! >> 4 !== 6) return drop('INVALID_IP_HEADER', `IP version ${b[0]! >> 4} on an IPv6 socket`);
  const payloadLen = b.readUInt16BE(4);
  if (IPV6_HEADER_LEN + payloadLen !== b.length) {
    return drop('PKT_LEN_MISMATCH', `IPv6 payload length ${payloadLen} and received ${b.length - IPV6_HEADER_LEN}`);
  }
  if (b[6] !== IPPROTO_VRRP) return drop('NOT_VRRP', `IPv6 next header ${b[6]}, expected ${IPPROTO_VRRP}`);
  return {
    vrrp: b.subarray(IPV6_HEADER_LEN), src: b.subarray(8, 24), dst: b.subarray(24, 40), ttl: b[7],
    headerLen: IPV6_HEADER_LEN, ah: undefined, viaAh: false,
  };
}

function frame(b: Buffer, ctx: DecodeCtx): Framed | Dropped {
  const framing = ctx.framing ?? 'auto';
  const nibble = b.length > 0 ? b[0]! >> 4 : -1;
  if (framing === 'ip-header' || (framing === 'auto' && nibble === ctx.family)) {
    return ctx.family === 4 ? unwrapIpv4(b) : unwrapIpv6(b);
  }
  const src = ctx.src === undefined ? undefined : tryIpToBytes(ctx.src, ctx.family);
  const dst = ctx.dst === undefined ? undefined : tryIpToBytes(ctx.dst, ctx.family);
  if ((ctx.src !== undefined && !src) || (ctx.dst !== undefined && !dst)) {
    return drop('INVALID_IP_HEADER', `ancillary addresses ${ctx.src} -> ${ctx.dst} are not IPv${ctx.family}`);
  }
  return { vrrp: b, src, dst, ttl: ctx.ttl, headerLen: 0, ah: undefined, viaAh: false };
}

type ChecksumCheck = { ok: true; variant: ChecksumVariant } | Dropped;

function verifyChecksum(v: Buffer, version: number, f: Framed, ctx: DecodeCtx): ChecksumCheck {
  if (version === 2) {
    return internetChecksum(v) === 0 ? { ok: true, variant: 'v2' } : drop('BAD_CHECKSUM', 'Invalid VRRPv2 checksum');
  }
  if (ctx.family === 6) {
    if (f.src && f.dst) {
      const ph = ipv6PseudoHeader(f.src, f.dst, IPPROTO_VRRP, v.length);
      return internetChecksum(ph, v) === 0 ? { ok: true, variant: 'ipv6' } : drop('BAD_CHECKSUM', 'Invalid VRRPv3 checksum');
    }
    if (ctx.ipv6ChecksumVerifiedByKernel) return { ok: true, variant: 'kernel' };
    return drop('BAD_CHECKSUM', 'VRRPv3 checksum cannot be verified: IPv6 source or destination unknown');
  }
  const tried: string[] = [];
  for (const variant of ctx.v3Checksums ?? DEFAULT_V3_CHECKSUMS) {
    let sum: number | undefined;
    if (variant === 'as-v2') sum = internetChecksum(v);
    else if (f.src && (variant === 'old-unicast' || f.dst)) {
      const dst = variant === 'old-unicast' ? ipToBytes(VRRP_MCAST_V4, 4) : f.dst!;
      sum = internetChecksum(ipv4PseudoHeader(f.src, dst, IPPROTO_VRRP, v.length), v);
    }
    if (sum === 0) return { ok: true, variant };
    tried.push(sum === undefined ? `${variant} (addresses unknown)` : variant);
  }
  return drop('BAD_CHECKSUM', `Invalid VRRPv3 checksum (tried ${tried.join(', ') || 'nothing'})`);
}

/** Parse and check one received advert. Never throws. */
export function decodeAdvert(buf: Uint8Array, ctx: DecodeCtx): DecodeResult {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const f = frame(b, ctx);
  if ('ok' in f) return f;
  const v = f.vrrp;
  if (v.length < VRRP_HEADER_LEN) {
    return drop('PACKET_TOO_SHORT', `vrrp header too short. ${v.length} and expect at least ${VRRP_HEADER_LEN}`);
  }

  // "MUST verify that the IPv4 TTL or IPv6 Hop Limit is 255." (RFC 5798 §7.1; RFC 3768 §7.1 "MUST verify that the IP TTL is 255.")
  const range = ctx.ttlRange ?? { min: VRRP_TTL, max: VRRP_TTL };
  if (range !== 'ignore') {
    if (f.ttl === undefined) return drop('INVALID_TTL', 'TTL/HL not known (no IP header and no ancillary TTL)');
    if (f.ttl < range.min || f.ttl > range.max) {
      return drop('INVALID_TTL', range.min === range.max
        ? `invalid TTL/HL. Received ${f.ttl} and expect ${range.min}`
        : `TTL/HL ${f.ttl} not in range ${range.min} - ${range.max}`);
    }
  }

  // "MUST verify that the VRRP version is 3." (RFC 5798 §7.1; "... is 2." RFC 3768 §7.1). Which one the
  // instance runs is checked in checkAdvertForInstance; here both are understood.
  const version = v[0]! >> 4;
  if (version !== 2 && version !== 3) return drop('WRONG_VERSION', `wrong version. Received ${version} and expect 2 or 3`);
  if (version === 2 && ctx.family === 6) return drop('WRONG_VERSION', 'VRRPv2 received over IPv6');

  // "A packet with unknown type MUST be discarded." (RFC 5798 §5.2.2, RFC 3768 §5.3.2)
  const type = v[0]! & 0x0f;
  if (type !== VRRP_TYPE.ADVERTISEMENT) {
    return drop('INVALID_TYPE', `Invalid packet type. ${type} and expect ${VRRP_TYPE.ADVERTISEMENT}`);
  }

  // "MUST verify that the received packet contains the complete VRRP packet (including fixed
  // fields, IP Address(es), and Authentication Data)." (RFC 3768 §7.1, RFC 5798 §7.1). keepalived
  // also rejects trailing bytes, and so do we.
  const count = v[3]!;
  const alen = addrLen(ctx.family);
  const expected = VRRP_HEADER_LEN + count * alen + (version === 2 ? VRRP_V2_AUTH_LEN : 0);
  if (v.length !== expected) {
    return drop('PKT_LEN_MISMATCH',
      `vrrp packet too ${v.length > expected ? 'long' : 'short'}, length ${v.length} and expect ${expected} for ${count} address(es)`);
  }

  // "MUST verify the VRRP checksum." (RFC 3768 §7.1, RFC 5798 §7.1)
  const sum = verifyChecksum(v, version, f, ctx);
  if (!sum.ok) return sum;

  const addresses: string[] = [];
  for (let i = 0; i < count; i++) addresses.push(bytesToIp(v.subarray(VRRP_HEADER_LEN + i * alen, VRRP_HEADER_LEN + (i + 1) * alen)));
  const ip: IpInfo = {
    src: f.src && bytesToIp(f.src), dst: f.dst && bytesToIp(f.dst), ttl: f.ttl, headerLen: f.headerLen,
  };
  const common = { vrid: v[1]!, priority: v[2]!, addresses };
  const checksum = v.readUInt16BE(6);

  if (version === 3) {
    const field = v.readUInt16BE(4);
    const advert: AdvertV3 = { version: 3, family: ctx.family, ...common, advertIntervalCs: field & VRRP_V3_MAX_ADVER_INT_CS };
    return { ok: true, packet: { advert, ip, checksum, checksumVariant: sum.variant, v3Reserved: field >> 12 } };
  }

  const authType = v[4]!;
  if (authType !== VRRP_AUTH.NONE && authType !== VRRP_AUTH.PASS && authType !== VRRP_AUTH.AH) {
    return drop('INVALID_AUTH_TYPE', `Invalid auth type: ${authType}`);
  }
  // AH sits between the IP header and VRRP, so the two must agree (keepalived checks the same).
  if (f.viaAh !== (authType === VRRP_AUTH.AH)) {
    return drop('AUTH_TYPE_MISMATCH', f.viaAh ? 'Received AH header but auth type not AH' : 'No AH header but auth type is AH');
  }
  const authData = Buffer.from(v.subarray(v.length - VRRP_V2_AUTH_LEN));
  const nul = authData.indexOf(0);
  const auth: V2Auth = authType === VRRP_AUTH.NONE ? { type: 'none' }
    : authType === VRRP_AUTH.AH ? { type: 'ah' }
    : { type: 'pass', password: authData.subarray(0, nul === -1 ? VRRP_V2_AUTH_LEN : nul).toString('utf8') };
  const advert: AdvertV2 = { version: 2, family: 4, ...common, advertIntervalSec: v[5]!, auth };
  return {
    ok: true,
    packet: { advert, ip, checksum, checksumVariant: 'v2', authData, ...(f.ah ? { ah: f.ah } : {}) },
  };
}
