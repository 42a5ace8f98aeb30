// The shared address vocabulary: text to the bytes a packet carries, the canonical text
// (so equal addresses compare equal: config, dataplane keys, status), and the family.
// The hashing schedulers hash the bytes, not the text, so "192.0.2.1", "::ffff:192.0.2.1"
// (how a dual-stack Node socket reports an IPv4 peer) and an nftables `ip saddr` register
// all agree.

export type AddressFamily = 4 | 6;

/** Parse dotted-quad IPv4 into 4 bytes, or undefined. */
function parseV4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

/** Parse one side of "::" into 16-bit groups; a trailing dotted quad counts as two groups. */
function parseGroups(s: string, allowV4Tail: boolean): number[] | undefined {
  if (s === '') return [];
  const parts = s.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (allowV4Tail && i === parts.length - 1 && p.includes('.')) {
      const v4 = parseV4(p);
      if (v4 === undefined) return undefined;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
    groups.push(parseInt(p, 16));
  }
  return groups;
}

function parseV6(s: string): Uint8Array | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const left = parseGroups(halves[0] as string, false);
    const right = parseGroups(halves[1] as string, true);
    if (left === undefined || right === undefined || left.length + right.length > 7) return undefined;
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  } else {
    const all = parseGroups(s, true);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** The address as written (brackets and %zone dropped), without unmapping IPv4-mapped IPv6. */
export function parseAddress(text: string): { family: AddressFamily; bytes: Uint8Array } | undefined {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) {
    const v4 = parseV4(s);
    return v4 === undefined ? undefined : { family: 4, bytes: v4 };
  }
  const v6 = parseV6(s);
  return v6 === undefined ? undefined : { family: 6, bytes: v6 };
}

/** 4 or 16 bytes as text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
export function addressText(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** The canonical text of an address, or undefined when it is not one. */
export function canonicalAddress(text: string): string | undefined {
  const a = parseAddress(text);
  return a === undefined ? undefined : addressText(a.bytes);
}

/** 4, 6, or 0 for text that is not an address. */
export function addressFamily(text: string): AddressFamily | 0 {
  return parseAddress(text)?.family ?? 0;
}

/**
 * The network-order bytes of an IPv4 or IPv6 address: 4 bytes for IPv4 and for
 * IPv4-mapped IPv6 (::ffff:a.b.c.d), 16 for other IPv6. Accepts "[v6]" and a "%zone"
 * suffix. Returns undefined for anything that is not an IP address.
 */
export function ipBytes(text: string): Uint8Array | undefined {
  const a = parseAddress(text);
  if (a === undefined || a.family === 4) return a?.bytes;
  const v6 = a.bytes;
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

/** A canonical text key for an address (lblc/lblcr tables): the bytes in hex, or the text itself. */
export function addrKey(text: string): string {
  const b = ipBytes(text);
  return b === undefined ? `s:${text}` : Buffer.from(b).toString('hex');
}

/** A multicast address: 224.0.0.0/4 or ff00::/8. */
export function isMulticastAddress(text: string): boolean {
  const a = parseAddress(text);
  if (a === undefined) return false;
  const first = a.bytes[0] ?? 0;
  return a.family === 4 ? first >= 224 && first <= 239 : first === 0xff;
}
