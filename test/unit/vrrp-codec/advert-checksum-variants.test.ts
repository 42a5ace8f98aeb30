// The three IPv4 VRRPv3 checksum rules keepalived interoperates with, and IPv6's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAdvert, encodeAdvert, type AdvertV3, type DecodeCtx } from '../../../src/vrrp/proto/packet.js';
import { referenceChecksum } from './fixtures.js';

const advert: AdvertV3 = { version: 3, family: 4, vrid: 10, priority: 200, advertIntervalCs: 100, addresses: ['192.0.2.10'] };
const unicast = { src: '192.0.2.1', dst: '192.0.2.2' };
const rx = (extra: Partial<DecodeCtx> = {}): DecodeCtx => ({ family: 4, framing: 'payload', ...unicast, ttl: 255, ttlRange: 'ignore', ...extra });

// Pseudo-header bytes written out by hand: src, dst, zero, protocol 112, length 12.
const pseudo = (dst: number[]): Buffer => Buffer.from([192, 0, 2, 1, ...dst, 0, 112, 0, 12]);

test('rfc5798: the checksum covers the pseudo-header with the real destination', () => {
  const wire = encodeAdvert(advert, { ...unicast, v3Checksum: 'rfc5798' });
  assert.equal(referenceChecksum(pseudo([192, 0, 2, 2]), wire), 0);
  const r = decodeAdvert(wire, rx());
  assert.ok(r.ok);
  assert.equal(r.packet.checksumVariant, 'rfc5798');
});

test('as-v2: the checksum covers the VRRP message only (v3_checksum_as_v2)', () => {
  const wire = encodeAdvert(advert, { v3Checksum: 'as-v2' });
  assert.equal(referenceChecksum(wire), 0);
  const r = decodeAdvert(wire, rx());
  assert.ok(r.ok);
  assert.equal(r.packet.checksumVariant, 'as-v2');
});

test('old-unicast: the pseudo-header names 224.0.0.18 even when sent unicast (old_unicast_checksum)', () => {
  const wire = encodeAdvert(advert, { ...unicast, v3Checksum: 'old-unicast' });
  assert.equal(referenceChecksum(pseudo([224, 0, 0, 18]), wire), 0);
  const r = decodeAdvert(wire, rx());
  assert.ok(r.ok);
  assert.equal(r.packet.checksumVariant, 'old-unicast');
});

test('on multicast, rfc5798 and old-unicast are the same bytes and rfc5798 is reported', () => {
  const mc = { src: '192.0.2.1', dst: '224.0.0.18' };
  const a = encodeAdvert(advert, { ...mc, v3Checksum: 'rfc5798' });
  assert.deepEqual(encodeAdvert(advert, { ...mc, v3Checksum: 'old-unicast' }), a);
  const r = decodeAdvert(a, rx(mc));
  assert.ok(r.ok);
  assert.equal(r.packet.checksumVariant, 'rfc5798');
});

test('v3Checksums restricts which rules are accepted, in the order given', () => {
  const asV2 = encodeAdvert(advert, { v3Checksum: 'as-v2' });
  const strict = decodeAdvert(asV2, rx({ v3Checksums: ['rfc5798'] }));
  assert.equal(strict.ok ? 'accepted' : strict.reason, 'BAD_CHECKSUM');
  assert.match(strict.ok ? '' : strict.detail, /tried rfc5798/);
  const old = encodeAdvert(advert, { ...unicast, v3Checksum: 'old-unicast' });
  const noOld = decodeAdvert(old, rx({ v3Checksums: ['rfc5798', 'as-v2'] }));
  assert.equal(noOld.ok ? 'accepted' : noOld.reason, 'BAD_CHECKSUM');
});

test('without the source address only as-v2 can be verified', () => {
  const rfc = encodeAdvert(advert, { ...unicast });
  const r = decodeAdvert(rfc, { family: 4, framing: 'payload', ttl: 255 });
  assert.equal(r.ok ? 'accepted' : r.reason, 'BAD_CHECKSUM');
  assert.match(r.ok ? '' : r.detail, /addresses unknown/);
  const asV2 = decodeAdvert(encodeAdvert(advert, { v3Checksum: 'as-v2' }), { family: 4, framing: 'payload', ttl: 255 });
  assert.ok(asV2.ok);
});

test('IPv6: checksum over the IPv6 pseudo-header, or 0 left for the kernel when addresses are not given', () => {
  const a6: AdvertV3 = { ...advert, family: 6, addresses: ['2001:db8::10'] };
  const ctx = { src: 'fe80::1', dst: 'ff02::12' };
  const wire = encodeAdvert(a6, ctx);
  const ph = Buffer.concat([
    Buffer.from('fe800000000000000000000000000001', 'hex'), Buffer.from('ff020000000000000000000000000012', 'hex'),
    Buffer.from([0, 0, 0, wire.length, 0, 0, 0, 112]),
  ]);
  assert.equal(referenceChecksum(ph, wire), 0);
  const forKernel = encodeAdvert(a6);
  assert.equal(forKernel.readUInt16BE(6), 0);
  const trusted = decodeAdvert(forKernel, { family: 6, ttl: 255, ipv6ChecksumVerifiedByKernel: true });
  assert.ok(trusted.ok);
  assert.equal(trusted.packet.checksumVariant, 'kernel');
  // With the addresses known we verify ourselves, even if the kernel was trusted.
  const checked = decodeAdvert(forKernel, { family: 6, ...ctx, ttl: 255, ipv6ChecksumVerifiedByKernel: true });
  assert.equal(checked.ok ? 'accepted' : checked.reason, 'BAD_CHECKSUM');
});
