// The Internet checksum and the IPv4/IPv6 pseudo-headers VRRPv3 and ICMPv6 include in
// it, plus the strict address <-> bytes conversions they need. Pure, no sockets.
import ipaddr from 'ipaddr.js';

export type IpFamily = 4 | 6;

/**
 * One's-complement sum of 16-bit big-endian words, folded to 16 bits. An odd trailing
 * byte is padded with zero on the right. RFC 1071 §1
 */
export function onesComplementSum(buf: Uint8Array, initial = 0): number {
  let sum = initial;
  const even = buf.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (buf.length & 1) sum += buf[buf.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * The Internet checksum of the concatenation of `parts` (each part must have an even
 * length except the last). Returns the value to store: over data whose checksum field
 * already holds the right value, it returns 0. RFC 1071
 */
export function internetChecksum(...parts: readonly Uint8Array[]): number {
  let sum = 0;
  for (const p of parts) sum = onesComplementSum(p, sum);
  return ~sum & 0xffff;
}

/** IPv4 pseudo-header: src, dst, zero, protocol, upper-layer length. RFC 768 / RFC 5798 §5.2.8 */
export function ipv4PseudoHeader(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): Buffer {
  const ph = Buffer.alloc(12);
  ph.set(src, 0);
  ph.set(dst, 4);
  ph[9] = protocol;
  ph.writeUInt16BE(length, 10);
  return ph;
}

/** IPv6 pseudo-header: src, dst, 32-bit length, 3 zero bytes, next header. RFC 8200 §8.1 */
export function ipv6PseudoHeader(src: Uint8Array, dst: Uint8Array, nextHeader: number, length: number): Buffer {
  const ph = Buffer.alloc(40);
  ph.set(src, 0);
  ph.set(dst, 16);
  ph.writeUInt32BE(length, 32);
  ph[39] = nextHeader;
  return ph;
}

/** The family of a textual address, or undefined. Dotted quads must be plain decimal. */
export function ipFamilyOf(addr: string): IpFamily | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(addr)) return 4;
  if (ipaddr.IPv6.isValid(addr)) return 6;
  return undefined;
}

/** Address text -> 4 or 16 bytes, or undefined when it is not an address of `family`. */
export function tryIpToBytes(addr: string, family: IpFamily): Buffer | undefined {
  if (ipFamilyOf(addr) !== family) return undefined;
  return Buffer.from(ipaddr.parse(addr).toByteArray());
}

/**
 * Address text -> bytes for addresses we built ourselves (config, our own interface):
 * a bad one here is a bug upstream, so it throws.
 */
export function ipToBytes(addr: string, family: IpFamily): Buffer {
  const b = tryIpToBytes(addr, family);
  if (!b) throw new TypeError(`not an IPv${family} address: ${JSON.stringify(addr)}`);
  return b;
}

/** 4 or 16 bytes -> canonical text (dotted quad, RFC 5952 for IPv6). */
export function bytesToIp(bytes: Uint8Array): string {
  return ipaddr.fromByteArray(Array.from(bytes)).toString();
}
