// Table tests: one row per way an advert is dropped, each built by mutating a valid packet.
// The last test fails when a DropReason has no row, so a new reason cannot go untested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DROP_REASONS, type DropReason } from '../../../src/vrrp/proto/drop-reason.js';
import { decodeAdvert, encodeAdvert, type DecodeCtx, type VrrpPacket } from '../../../src/vrrp/proto/packet.js';
import { checkAdvertForInstance, type InstanceExpectation } from '../../../src/vrrp/proto/advert-check.js';
import { loadFixtures, referenceChecksum } from './fixtures.js';

const SRC = '192.0.2.1';
const GROUP = '224.0.0.18';

/** A 20-byte IPv4 header written field by field (checksum left 0: the kernel checked it). */
function ipv4(payload: Buffer, o: { ttl?: number; proto?: number; dst?: number[]; frag?: number } = {}): Buffer {
  const h = Buffer.from([0x45, 0xc0, 0, 0, 0, 0, 0, 0, o.ttl ?? 255, o.proto ?? 112, 0, 0, 192, 0, 2, 1, ...(o.dst ?? [224, 0, 0, 18])]);
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(o.frag ?? 0, 6);
  return Buffer.concat([h, payload]);
}

const v2Pass = (): Buffer => encodeAdvert({
  version: 2, family: 4, vrid: 51, priority: 100, advertIntervalSec: 1, auth: { type: 'pass', password: '1111' }, addresses: ['192.0.2.100'],
});
const v3v4 = (): Buffer => encodeAdvert(
  { version: 3, family: 4, vrid: 52, priority: 150, advertIntervalCs: 100, addresses: ['192.0.2.101'] }, { src: SRC, dst: GROUP },
);
const v3v6 = (): Buffer => encodeAdvert(
  { version: 3, family: 6, vrid: 53, priority: 200, advertIntervalCs: 100, addresses: ['2001:db8::100'] }, { src: 'fe80::1', dst: 'ff02::12' },
);
const V6CTX: DecodeCtx = { family: 6, src: 'fe80::1', dst: 'ff02::12', ttl: 255 };

/** Apply `edit` to the VRRP message, then make its checksum valid again (v2 style). */
function reChecksummed(vrrp: Buffer, edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(vrrp);
  edit(b);
  b.writeUInt16BE(0, 6);
  b.writeUInt16BE(referenceChecksum(b), 6);
  return b;
}

interface PacketRow { name: string; reason: DropReason; bytes: Buffer; ctx: DecodeCtx }

