import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  buildGratuitousArp, buildUnsolicitedNa, buildUnsolicitedNaPayload, decodeArpFrame, decodeNaFrame, decodeNaPayload,
  ipv6MulticastMac, vrrpVirtualMac,
} from '../../../src/vrrp/proto/garp.js';
import { ipv4Text, ipv6Text } from './arbitraries.js';
import { loadFixtures, need, referenceChecksum } from './fixtures.js';

test('our gratuitous ARP is byte for byte the frame keepalived 2.2.7 sent', () => {
  const fixtures = loadFixtures(/^keepalived-\d+\.\d+\.\d+-garp-/);
  for (const f of fixtures) {
    const d = decodeArpFrame(f.bytes);
    assert.ok(d.ok, d.ok ? '' : d.detail);
    for (const k of ['ethDst', 'ethSrc', 'senderMac', 'senderIp', 'targetMac', 'targetIp'] as const) {
      assert.equal(d.value[k], need(f, `expect.${k}`), `${f.name} ${k}`);
    }
    assert.equal(d.value.op, Number(need(f, 'expect.op')));
    assert.equal(d.value.gratuitous, true);
    const ours = buildGratuitousArp({ mac: d.value.ethSrc, vip: d.value.senderIp });
    assert.equal(ours.toString('hex'), f.bytes.toString('hex'), f.name);
  }
});

test('our unsolicited NA is byte for byte the frame keepalived 2.2.7 sent', () => {
  const fixtures = loadFixtures(/^keepalived-\d+\.\d+\.\d+-na-/);
  for (const f of fixtures) {
    const d = decodeNaFrame(f.bytes);
    assert.ok(d.ok, d.ok ? '' : d.detail);
    for (const k of ['ethDst', 'ethSrc', 'src', 'dst', 'target', 'targetMac'] as const) {
      assert.equal(d.value[k], need(f, `expect.${k}`), `${f.name} ${k}`);
    }
    assert.equal(d.value.hopLimit, Number(need(f, 'expect.hopLimit')));
    assert.equal(String(d.value.router), need(f, 'expect.router'));
    assert.equal(String(d.value.solicited), need(f, 'expect.solicited'));
    assert.equal(String(d.value.override), need(f, 'expect.override'));
    const ours = buildUnsolicitedNa({ mac: d.value.ethSrc!, vip: d.value.target, router: d.value.router });
    // keepalived sets IPv6 traffic class / flow label to 0 too, so the whole frame must match.
    assert.equal(ours.toString('hex'), f.bytes.toString('hex'), f.name);
  }
});

test('gratuitous ARP layout: broadcast, ARP request, sender IP = target IP = VIP (RFC 826 / RFC 5227 §3)', () => {
  const b = buildGratuitousArp({ mac: '02:00:00:00:00:01', vip: '192.0.2.100' });
  assert.equal(b.length, 42);
  assert.equal(b.subarray(0, 14).toString('hex'), 'ffffffffffff' + '020000000001' + '0806');
  assert.equal(b.subarray(14).toString('hex'),
    '0001' + '0800' + '06' + '04' + '0001' + '020000000001' + 'c0000264' + 'ffffffffffff' + 'c0000264');
  const reply = decodeArpFrame(buildGratuitousArp({ mac: '02:00:00:00:00:01', vip: '192.0.2.1', op: 'reply', targetMac: '00:00:00:00:00:00' }));
  assert.ok(reply.ok);
  assert.equal(reply.value.op, 2);
  assert.equal(reply.value.targetMac, '00:00:00:00:00:00');
});

