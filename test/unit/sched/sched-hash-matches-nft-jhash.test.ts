import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HASH_SEED, flowKey, hashBucket, jhash, reciprocalScale } from '../../../src/dataplane/sched/hash.js';
import { addrKey, ipBytes } from '../../../src/core/address.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

test('jhash reproduces the published lookup3 hashlittle() vectors (driver5)', () => {
  assert.equal(jhash(new Uint8Array(0), 0), 0xdeadbeef);
  assert.equal(jhash(new Uint8Array(0), 0xdeadbeef), 0xbd5b7dde);
  assert.equal(jhash(text('Four score and seven years ago'), 0), 0x17770551);
  assert.equal(jhash(text('Four score and seven years ago'), 1), 0xcd628161);
});

test('reciprocal_scale maps a 32-bit hash onto [0, n) by the high bits', () => {
  assert.equal(reciprocalScale(0, 251), 0);
  assert.equal(reciprocalScale(0xffffffff, 251), 250);
  assert.equal(reciprocalScale(0x80000000, 256), 128);
  assert.equal(reciprocalScale(0x01ffffff, 256), 1);
});

// Captured from the kernel (nftables 1.0.6, Debian 12 kernel) in a scratch netns: an
// output-hook rule `meta mark set jhash ip daddr [. udp dport] mod M seed 0x68616c62`
// followed by `add @set { ip daddr [. udp dport] . meta mark }`, then UDP datagrams sent
// to these addresses and the set listed. daddr and saddr go through the same code.
const kernel = {
  v4: { mod: 4093, elems: [['192.0.2.29', 52], ['192.0.2.2', 74], ['192.0.2.37', 187], ['192.0.2.28', 204], ['192.0.2.20', 324], ['192.0.2.26', 329], ['192.0.2.16', 523], ['192.0.2.15', 611]] },
  v4port: { mod: 256, elems: [['192.0.2.34', 1238, 5], ['192.0.2.26', 1182, 15], ['192.0.2.31', 1217, 17], ['192.0.2.21', 1147, 20], ['192.0.2.29', 1203, 26], ['192.0.2.6', 1042, 32], ['192.0.2.33', 1231, 34], ['192.0.2.39', 1273, 51]] },
  v6: { mod: 251, elems: [['2001:db8::7015', 0], ['2001:db8::6012', 54], ['2001:db8::500f', 58], ['2001:db8::d027', 64], ['2001:db8::a01e', 85], ['2001:db8::2006', 93], ['2001:db8::901b', 94], ['2001:db8::f02d', 108]] },
  v6port: { mod: 4093, elems: [['2001:db8::8018', 2104, 68], ['2001:db8::f02d', 2195, 139], ['2001:db8::2006', 2026, 427], ['2001:db8::7015', 2091, 685], ['2001:db8::6012', 2078, 705], ['2001:db8::3009', 2039, 790], ['2001:db8::b021', 2143, 1560], ['2001:db8::a01e', 2130, 2222]] },
} as const;

test('hashBucket(flowKey(addr)) equals the kernel nft `jhash ip daddr mod M seed 0x68616c62`', () => {
  assert.equal(HASH_SEED, 0x68616c62);
  for (const c of [kernel.v4, kernel.v6]) {
    for (const [addr, mark] of c.elems) assert.equal(hashBucket(flowKey(addr), c.mod), mark, `${addr} mod ${c.mod}`);
  }
});

test('hashBucket(flowKey(addr, port)) equals the kernel nft `jhash ip daddr . udp dport mod M`', () => {
  for (const c of [kernel.v4port, kernel.v6port]) {
    for (const [addr, port, mark] of c.elems) assert.equal(hashBucket(flowKey(addr, port), c.mod), mark, `${addr}.${port}`);
  }
});

test('flowKey lays out address then port as 32-bit nft registers', () => {
  assert.deepEqual([...flowKey('192.0.2.1')], [192, 0, 2, 1]);
  assert.deepEqual([...flowKey('192.0.2.1', 0x1234)], [192, 0, 2, 1, 0x12, 0x34, 0, 0]);
  assert.equal(flowKey('2001:db8::1').length, 16);
  assert.equal(flowKey('2001:db8::1', 80).length, 20);
});

test('an IPv4-mapped IPv6 peer hashes like the IPv4 address nft sees', () => {
  assert.deepEqual([...(ipBytes('::ffff:192.0.2.9') ?? [])], [192, 0, 2, 9]);
  assert.equal(hashBucket(flowKey('::ffff:192.0.2.9'), 256), hashBucket(flowKey('192.0.2.9'), 256));
  assert.equal(addrKey('::FFFF:192.0.2.9'), addrKey('192.0.2.9'));
});

test('ipBytes parses IPv6 forms and rejects non-addresses', () => {
  assert.deepEqual([...(ipBytes('2001:db8::1') ?? [])], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(ipBytes('[2001:DB8:0:0:0:0:0:1]'), ipBytes('2001:db8::1'));
  assert.deepEqual(ipBytes('fe80::1%eth0'), ipBytes('fe80::1'));
  assert.deepEqual([...(ipBytes('::') ?? [])], new Array(16).fill(0));
  assert.deepEqual([...(ipBytes('64:ff9b::192.0.2.33') ?? []).slice(12)], [192, 0, 2, 33]);
  for (const bad of ['', '1.2.3', '1.2.3.256', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'host.example', '::g']) {
    assert.equal(ipBytes(bad), undefined, bad);
  }
  // Not an address: still hashable (as UTF-8), and deterministic.
  assert.equal(hashBucket(flowKey('unix:/run/x.sock'), 256), hashBucket(flowKey('unix:/run/x.sock'), 256));
});
