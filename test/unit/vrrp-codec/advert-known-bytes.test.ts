// Encoder output against bytes written by hand from the RFC layouts (the handmade-*
// fixtures, whose checksums were computed by hand), not against the encoder itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAdvert, type EncodableAdvert, type EncodeCtx } from '../../../src/vrrp/proto/packet.js';
import { loadFixtures, referenceChecksum } from './fixtures.js';

function fixture(name: string): Buffer {
  const [f] = loadFixtures(new RegExp(`^${name.replace(/\./g, '\\.')}$`));
  return f!.bytes;
}

test('the keepalived sample instance (VRID 51, prio 100, PASS 1111, 192.168.243.100) encodes to the hand-written bytes', () => {
  const packet = fixture('handmade-v2-pass-vrid51.hex');
  const vrrp = packet.subarray(20);
  // The hand-computed checksums in the fixture agree with an independent RFC 1071 sum.
  assert.equal(vrrp.readUInt16BE(6), 0x635a);
  assert.equal(referenceChecksum(vrrp), 0);
  assert.equal(referenceChecksum(packet.subarray(0, 20)), 0, 'IPv4 header checksum');
  const ours = encodeAdvert({
    version: 2, family: 4, vrid: 51, priority: 100, advertIntervalSec: 1,
    auth: { type: 'pass', password: '1111' }, addresses: ['192.168.243.100'],
  });
  assert.equal(ours.toString('hex'), vrrp.toString('hex'));
});

const v3Cases: Array<{ file: string; advert: EncodableAdvert; ctx: EncodeCtx; checksum: number }> = [
  {
    file: 'handmade-v3-ipv4-vrid10.hex', checksum: 0xa1f4, ctx: { src: '192.0.2.1', dst: '224.0.0.18' },
    advert: { version: 3, family: 4, vrid: 10, priority: 200, advertIntervalCs: 100, addresses: ['192.0.2.10'] },
  },
  {
    file: 'handmade-v3-ipv4-as-v2-vrid10.hex', checksum: 0x4485, ctx: { v3Checksum: 'as-v2' },
    advert: { version: 3, family: 4, vrid: 10, priority: 200, advertIntervalCs: 100, addresses: ['192.0.2.10'] },
  },
  {
    file: 'handmade-v3-ipv6-vrid20.hex', checksum: 0x3e8e, ctx: { src: 'fe80::1', dst: 'ff02::12' },
    advert: { version: 3, family: 6, vrid: 20, priority: 100, advertIntervalCs: 100, addresses: ['2001:db8::20'] },
  },
];

test('VRRPv3 adverts encode to the hand-written bytes, checksum included', () => {
  for (const c of v3Cases) {
    const want = fixture(c.file);
    assert.equal(want.readUInt16BE(6), c.checksum, c.file);
    assert.equal(encodeAdvert(c.advert, c.ctx).toString('hex'), want.toString('hex'), c.file);
  }
});

test('header fields land where RFC 5798 §5.1 puts them', () => {
  const b = encodeAdvert(
    { version: 3, family: 4, vrid: 0xab, priority: 0xcd, advertIntervalCs: 0x0fed, addresses: ['1.2.3.4', '5.6.7.8'] },
    { v3Checksum: 'as-v2' },
  );
  assert.equal(b.length, 8 + 2 * 4);
  assert.deepEqual([...b.subarray(0, 6)], [0x31, 0xab, 0xcd, 2, 0x0f, 0xed]);
  assert.deepEqual([...b.subarray(8)], [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('encoding rejects adverts no valid configuration produces', () => {
  const base = { version: 3 as const, family: 4 as const, vrid: 1, priority: 1, advertIntervalCs: 100, addresses: [] };
  assert.throws(() => encodeAdvert({ ...base, vrid: 0 }, { v3Checksum: 'as-v2' }), /VRID/);
  assert.throws(() => encodeAdvert({ ...base, advertIntervalCs: 4096 }, { v3Checksum: 'as-v2' }), /interval/);
  assert.throws(() => encodeAdvert({ ...base, addresses: ['2001:db8::1'] }, { v3Checksum: 'as-v2' }), /not an IPv4 address/);
  assert.throws(() => encodeAdvert(base, { dst: '224.0.0.18' }), /source address/);
  assert.throws(() => encodeAdvert({ ...base, addresses: Array(256).fill('192.0.2.1') }, { v3Checksum: 'as-v2' }), /at most 255/);
});
