// What checkAdvertForInstance accepts with a note instead of dropping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAdvert, encodeAdvert, type EncodableAdvert, type VrrpPacket } from '../../../src/vrrp/proto/packet.js';
import { checkAdvertForInstance, type InstanceExpectation } from '../../../src/vrrp/proto/advert-check.js';

function packetOf(advert: EncodableAdvert): VrrpPacket {
  const ctx = advert.family === 4 ? { src: '192.0.2.1', dst: '224.0.0.18' } : { src: 'fe80::1', dst: 'ff02::12' };
  const r = decodeAdvert(encodeAdvert(advert, ctx), { family: advert.family, framing: 'payload', ...ctx, ttl: 255 });
  assert.ok(r.ok, r.ok ? '' : r.detail);
  return r.packet;
}

const v3 = (over: Partial<EncodableAdvert & { version: 3 }> = {}): VrrpPacket => packetOf({
  version: 3, family: 4, vrid: 52, priority: 150, advertIntervalCs: 100, addresses: ['192.0.2.101', '192.0.2.102'], ...over,
} as EncodableAdvert);
const inst: InstanceExpectation = {
  vrid: 52, version: 3, family: 4, priority: 100, advertIntervalCs: 100, auth: { type: 'none' },
  vips: ['192.0.2.102', '192.0.2.101'], vipCheck: 'drop',
};

test('VIP order does not matter', () => {
  assert.deepEqual(checkAdvertForInstance(v3(), inst), { ok: true, notes: [] });
});

test('vipCheck log: a different VIP list is accepted with a vip-mismatch note', () => {
  const r = checkAdvertForInstance(v3({ addresses: ['192.0.2.101', '192.0.2.9'] }), { ...inst, vipCheck: 'log' });
  assert.ok(r.ok);
  assert.equal(r.notes.length, 1);
  assert.equal(r.notes[0]!.kind, 'vip-mismatch');
  assert.match(r.notes[0]!.detail, /192\.0\.2\.102/);
});

test('vipCheck drop: the address owner\'s advert continues despite a VIP mismatch (RFC §7.1), with a note', () => {
  const fromOwner = checkAdvertForInstance(v3({ priority: 255, addresses: ['192.0.2.9'] }), inst);
  assert.ok(fromOwner.ok);
  assert.deepEqual(fromOwner.notes.map((n) => n.kind), ['vip-mismatch']);
  const fromOther = checkAdvertForInstance(v3({ priority: 254, addresses: ['192.0.2.9'] }), inst);
  assert.equal(fromOther.ok ? 'accepted' : fromOther.reason, 'ADDR_COUNT_MISMATCH');
});

test('vipCheck skip: the list is not compared at all (skip_check_adv_addr, same master)', () => {
  assert.deepEqual(checkAdvertForInstance(v3({ addresses: [] }), { ...inst, vipCheck: 'skip' }), { ok: true, notes: [] });
});

test('VRRPv3: a different advert interval is accepted, noting the master\'s interval for the backup to adopt', () => {
  const r = checkAdvertForInstance(v3({ advertIntervalCs: 250 }), inst);
  assert.ok(r.ok);
  assert.deepEqual(r.notes.map((n) => n.kind === 'advert-interval-differs' && n.advertIntervalCs), [250]);
});

test('IPv6 VIPs compare by address, not by spelling', () => {
  const p = packetOf({ version: 3, family: 6, vrid: 53, priority: 200, advertIntervalCs: 100, addresses: ['2001:db8::100'] });
  const r = checkAdvertForInstance(p, { ...inst, vrid: 53, family: 6, vips: ['2001:0DB8:0:0:0:0:0:0100'] });
  assert.deepEqual(r, { ok: true, notes: [] });
});

test('the address owner accepts adverts unless told to ignore them', () => {
  assert.equal(checkAdvertForInstance(v3(), { ...inst, priority: 255 }).ok, true);
  const r = checkAdvertForInstance(v3(), { ...inst, priority: 255, ownerIgnoresAdverts: true });
  assert.equal(r.ok ? 'accepted' : r.reason, 'LOCAL_IS_OWNER');
});

test('VRID is checked first, so adverts for other routers are reported as such', () => {
  const r = checkAdvertForInstance(v3({ vrid: 9, addresses: [] }), { ...inst, version: 2 });
  assert.equal(r.ok ? 'accepted' : r.reason, 'VRID_MISMATCH');
});
