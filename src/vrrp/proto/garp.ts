// Gratuitous ARP and unsolicited IPv6 Neighbor Advertisement frames, built the way
// keepalived's vrrp_arp.c / vrrp_ndisc.c build them, as pure functions returning
// Buffers (whole Ethernet frames for an AF_PACKET socket; for NA also the ICMPv6 payload
// for a raw ICMPv6 socket). The decoders exist for tests and captures, and never throw.
import {
  ARP, ETH_ALEN, ETH_BROADCAST, ETH_HEADER_LEN, ETH_IPV6_MCAST_PREFIX, ETH_P_ARP, ETH_P_IPV6,
  IPPROTO_ICMPV6, IPV6_HEADER_LEN, NDISC, VRRP_VMAC_PREFIX_V4, VRRP_VMAC_PREFIX_V6,
} from './constants.js';
import { bytesToIp, internetChecksum, ipToBytes, ipv6PseudoHeader, type IpFamily } from './checksum.js';

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** "aa:bb:cc:dd:ee:ff" -> 6 bytes. Throws on a malformed MAC: ours come from the kernel or config. */
export function macToBytes(mac: string): Buffer {
  if (!MAC_RE.test(mac)) throw new TypeError(`not a MAC address: ${JSON.stringify(mac)}`);
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
}

export function bytesToMac(b: Uint8Array): string {
  return Array.from(b.subarray(0, ETH_ALEN), (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** The virtual router MAC 00:00:5e:00:01:VRID (IPv4) / 00:00:5e:00:02:VRID (IPv6). RFC 5798 §7.3 */
export function vrrpVirtualMac(vrid: number, family: IpFamily): string {
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) throw new RangeError(`VRID ${vrid} not in 1..255`);
  return bytesToMac(Buffer.from([...(family === 4 ? VRRP_VMAC_PREFIX_V4 : VRRP_VMAC_PREFIX_V6), vrid]));
}

/** The Ethernet multicast address of an IPv6 group: 33:33 + its low 32 bits. RFC 2464 §7 */
export function ipv6MulticastMac(group: string): string {
  return bytesToMac(Buffer.concat([Buffer.from(ETH_IPV6_MCAST_PREFIX), ipToBytes(group, 6).subarray(12)]));
}

function ethernetHeader(dst: string, src: string, type: number): Buffer {
  const h = Buffer.alloc(ETH_HEADER_LEN);
  macToBytes(dst).copy(h, 0);
  macToBytes(src).copy(h, ETH_ALEN);
  h.writeUInt16BE(type, 12);
  return h;
}

export interface GarpInput {
  /** The interface's (or the VMAC's) address: Ethernet source and ARP sender hardware address. */
  readonly mac: string;
  readonly vip: string;
  /** ARP target hardware address; keepalived sends ff:ff:ff:ff:ff:ff. */
  readonly targetMac?: string;
  /** keepalived sends requests (RFC 5227 §3 "ARP Announcement"). */
  readonly op?: 'request' | 'reply';
}

/**
 * Gratuitous ARP: broadcast Ethernet frame, sender IP = target IP = the VIP. 42 bytes,
 * like keepalived's; the NIC pads it to the 60-byte minimum.
 */
export function buildGratuitousArp(input: GarpInput): Buffer {
  const arp = Buffer.alloc(ARP.LEN);
  arp.writeUInt16BE(ARP.HRD_ETHER, 0);
  arp.writeUInt16BE(ARP.PRO_IP, 2);
  arp[4] = ETH_ALEN;
  arp[5] = 4;
  arp.writeUInt16BE(input.op === 'reply' ? ARP.OP_REPLY : ARP.OP_REQUEST, 6);
  const vip = ipToBytes(input.vip, 4);
  macToBytes(input.mac).copy(arp, 8);
  vip.copy(arp, 14);
  macToBytes(input.targetMac ?? ETH_BROADCAST).copy(arp, 18);
  vip.copy(arp, 24);
  return Buffer.concat([ethernetHeader(ETH_BROADCAST, input.mac, ETH_P_ARP), arp]);
}

export interface DecodedArp {
  readonly ethDst: string;
  readonly ethSrc: string;
  readonly op: number;
  readonly senderMac: string;
  readonly senderIp: string;
  readonly targetMac: string;
  readonly targetIp: string;
  /** Sender IP equals target IP: an announcement of that address. */
  readonly gratuitous: boolean;
}

export type FrameDecodeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly detail: string };

/** Parse an Ethernet frame carrying IPv4-over-Ethernet ARP (trailing padding allowed). */
export function decodeArpFrame(buf: Uint8Array): FrameDecodeResult<DecodedArp> {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < ETH_HEADER_LEN + ARP.LEN) return { ok: false, detail: `ARP frame too short: ${b.length} bytes` };
  if (b.readUInt16BE(12) !== ETH_P_ARP) return { ok: false, detail: `ethertype 0x${b.readUInt16BE(12).toString(16)} is not ARP` };
  const a = b.subarray(ETH_HEADER_LEN);
  if (a.readUInt16BE(0) !== ARP.HRD_ETHER || a.readUInt16BE(2) !== ARP.PRO_IP || a[4] !== ETH_ALEN || a[5] !== 4) {
    return { ok: false, detail: 'not Ethernet/IPv4 ARP' };
  }
  const senderIp = bytesToIp(a.subarray(14, 18));
  const targetIp = bytesToIp(a.subarray(24, 28));
  return {
    ok: true,
    value: {
      ethDst: bytesToMac(b), ethSrc: bytesToMac(b.subarray(6)), op: a.readUInt16BE(6),
      senderMac: bytesToMac(a.subarray(8)), senderIp, targetMac: bytesToMac(a.subarray(18)), targetIp,
      gratuitous: senderIp === targetIp,
    },
  };
}

