// Stable hashing shared by the hashing schedulers (sh, dh, mh) and the nftables engine.
//
// Which hash: the Linux kernel's jhash() (include/linux/jhash.h, Bob Jenkins' lookup3
// hashlittle() with JHASH_INITVAL 0xdeadbeef), scaled to a table with nft_hash.c's
// reciprocal_scale(), over the bytes nftables loads into its registers. So the nft rule
//
//   jhash ip saddr mod 256 seed 0x68616c62              (sh)
//   jhash ip saddr . th sport mod 251 seed 0x68616c62   (mh with mh-port)
//   jhash ip daddr mod 256 seed 0x68616c62              (dh)
//
// (ip6 saddr/daddr for IPv6) lands in the same bucket as hashBucket(flowKey(...)) here,
// and every proxy worker, on any host, agrees with it. The kernel reads the key in CPU
// byte order ("The result depends on endianness"); we read little-endian, which is what
// x86-64 and arm64 kernels do.
//
// Deliberate difference from IPVS: ip_vs_sh.c/ip_vs_dh.c use hash_32() over the folded
// address and ip_vs_mh.c uses hsiphash(); neither can be computed by an nftables rule,
// and the proxy and nft engines must pick the same server for the same client.

import { ipBytes } from '../../core/address.js';

/** Seed for every client/destination hash ("halb"); the nft engine passes it as `seed`. */
export const HASH_SEED = 0x68616c62;

const JHASH_INITVAL = 0xdeadbeef;

function rol32(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Linux jhash(key, length, initval): a 32-bit unsigned hash of `key`. */
export function jhash(key: Uint8Array, initval: number): number {
  let a = (JHASH_INITVAL + key.length + initval) | 0;
  let b = a;
  let c = a;
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  let off = 0;
  let len = key.length;
  while (len > 12) {
    a = (a + view.getUint32(off, true)) | 0;
    b = (b + view.getUint32(off + 4, true)) | 0;
    c = (c + view.getUint32(off + 8, true)) | 0;
    // __jhash_mix
    a = (a - c) | 0; a ^= rol32(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol32(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol32(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rol32(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol32(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol32(b, 4); b = (b + a) | 0;
    len -= 12;
    off += 12;
  }
  if (len === 0) return c >>> 0;
  // The kernel adds the 1..12 tail bytes one by one; adding a zero-padded 12-byte block
  // as three little-endian words is the same sum.
  const tail = new Uint8Array(12);
  tail.set(key.subarray(off));
  const tv = new DataView(tail.buffer);
  a = (a + tv.getUint32(0, true)) | 0;
  b = (b + tv.getUint32(4, true)) | 0;
  c = (c + tv.getUint32(8, true)) | 0;
  // __jhash_final
  c ^= b; c = (c - rol32(b, 14)) | 0;
  a ^= c; a = (a - rol32(c, 11)) | 0;
  b ^= a; b = (b - rol32(a, 25)) | 0;
  c ^= b; c = (c - rol32(b, 16)) | 0;
  a ^= c; a = (a - rol32(c, 4)) | 0;
  b ^= a; b = (b - rol32(a, 14)) | 0;
  c ^= b; c = (c - rol32(b, 24)) | 0;
  return c >>> 0;
}

/**
 * reciprocal_scale(val, n) from include/linux/kernel.h: ((u64)val * n) >> 32, the way
 * nft_jhash_eval() maps a hash onto `mod n`. Exact in doubles for n < 2^21.
 */
export function reciprocalScale(val: number, n: number): number {
  return Math.floor(((val >>> 0) * n) / 0x1_0000_0000);
}

/**
 * The hash key for an address and, optionally, a port, laid out as nftables registers
 * hold `ip saddr . th sport`: the address in network order (4 or 16 bytes), then the
 * port in network order padded with two zero bytes to a 32-bit register. Text that is
 * not an IP address is hashed as its UTF-8 bytes.
 */
export function flowKey(addr: string, port?: number): Uint8Array {
  const a = ipBytesOrText(addr);
  if (port === undefined) return a;
  const out = new Uint8Array(a.length + 4);
  out.set(a);
  const p = Number.isInteger(port) && port >= 0 && port <= 0xffff ? port : 0;
  out[a.length] = p >> 8;
  out[a.length + 1] = p & 0xff;
  return out;
}

/** The bucket in [0, size) that nft's `jhash <key> mod size seed <seed>` yields. */
export function hashBucket(key: Uint8Array, size: number, seed: number = HASH_SEED): number {
  return reciprocalScale(jhash(key, seed), size);
}

const utf8 = new TextEncoder();

function ipBytesOrText(addr: string): Uint8Array {
  return ipBytes(addr) ?? utf8.encode(addr);
}

/** UTF-8 bytes of a destination's id, for hashes over dest identity (mh permutations). */
export function idBytes(id: string): Uint8Array {
  return utf8.encode(id);
}
