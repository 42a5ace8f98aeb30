import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAdvert, encodeAdvert, type DecodeCtx, type EncodableAdvert, type VrrpPacket } from '../../../src/vrrp/proto/packet.js';
import { checkAdvertForInstance } from '../../../src/vrrp/proto/advert-check.js';
import { loadFixtures, need, referenceChecksum, type Fixture } from './fixtures.js';

function ctxOf(f: Fixture): DecodeCtx {
  const ttl = f.meta.get('ctx.ttl');
  return {
    family: need(f, 'family') === '6' ? 6 : 4,
    framing: need(f, 'framing') as DecodeCtx['framing'],
    ...(f.meta.has('ctx.src') ? { src: f.meta.get('ctx.src') } : {}),
    ...(f.meta.has('ctx.dst') ? { dst: f.meta.get('ctx.dst') } : {}),
    ...(ttl !== undefined ? { ttl: Number(ttl) } : {}),
  };
}

function decodeFixture(f: Fixture): VrrpPacket {
  const r = decodeAdvert(f.bytes, ctxOf(f));
  assert.ok(r.ok, `${f.name}: dropped: ${r.ok ? '' : `${r.reason} ${r.detail}`}`);
  return r.packet;
}

function assertExpectations(f: Fixture, p: VrrpPacket): void {
  const a = p.advert;
  assert.equal(a.version, Number(need(f, 'expect.version')), f.name);
  assert.equal(a.vrid, Number(need(f, 'expect.vrid')), f.name);
  assert.equal(a.priority, Number(need(f, 'expect.priority')), f.name);
  assert.equal(a.version === 2 ? a.advertIntervalSec : a.advertIntervalCs, Number(need(f, 'expect.advertInterval')), f.name);
  assert.deepEqual(a.addresses, need(f, 'expect.addresses').split(' '), f.name);
  assert.equal(p.checksumVariant, need(f, 'expect.checksumVariant'), f.name);
  assert.equal(p.ip.src, need(f, 'expect.src'), f.name);
  assert.equal(p.ip.dst, need(f, 'expect.dst'), f.name);
  assert.equal(p.ip.ttl, Number(need(f, 'expect.ttl')), f.name);
  if (a.version === 2) {
    const [type, password] = need(f, 'expect.auth').split(':');
    assert.deepEqual(a.auth, type === 'pass' ? { type, password } : { type }, f.name);
  }
}

test('every VRRP fixture (captured and hand-written) decodes to what its header says', () => {
  const all = loadFixtures(/\.hex$/).filter((f) => need(f, 'kind') === 'vrrp');
  assert.ok(all.length >= 1, 'no VRRP fixtures');
  for (const f of all) assertExpectations(f, decodeFixture(f));
});

test('adverts captured from keepalived 2.2.7 exist and decode', () => {
  const captured = loadFixtures(/^keepalived-\d+\.\d+\.\d+-v[23]-/);
  assert.ok(captured.length >= 1);
  for (const f of captured) assertExpectations(f, decodeFixture(f));
});

test('our encoder reproduces keepalived\'s captured adverts byte for byte', () => {
  // AH adverts need the IP header the ICV covers, which encodeAdvert does not build.
  const captured = loadFixtures(/^keepalived-\d+\.\d+\.\d+-v[23]-/).filter((f) => f.meta.get('expect.auth') !== 'ah');
  assert.ok(captured.length >= 1);
  for (const f of captured) {
    const p = decodeFixture(f);
    const variant = p.checksumVariant;
    const wire = f.bytes.subarray(p.ip.headerLen);
    const again = encodeAdvert(p.advert as EncodableAdvert, {
      src: p.ip.src, dst: p.ip.dst,
      ...(variant === 'rfc5798' || variant === 'as-v2' || variant === 'old-unicast' ? { v3Checksum: variant } : {}),
    });
    assert.equal(again.toString('hex'), wire.toString('hex'), f.name);
  }
});

test('the AH advert captured from keepalived authenticates with its auth_pass and fails with another', () => {
  const [f] = loadFixtures(/^keepalived-\d+\.\d+\.\d+-v2-ah-/);
  const p = decodeFixture(f!);
  assert.equal(p.ah?.spi, 0xc0000201, 'SPI is the source address');
  const inst = {
    vrid: p.advert.vrid, version: 2 as const, family: 4 as const, priority: 100, advertIntervalCs: 200,
    auth: { type: 'ah' as const, password: need(f!, 'expect.ahKey') }, vips: p.advert.addresses, vipCheck: 'drop' as const,
  };
  assert.deepEqual(checkAdvertForInstance(p, inst), { ok: true, notes: [] });
  // keepalived keeps the first 8 characters of auth_pass, so the configured 11 work too.
  assert.equal(checkAdvertForInstance(p, { ...inst, auth: { type: 'ah', password: 'secret12345' } }).ok, true);
  const wrong = checkAdvertForInstance(p, { ...inst, auth: { type: 'ah', password: 'secret13' } });
  assert.equal(wrong.ok ? 'accepted' : wrong.reason, 'AUTH_FAILURE');
  // Any change to the authenticated bytes breaks the ICV, even with a valid VRRP checksum.
  const tampered = Buffer.from(f!.bytes);
  const vrrp = tampered.subarray(20 + 24); // IPv4 header + AH
  vrrp[2] = 0xfe; // priority
  vrrp.writeUInt16BE(0, 6);
  vrrp.writeUInt16BE(referenceChecksum(vrrp), 6);
  const r = decodeAdvert(tampered, { family: 4 });
  assert.ok(r.ok, r.ok ? '' : r.detail);
  assert.equal(r.packet.advert.priority, 0xfe);
  const t = checkAdvertForInstance(r.packet, inst);
  assert.equal(t.ok ? 'accepted' : t.reason, 'AUTH_FAILURE');
});