test('unsolicited NA layout: type 136, Override set, Solicited clear, target LL option, checksum over the pseudo-header', () => {
  const na = buildUnsolicitedNaPayload({ mac: '02:00:00:00:00:01', vip: '2001:db8::1', router: true });
  assert.equal(na.toString('hex').slice(0, 4), '8800');
  assert.equal(na[4], 0xa0, 'Router + Override');
  assert.equal(na.subarray(8, 24).toString('hex'), '20010db8000000000000000000000001');
  assert.equal(na.subarray(24).toString('hex'), '0201' + '020000000001');
  const ph = Buffer.concat([
    Buffer.from('20010db8000000000000000000000001', 'hex'), Buffer.from('ff020000000000000000000000000001', 'hex'),
    Buffer.from([0, 0, 0, na.length, 0, 0, 0, 58]),
  ]);
  assert.equal(referenceChecksum(ph, na), 0);
  const frame = buildUnsolicitedNa({ mac: '02:00:00:00:00:01', vip: '2001:db8::1', src: 'fe80::1' });
  assert.equal(frame.subarray(0, 6).toString('hex'), '333300000001');
  assert.equal(frame[14 + 7], 255, 'hop limit');
  const d = decodeNaFrame(frame);
  assert.ok(d.ok, d.ok ? '' : d.detail);
  assert.equal(d.value.src, 'fe80::1');
});

test('NA decoder rejects a corrupted checksum and a zero-length option', () => {
  const na = buildUnsolicitedNaPayload({ mac: '02:00:00:00:00:01', vip: '2001:db8::1' });
  const ip = { src: '2001:db8::1', dst: 'ff02::1' };
  assert.equal(decodeNaPayload(na, ip).ok, true);
  const bad = Buffer.from(na);
  bad[30]! ^= 1;
  assert.equal(decodeNaPayload(bad, ip).ok, false);
  const zeroLen = Buffer.from(na);
  zeroLen[25] = 0;
  zeroLen.writeUInt16BE(0, 2);
  const ph = Buffer.concat([Buffer.from('20010db8000000000000000000000001ff020000000000000000000000000001', 'hex'), Buffer.from([0, 0, 0, 32, 0, 0, 0, 58])]);
  zeroLen.writeUInt16BE(referenceChecksum(ph, zeroLen), 2);
  const r = decodeNaPayload(zeroLen, ip);
  assert.match(r.ok ? '' : r.detail, /malformed ND option/);
});

test('virtual router MACs: 00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID for IPv6 (RFC 5798 §7.3)', () => {
  assert.equal(vrrpVirtualMac(51, 4), '00:00:5e:00:01:33');
  assert.equal(vrrpVirtualMac(255, 6), '00:00:5e:00:02:ff');
  assert.throws(() => vrrpVirtualMac(0, 4), RangeError);
  assert.equal(ipv6MulticastMac('ff02::12'), '33:33:00:00:00:12');
});

test('property: ARP and NA frames decode back to what was built; decoders never throw on random bytes', () => {
  const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':'));
  fc.assert(fc.property(mac, ipv4Text, (m, vip) => {
    const d = decodeArpFrame(buildGratuitousArp({ mac: m, vip }));
    assert.ok(d.ok);
    assert.deepEqual([d.value.ethSrc, d.value.senderMac, d.value.senderIp, d.value.targetIp], [m, m, vip, vip]);
  }));
  fc.assert(fc.property(mac, ipv6Text, fc.boolean(), (m, vip, router) => {
    const d = decodeNaFrame(buildUnsolicitedNa({ mac: m, vip, router }));
    assert.ok(d.ok, d.ok ? '' : d.detail);
    assert.deepEqual([d.value.target, d.value.targetMac, d.value.router, d.value.override, d.value.solicited], [vip, m, router, true, false]);
  }));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
    assert.equal(typeof decodeArpFrame(bytes).ok, 'boolean');
    assert.equal(typeof decodeNaFrame(bytes).ok, 'boolean');
  }), { numRuns: 2000 });
  // Valid frames with bytes overwritten or cut, so the deeper parsing paths run too.
  const frames = [buildGratuitousArp({ mac: '02:00:00:00:00:01', vip: '192.0.2.1' }), buildUnsolicitedNa({ mac: '02:00:00:00:00:01', vip: '2001:db8::1' })];
  fc.assert(fc.property(fc.constantFrom(...frames), fc.nat(), fc.nat(255), fc.nat(), (frame, at, value, cut) => {
    const b = Buffer.from(frame);
    b[at % b.length] = value;
    const c = b.subarray(0, cut % (b.length + 1));
    assert.equal(typeof decodeArpFrame(c).ok, 'boolean');
    assert.equal(typeof decodeNaFrame(c).ok, 'boolean');
  }), { numRuns: 3000 });
});