export interface UnsolicitedNaInput {
  /** Link-layer address advertised in the Target Link-Layer Address option, and the Ethernet source. */
  readonly mac: string;
  /** The VIP: NA target and, as keepalived sends it, the IPv6 source. */
  readonly vip: string;
  /** Set the Router flag (keepalived does when the interface forwards IPv6). */
  readonly router?: boolean;
  /** IPv6 source; default the VIP. */
  readonly src?: string;
}

/**
 * ICMPv6 Neighbor Advertisement with the Override flag and a Target Link-Layer Address
 * option, checksummed over the IPv6 pseudo-header (src, ff02::1). RFC 4861 §4.4, §7.2.6
 */
export function buildUnsolicitedNaPayload(input: UnsolicitedNaInput): Buffer {
  const na = Buffer.alloc(NDISC.NA_LEN + NDISC.OPT_LL_LEN);
  na[0] = NDISC.TYPE_NEIGHBOR_ADVERT;
  // "an unsolicited Neighbor Advertisement ... the Solicited flag MUST be zero" (RFC 4861 §7.2.6)
  na[4] = NDISC.FLAG_OVERRIDE | (input.router ? NDISC.FLAG_ROUTER : 0);
  ipToBytes(input.vip, 6).copy(na, 8);
  na[NDISC.NA_LEN] = NDISC.OPT_TARGET_LL_ADDR;
  na[NDISC.NA_LEN + 1] = NDISC.OPT_LL_LEN / 8;
  macToBytes(input.mac).copy(na, NDISC.NA_LEN + 2);
  const ph = ipv6PseudoHeader(ipToBytes(input.src ?? input.vip, 6), ipToBytes(NDISC.ALL_NODES, 6), IPPROTO_ICMPV6, na.length);
  na.writeUInt16BE(internetChecksum(ph, na), 2);
  return na;
}

