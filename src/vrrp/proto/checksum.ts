// The Internet checksum and the IPv4/IPv6 pseudo-headers VRRPv3 and ICMPv6 include in
// it, plus the strict address <-> bytes conversions they need. Pure, no sockets.

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

const V4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const V4_RE = new RegExp(`^${V4_OCTET}(\\.${V4_OCTET}){3}$`);
const HEX_GROUP_RE = /^[0-9a-f]{1,4}$/i;

function parseV4(s: string): Buffer | undefined {
  return V4_RE.test(s) ? Buffer.from(s.split('.').map(Number)) : undefined;
}

/** Colon-separated 16-bit groups; `v4Tail` allows a dotted quad as the last one. */
function parseGroups(part: string, v4Tail: boolean): number[] | undefined {
  if (part === '') return [];
  const groups = part.split(':');
  const words: number[] = [];
  for (const [i, g] of groups.entries()) {
    if (HEX_GROUP_RE.test(g)) {
      words.push(parseInt(g, 16));
      continue;
    }
    const v4 = v4Tail && i === groups.length - 1 ? parseV4(g) : undefined;
    if (!v4) return undefined;
    words.push(v4.readUInt16BE(0), v4.readUInt16BE(2));
  }
  return words;
}

/** RFC 4291 §2.2 text forms, including '::' and a trailing dotted quad; a zone ('%eth0') is dropped. */
function parseV6(text: string): Buffer | undefined {
  const zone = text.indexOf('%');
  if (zone === text.length - 1) return undefined;
  const halves = (zone === -1 ? text : text.slice(0, zone)).split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const b = Buffer.alloc(16);
  [...head, ...new Array<number>(fill).fill(0), ...tail].forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return b;
}

/** The family of a textual address, or undefined. Dotted quads must be plain decimal. */
export function ipFamilyOf(addr: string): IpFamily | undefined {
  if (parseV4(addr)) return 4;
  if (parseV6(addr)) return 6;
  return undefined;
}

/** Address text -> 4 or 16 bytes, or undefined when it is not an address of `family`. */
export function tryIpToBytes(addr: string, family: IpFamily): Buffer | undefined {
  return family === 4 ? parseV4(addr) : parseV6(addr);
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

/** 4 or 16 bytes -> canonical text: dotted quad, or RFC 5952 (lower case, longest zero run as '::'). */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const w = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let best = -1;
  let bestLen = 1; // "The symbol '::' MUST NOT be used to shorten just one 16-bit 0 field." (RFC 5952 §4.2.2)
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j === i ? i + 1 : j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  return best === -1 ? hex(w) : `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

/** Address text (a `%zone` suffix dropped) in the form bytesToIp gives; text that is not an address of `family` stays as it is. */
export function canonicalIp(addr: string, family: IpFamily): string {
  const b = tryIpToBytes(addr.split('%')[0] ?? addr, family);
  return b ? bytesToIp(b) : addr;
}
