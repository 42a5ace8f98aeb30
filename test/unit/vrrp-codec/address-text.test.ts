// Address text <-> bytes, checked against the WHATWG URL parser (an independent
// implementation of IPv6 parsing and RFC 5952-style serialisation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bytesToIp, ipFamilyOf, tryIpToBytes } from '../../../src/vrrp/proto/checksum.js';

const viaUrl = (text: string): string => new URL(`http://[${text}]`).hostname.slice(1, -1);

test('IPv6 text forms parse to the bytes URL parsing gives, and print canonically', () => {
  for (const text of ['::', '::1', '1::', 'FF02::12', '2001:0db8:0:0:1:0:0:1', '::ffff:192.0.2.1', '::192.0.2.1',
    '1:2:3:4:5:6:7::', '0:0:1:0:0:0:0:0', '1:0:0:2:0:0:0:3', '1:0:2:3:4:5:6:7', 'fe80::1%eth0']) {
    const b = tryIpToBytes(text, 6);
    assert.ok(b, text);
    assert.equal(bytesToIp(b), viaUrl(text.split('%')[0]!), text);
  }
});

test('malformed addresses are rejected rather than guessed', () => {
  for (const text of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2', '12345::', '1.2.3.4::', 'fe80::1%', 'g::1', '::1.2.3']) {
    assert.equal(tryIpToBytes(text, 6), undefined, text);
  }
  for (const text of ['1.2.3', '256.0.0.1', '01.2.3.4', '1.2.3.4 ', '1..2.3', '::1']) {
    assert.equal(tryIpToBytes(text, 4), undefined, text);
  }
  assert.equal(ipFamilyOf('192.0.2.1'), 4);
  assert.equal(ipFamilyOf('2001:db8::1'), 6);
  assert.equal(ipFamilyOf('example.com'), undefined);
});

test('property: any 16 bytes print like URL serialisation and parse back', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean(), (raw, sparse) => {
    const bytes = sparse ? raw.map((x, i) => (i % 5 === 0 ? x : 0)) : raw;
    const text = bytesToIp(bytes);
    const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
    assert.equal(text, viaUrl(groups.join(':')));
    assert.deepEqual(tryIpToBytes(text, 6), Buffer.from(bytes));
  }), { numRuns: 2000 });
});