const packetRows: PacketRow[] = [
  { name: 'IPv4 buffer shorter than an IP header', reason: 'PACKET_TOO_SHORT', bytes: Buffer.from([0x45, 0, 0, 10]), ctx: { family: 4 } },
  { name: 'IP header but no room for the VRRP header', reason: 'PACKET_TOO_SHORT', bytes: ipv4(Buffer.from([0x21, 51, 100])), ctx: { family: 4 } },
  { name: 'payload shorter than 8 bytes', reason: 'PACKET_TOO_SHORT', bytes: v2Pass().subarray(0, 7), ctx: { family: 4, framing: 'payload', ttl: 255 } },
  { name: 'IPv6 header truncated', reason: 'PACKET_TOO_SHORT', bytes: Buffer.from([0x60, 0, 0, 0]), ctx: { family: 6 } },
  { name: 'IHL below 5', reason: 'INVALID_IP_HEADER', bytes: (() => { const b = ipv4(v2Pass()); b[0] = 0x44; return b; })(), ctx: { family: 4 } },
  { name: 'IPv6 packet on an IPv4 socket', reason: 'INVALID_IP_HEADER', bytes: Buffer.concat([Buffer.from([0x60]), ipv4(v2Pass()).subarray(1)]), ctx: { family: 4, framing: 'ip-header' } },
  { name: 'IPv4 fragment', reason: 'INVALID_IP_HEADER', bytes: ipv4(v2Pass(), { frag: 0x2000 }), ctx: { family: 4 } },
  { name: 'ancillary source of the wrong family', reason: 'INVALID_IP_HEADER', bytes: v3v6(), ctx: { ...V6CTX, src: '192.0.2.1' } },
  { name: 'IP protocol UDP', reason: 'NOT_VRRP', bytes: ipv4(v2Pass(), { proto: 17 }), ctx: { family: 4 } },
  { name: 'AH carrying TCP', reason: 'NOT_VRRP', bytes: ipv4(Buffer.concat([Buffer.from([6, 4]), Buffer.alloc(22), v2Pass()]), { proto: 51 }), ctx: { family: 4 } },
  { name: 'TTL 254 on multicast', reason: 'INVALID_TTL', bytes: ipv4(v2Pass(), { ttl: 254 }), ctx: { family: 4 } },
  { name: 'no TTL known for payload framing', reason: 'INVALID_TTL', bytes: v3v6(), ctx: { family: 6, src: 'fe80::1', dst: 'ff02::12' } },
  { name: 'TTL outside a unicast peer min/max_ttl', reason: 'INVALID_TTL', bytes: ipv4(v2Pass(), { ttl: 255 }), ctx: { family: 4, ttlRange: { min: 60, max: 64 } } },
  { name: 'version 1', reason: 'WRONG_VERSION', bytes: ipv4(reChecksummed(v2Pass(), (b) => { b[0] = 0x11; })), ctx: { family: 4 } },
  { name: 'VRRPv2 over IPv6', reason: 'WRONG_VERSION', bytes: reChecksummed(v3v6(), (b) => { b[0] = 0x21; }), ctx: V6CTX },
  { name: 'type 2', reason: 'INVALID_TYPE', bytes: ipv4(reChecksummed(v2Pass(), (b) => { b[0] = 0x22; })), ctx: { family: 4 } },
  { name: 'count says 2 addresses, 1 present', reason: 'PKT_LEN_MISMATCH', bytes: ipv4(reChecksummed(v2Pass(), (b) => { b[3] = 2; })), ctx: { family: 4 } },
  { name: 'trailing bytes after the auth data', reason: 'PKT_LEN_MISMATCH', bytes: ipv4(Buffer.concat([v2Pass(), Buffer.alloc(4)])), ctx: { family: 4 } },
  { name: 'IPv4 total length disagrees with bytes received', reason: 'PKT_LEN_MISMATCH', bytes: ipv4(v2Pass()).subarray(0, 39), ctx: { family: 4 } },
  { name: 'VRRPv2 checksum off by one', reason: 'BAD_CHECKSUM', bytes: ipv4((() => { const b = v2Pass(); b[7]! ^= 1; return b; })()), ctx: { family: 4 } },
  { name: 'VRRPv3 IPv4 checksum verified against another source', reason: 'BAD_CHECKSUM', bytes: v3v4(), ctx: { family: 4, framing: 'payload', src: '192.0.2.9', dst: GROUP, ttl: 255 } },
  { name: 'VRRPv3 as-v2 checksum when only rfc5798 is accepted', reason: 'BAD_CHECKSUM',
    bytes: encodeAdvert({ version: 3, family: 4, vrid: 52, priority: 150, advertIntervalCs: 100, addresses: [] }, { v3Checksum: 'as-v2' }),
    ctx: { family: 4, framing: 'payload', src: SRC, dst: GROUP, ttl: 255, v3Checksums: ['rfc5798'] } },
  { name: 'IPv6 checksum with addresses unknown', reason: 'BAD_CHECKSUM', bytes: v3v6(), ctx: { family: 6, ttl: 255 } },
  { name: 'auth type 3', reason: 'INVALID_AUTH_TYPE', bytes: ipv4(reChecksummed(v2Pass(), (b) => { b[4] = 3; })), ctx: { family: 4 } },
  { name: 'auth type AH without an AH header', reason: 'AUTH_TYPE_MISMATCH', bytes: ipv4(reChecksummed(v2Pass(), (b) => { b[4] = 2; })), ctx: { family: 4 } },
];

test('decodeAdvert drops each malformed packet with its reason', () => {
  for (const row of packetRows) {
    const r = decodeAdvert(row.bytes, row.ctx);
    assert.equal(r.ok ? 'accepted' : r.reason, row.reason, row.name);
    if (!r.ok) assert.ok(r.detail.length > 0, row.name);
  }
});

test('the table rows differ from a valid packet only by their mutation', () => {
  // Guards against rows that fail for an unintended reason: the unmutated bases decode.
  for (const [bytes, ctx] of [[ipv4(v2Pass()), { family: 4 }], [v3v6(), V6CTX], [ipv4(v3v4()), { family: 4 }]] as const) {
    assert.equal(decodeAdvert(bytes, ctx).ok, true);
  }
});

function decoded(bytes: Buffer, ctx: DecodeCtx): VrrpPacket {
  const r = decodeAdvert(bytes, ctx);
  assert.ok(r.ok, r.ok ? '' : r.detail);
  return r.packet;
}

