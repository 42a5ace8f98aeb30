// The shared address vocabulary: one parser, one canonical form, checked against what
// Node's own URL parser prints for IPv6 (RFC 5952-style) and against the kernel's rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressFamily, addressText, canonicalAddress, ipBytes, parseAddress } from '../../../src/core/address.js';

test('canonical text: lower case, no leading zeros, the longest zero run compressed (the first on a tie)', () => {
  const cases: [string, string | undefined][] = [
    ['192.0.2.1', '192.0.2.1'], ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'], ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['::', '::'], ['::1', '::1'], ['fe80::1%eth0', 'fe80::1'], ['[2001:db8::a]', '2001:db8::a'],
    ['2001:db8::0:1', '2001:db8::1'], ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'], ['1.2.3', undefined], ['256.0.0.1', undefined], ['1::2::3', undefined], ['x', undefined],
  ];
  for (const [text, want] of cases) {
    assert.equal(canonicalAddress(text), want, text);
    if (want?.includes(':') === true) assert.equal(canonicalAddress(text), new URL(`http://[${want}]/`).hostname.slice(1, -1), `${text} as Node prints it`);
  }
});

test('bytes and families; IPv4-mapped IPv6 hashes as its IPv4 bytes', () => {
  assert.deepEqual(parseAddress('2001:db8::1')?.bytes.length, 16);
  assert.equal(addressFamily('::ffff:192.0.2.1'), 6);
  assert.equal(addressFamily('192.0.2.1'), 4);
  assert.equal(addressFamily('nope'), 0);
  assert.deepEqual(Array.from(ipBytes('::ffff:192.0.2.1') ?? []), [192, 0, 2, 1]);
  assert.equal(addressText(Uint8Array.from([198, 51, 100, 7])), '198.51.100.7');
});