/** The whole frame: Ethernet to 33:33:00:00:00:01, IPv6 hop limit 255 to ff02::1, then the NA. */
export function buildUnsolicitedNa(input: UnsolicitedNaInput): Buffer {
  const na = buildUnsolicitedNaPayload(input);
  const ip6 = Buffer.alloc(IPV6_HEADER_LEN);
  ip6[0] = 0x60;
  ip6.writeUInt16BE(na.length, 4);
  ip6[6] = IPPROTO_ICMPV6;
  ip6[7] = NDISC.HOP_LIMIT;
  ipToBytes(input.src ?? input.vip, 6).copy(ip6, 8);
  ipToBytes(NDISC.ALL_NODES, 6).copy(ip6, 24);
  return Buffer.concat([ethernetHeader(ipv6MulticastMac(NDISC.ALL_NODES), input.mac, ETH_P_IPV6), ip6, na]);
}

export interface DecodedNa {
  readonly ethDst?: string;
  readonly ethSrc?: string;
  readonly src: string;
  readonly dst: string;
  readonly hopLimit?: number;
  readonly target: string;
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  /** From the Target Link-Layer Address option, if present. */
  readonly targetMac: string | undefined;
}

/** Parse an ICMPv6 NA given the IPv6 addresses around it; verifies the checksum. */
export function decodeNaPayload(buf: Uint8Array, ip: { readonly src: string; readonly dst: string }): FrameDecodeResult<DecodedNa> {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < NDISC.NA_LEN) return { ok: false, detail: `NA too short: ${b.length} bytes` };
  if (b[0] !== NDISC.TYPE_NEIGHBOR_ADVERT || b[1] !== 0) return { ok: false, detail: `ICMPv6 type ${b[0]} code ${b[1]} is not a Neighbor Advertisement` };
  const ph = ipv6PseudoHeader(ipToBytes(ip.src, 6), ipToBytes(ip.dst, 6), IPPROTO_ICMPV6, b.length);
  if (internetChecksum(ph, b) !== 0) return { ok: false, detail: 'bad ICMPv6 checksum' };
  let targetMac: string | undefined;
  // Options are type, length in 8-byte units (0 is invalid: RFC 4861 §4.6), value.
  for (let at = NDISC.NA_LEN; at + 2 <= b.length;) {
    const len = b[at + 1]! * 8;
    if (len === 0 || at + len > b.length) return { ok: false, detail: `malformed ND option at byte ${at}` };
    if (b[at] === NDISC.OPT_TARGET_LL_ADDR && len >= 2 + ETH_ALEN) targetMac = bytesToMac(b.subarray(at + 2));
    at += len;
  }
  const flags = b[4]!;
  return {
    ok: true,
    value: {
      src: ip.src, dst: ip.dst, target: bytesToIp(b.subarray(8, 24)), targetMac,
      router: (flags & NDISC.FLAG_ROUTER) !== 0, solicited: (flags & NDISC.FLAG_SOLICITED) !== 0,
      override: (flags & NDISC.FLAG_OVERRIDE) !== 0,
    },
  };
}

/** Parse a whole Ethernet + IPv6 + NA frame. */
export function decodeNaFrame(buf: Uint8Array): FrameDecodeResult<DecodedNa> {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < ETH_HEADER_LEN + IPV6_HEADER_LEN) return { ok: false, detail: `frame too short: ${b.length} bytes` };
  if (b.readUInt16BE(12) !== ETH_P_IPV6) return { ok: false, detail: 'ethertype is not IPv6' };
  const ip6 = b.subarray(ETH_HEADER_LEN);
  if (ip6[0]! >> 4 !== 6 || ip6[6] !== IPPROTO_ICMPV6) return { ok: false, detail: 'not IPv6 ICMPv6' };
  const payloadLen = ip6.readUInt16BE(4);
  if (IPV6_HEADER_LEN + payloadLen > ip6.length) return { ok: false, detail: 'IPv6 payload length beyond the frame' };
  const src = bytesToIp(ip6.subarray(8, 24));
  const dst = bytesToIp(ip6.subarray(24, 40));
  const na = decodeNaPayload(ip6.subarray(IPV6_HEADER_LEN, IPV6_HEADER_LEN + payloadLen), { src, dst });
  if (!na.ok) return na;
  return { ok: true, value: { ...na.value, ethDst: bytesToMac(b), ethSrc: bytesToMac(b.subarray(6)), hopLimit: ip6[7]! } };
}