const v2Inst: InstanceExpectation = {
  vrid: 51, version: 2, family: 4, priority: 90, advertIntervalCs: 100,
  auth: { type: 'pass', password: '1111' }, vips: ['192.0.2.100'], vipCheck: 'drop',
};
const unicastPkt = (): VrrpPacket => decoded(ipv4(encodeAdvert(
  { version: 3, family: 4, vrid: 55, priority: 110, advertIntervalCs: 100, addresses: ['192.0.2.105'] }, { src: SRC, dst: '192.0.2.2' },
), { dst: [192, 0, 2, 2] }), { family: 4 });
const uniInst: InstanceExpectation = {
  vrid: 55, version: 3, family: 4, priority: 100, advertIntervalCs: 100, auth: { type: 'none' }, vips: ['192.0.2.105'],
  vipCheck: 'drop', unicastPeers: ['192.0.2.1'], checkUnicastSrc: true,
};

interface InstanceRow { name: string; reason: DropReason; packet: () => VrrpPacket; inst: InstanceExpectation }

const v2 = (): VrrpPacket => decoded(ipv4(v2Pass()), { family: 4 });
const instanceRows: InstanceRow[] = [
  { name: 'other VRID', reason: 'VRID_MISMATCH', packet: v2, inst: { ...v2Inst, vrid: 52 } },
  { name: 'IPv6 advert, IPv4 instance', reason: 'FAMILY_MISMATCH', packet: () => decoded(v3v6(), V6CTX), inst: { ...v2Inst, vrid: 53, version: 3 } },
  { name: 'v2 advert, v3 instance', reason: 'WRONG_VERSION', packet: v2, inst: { ...v2Inst, version: 3 } },
  { name: 'PASS advert, no-auth instance', reason: 'AUTH_TYPE_MISMATCH', packet: v2, inst: { ...v2Inst, auth: { type: 'none' } } },
  { name: 'PASS advert, AH instance', reason: 'AUTH_TYPE_MISMATCH', packet: v2, inst: { ...v2Inst, auth: { type: 'ah', password: '1111' } } },
  { name: 'wrong auth_pass', reason: 'AUTH_FAILURE', packet: v2, inst: { ...v2Inst, auth: { type: 'pass', password: '1112' } } },
  { name: 'AH advert with the wrong key', reason: 'AUTH_FAILURE',
    packet: () => { const [f] = loadFixtures(/^keepalived-\d+\.\d+\.\d+-v2-ah-/); return decoded(f!.bytes, { family: 4 }); },
    inst: { ...v2Inst, vrid: 54, advertIntervalCs: 200, vips: ['192.0.2.104'], auth: { type: 'ah', password: 'wrong' } } },
  { name: 'v2 interval 1 s, ours 2 s', reason: 'ADV_INTVL_MISMATCH', packet: v2, inst: { ...v2Inst, advertIntervalCs: 200 } },
  { name: 'one VIP in the advert, two configured', reason: 'ADDR_COUNT_MISMATCH', packet: v2, inst: { ...v2Inst, vips: ['192.0.2.100', '192.0.2.99'] } },
  { name: 'a configured VIP missing from the advert', reason: 'VIP_MISMATCH', packet: v2, inst: { ...v2Inst, vips: ['192.0.2.99'] } },
  { name: 'multicast advert, unicast instance', reason: 'UNEXPECTED_CAST', packet: v2, inst: { ...v2Inst, unicastPeers: ['192.0.2.1'] } },
  { name: 'unicast advert, multicast instance', reason: 'UNEXPECTED_CAST', packet: unicastPkt, inst: { ...uniInst, unicastPeers: [] } },
  { name: 'unicast advert from a non-peer', reason: 'UNICAST_SRC_NOT_PEER', packet: unicastPkt, inst: { ...uniInst, unicastPeers: ['192.0.2.3'] } },
  { name: 'owner ignoring adverts', reason: 'LOCAL_IS_OWNER', packet: v2, inst: { ...v2Inst, priority: 255, ownerIgnoresAdverts: true } },
];

test('checkAdvertForInstance drops each mismatch with its reason', () => {
  for (const row of instanceRows) {
    const r = checkAdvertForInstance(row.packet(), row.inst);
    assert.equal(r.ok ? 'accepted' : r.reason, row.reason, row.name);
  }
  // And the unmutated instances accept their packets.
  assert.deepEqual(checkAdvertForInstance(v2(), v2Inst), { ok: true, notes: [] });
  assert.deepEqual(checkAdvertForInstance(unicastPkt(), uniInst), { ok: true, notes: [] });
});

test('every DropReason has at least one table row', () => {
  const covered = new Set<DropReason>([...packetRows, ...instanceRows].map((r) => r.reason));
  assert.deepEqual(DROP_REASONS.filter((r) => !covered.has(r)), []);
});
