import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAdvert, encodeAdvert, type EncodableAdvert, type V3ChecksumVariant } from '../../../src/vrrp/proto/packet.js';
import { sentAdvert } from './arbitraries.js';

test('a VRRPv2 PASS advert survives encode -> decode unchanged', () => {
  const advert: EncodableAdvert = {
    version: 2, family: 4, vrid: 51, priority: 100, advertIntervalSec: 1,
    auth: { type: 'pass', password: '1111' }, addresses: ['192.0.2.100', '192.0.2.101'],
  };
  const r = decodeAdvert(encodeAdvert(advert), { family: 4, framing: 'payload', ttl: 255 });
  assert.ok(r.ok, r.ok ? '' : r.detail);
  assert.deepEqual(r.packet.advert, advert);
  assert.equal(r.packet.checksumVariant, 'v2');
  assert.equal(r.packet.authData?.toString('hex'), '3131313100000000');
});

test('a VRRPv3 IPv6 advert survives encode -> decode unchanged', () => {
  const advert: EncodableAdvert = {
    version: 3, family: 6, vrid: 7, priority: 254, advertIntervalCs: 4095, addresses: ['2001:db8::7', 'fe80::1'],
  };
  const ctx = { src: 'fe80::2', dst: 'ff02::12' };
  const r = decodeAdvert(encodeAdvert(advert, ctx), { family: 6, ...ctx, ttl: 255 });
  assert.ok(r.ok, r.ok ? '' : r.detail);
  assert.deepEqual(r.packet.advert, advert);
  assert.equal(r.packet.checksumVariant, 'ipv6');
  assert.equal(r.packet.v3Reserved, 0);
});

test('auth_pass longer than 8 characters goes out truncated, as keepalived sends it', () => {
  const wire = encodeAdvert({
    version: 2, family: 4, vrid: 1, priority: 1, advertIntervalSec: 3, auth: { type: 'pass', password: 'abcdefghij' }, addresses: [],
  });
  assert.equal(wire.subarray(-8).toString('latin1'), 'abcdefgh');
  const r = decodeAdvert(wire, { family: 4, framing: 'payload', ttl: 255 });
  assert.ok(r.ok);
  assert.deepEqual(r.packet.advert.version === 2 && r.packet.advert.auth, { type: 'pass', password: 'abcdefgh' });
});

test('property: decode(encode(advert)) returns the advert, and re-encoding gives the same bytes', () => {
  fc.assert(fc.property(sentAdvert, ({ advert, enc, dec }) => {
    const wire = encodeAdvert(advert, enc);
    const r = decodeAdvert(wire, dec);
    assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.detail}`);
    assert.deepEqual(r.packet.advert, advert);
    assert.equal(r.packet.ip.src, dec.src);
    assert.equal(r.packet.ip.dst, dec.dst);
    const v = r.packet.checksumVariant;
    const again = encodeAdvert(r.packet.advert as EncodableAdvert, {
      ...enc, ...(v === 'rfc5798' || v === 'as-v2' || v === 'old-unicast' ? { v3Checksum: v as V3ChecksumVariant } : {}),
    });
    assert.equal(again.toString('hex'), wire.toString('hex'));
  }), { numRuns: 300 });
});

test('property: with an IPv4 header in front, decode finds the same advert (auto framing)', () => {
  fc.assert(fc.property(sentAdvert.filter((s) => s.advert.family === 4), ({ advert, enc, dec }) => {
    const payload = encodeAdvert(advert, enc);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + payload.length, 2);
    ip[8] = 255;
    ip[9] = 112;
    Buffer.from(dec.src!.split('.').map(Number)).copy(ip, 12);
    Buffer.from(dec.dst!.split('.').map(Number)).copy(ip, 16);
    const r = decodeAdvert(Buffer.concat([ip, payload]), { family: 4 });
    assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.detail}`);
    assert.deepEqual(r.packet.advert, advert);
    assert.equal(r.packet.ip.headerLen, 20);
    assert.equal(r.packet.ip.ttl, 255);
  }), { numRuns: 200 });
});
