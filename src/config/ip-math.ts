// Address arithmetic for the host checks: is an address inside a prefix. Addresses are
// the normalised text forms readers.ts produces (node's isIP-valid).
import { isIP } from 'node:net';

/** The address as an unsigned integer (32 or 128 bits), or undefined if not an address. */
export function addrToBigInt(addr: string): bigint | undefined {
  const fam = isIP(addr);
  if (fam === 4) return addr.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
  if (fam !== 6) return undefined;
  let text = addr.toLowerCase();
  const pct = text.indexOf('%');
  if (pct >= 0) text = text.slice(0, pct);
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two 16-bit groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = addrToBigInt(v4[1] as string) as bigint;
    text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/** True when `addr` lies in `prefix/len` (same family only). */
export function inPrefix(addr: string, prefix: string, len: number): boolean {
  const fam = isIP(addr);
  if (fam === 0 || fam !== isIP(prefix)) return false;
  const bits = fam === 4 ? 32 : 128;
  const a = addrToBigInt(addr) as bigint;
  const p = addrToBigInt(prefix) as bigint;
  const shift = BigInt(bits - len);
  return (a >> shift) === (p >> shift);
}
