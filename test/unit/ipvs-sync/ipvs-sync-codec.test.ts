// IPVS sync protocol v1 (the kernel's sync daemon, keepalived's lvs_sync_daemon): the
// captured message decodes field by field; round trips (IPv4, IPv6, options, padding);
// bytes built by hand for an IPv6 entry with sequence data; every drop reason of the
// kernel's receiver; and decode never throws on random bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { decodeSyncMessage, encodeSyncMessage, summarise, type SyncConn, type SyncMessage } from '../../../src/dataplane/ipvs-sync/codec.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/ipvs-sync/', import.meta.url));

function hexFile(name: string): Buffer {
  const text = readFileSync(`${FIXTURES}${name}`, 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('');
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

const conn = (over: Partial<SyncConn> = {}): SyncConn => ({
  family: 4, protocol: 6, flags: 0, state: 1, cport: 60276, vport: 80, dport: 80, fwmark: 0, timeoutS: 900,
  caddr: '10.9.9.9', vaddr: '10.9.9.9', daddr: '10.3.0.2', ...over,
});

test('the captured message: 188 bytes, syncid 5, five TCP connections', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.hex'));
  assert.ok(files.length >= 1, 'fixture glob matched');
  const b = hexFile('capture-nat-5-conns.hex');
  assert.equal(b.length, 188);
  const r = decodeSyncMessage(b);
  assert.ok(r.ok, r.ok ? '' : r.detail);
  assert.equal(r.message.syncId, 5);
  assert.deepEqual(r.message.conns[0], conn());
  assert.deepEqual(r.message.conns.map((c) => [c.cport, c.state, c.flags, c.timeoutS]), [
    [60276, 1, 0, 900], [60276, 4, 0x100, 120], [60276, 5, 0x100, 120], [46452, 4, 0x100, 120], [46452, 5, 0x100, 120],
  ]);
  assert.deepEqual(summarise(r.message), { conns: 5, templates: 0 });
  assert.deepEqual(encodeSyncMessage(r.message), b, 'encodes back to the same bytes');
});

test('an IPv6 entry with sequence data, against bytes built by hand', () => {
  const c = conn({
    family: 6, protocol: 17, flags: 0x1000, state: 0, cport: 53, vport: 53, dport: 5353, fwmark: 7, timeoutS: 300,
    caddr: '2001:db8::1', vaddr: '2001:db8::50', daddr: '2001:db8:0:1::11',
    seq: { in: { initSeq: 1, delta: 2, previousDelta: 3 }, out: { initSeq: 0xfffffffe, delta: 5, previousDelta: 6 } },
  });
  const expected = Buffer.from([
    '00 07 0000 01 01 0000',                          // header: syncid 7, size (set below), 1 conn, version 1
    '01 11 0062', '00001000', '0000', '0035 0035 14e9', '00000007', '0000012c',
    '20010db8000000000000000000000001', '20010db8000000000000000000000050', '20010db8000000010000000000000011',
    '01 18', '00000001 00000002 00000003', 'fffffffe 00000005 00000006',
  ].join('').replace(/\s+/g, ''), 'hex');
  expected.writeUInt16BE(expected.length, 2);
  const m: SyncMessage = { syncId: 7, conns: [c] };
  assert.deepEqual(encodeSyncMessage(m), expected);
  const r = decodeSyncMessage(expected);
  assert.ok(r.ok);
  assert.deepEqual(r.message, m);
});

test('round trip: entries with PE name/data and skippable params are padded to 32 bits between entries', () => {
  const m: SyncMessage = {
    syncId: 255,
    conns: [
      conn({ peName: 'sip', peData: Uint8Array.from([1, 2, 3]) }),
      conn({ family: 6, caddr: '::1', vaddr: 'fe80::1:2', daddr: '2001:db8::', params: [{ type: 0x41, data: Uint8Array.from([9]) }] }),
      conn({ protocol: 132, cport: 1 }),
    ],
  };
  const b = encodeSyncMessage(m);
  const r = decodeSyncMessage(b);
  assert.ok(r.ok, r.ok ? '' : r.detail);
  assert.deepEqual(r.message, m);
  // 36 + 5 (name) + 5 (data) = 46 → the next entry starts at 8 + 48.
  assert.equal(b[8 + 48], 0x01, 'second entry is IPv6 and aligned');
});

test('what the kernel receiver drops, with its reason', () => {
  const good = encodeSyncMessage({ syncId: 1, conns: [conn()] });
  const bad = (f: (b: Buffer) => Buffer | void): string => {
    const b = Buffer.from(good);
    const r = decodeSyncMessage(f(b) ?? b);
    return r.ok ? 'ok' : r.reason;
  };
  assert.equal(bad(() => good.subarray(0, 7)), 'TOO_SHORT');
  assert.equal(bad((b) => { b[0] = 1; }), 'VERSION_0');
  assert.equal(bad((b) => Buffer.concat([b, Buffer.alloc(4)])), 'BOGUS_SIZE');
  assert.equal(bad((b) => { b[5] = 2; }), 'UNKNOWN_VERSION');
  assert.equal(bad((b) => { b[6] = 1; }), 'UNKNOWN_VERSION');
  assert.equal(bad((b) => { b[4] = 2; }), 'CONN_TOO_SMALL');
  assert.equal(bad((b) => { b.writeUInt16BE(40, 10); }), 'CONN_PAST_END');
  assert.equal(bad((b) => { b.writeUInt16BE(0x1024, 10); }), 'CONN_UNKNOWN_VERSION');
  assert.equal(bad((b) => { b[8] = 1; }), 'BOGUS_CONN');
  const withOpt = (type: number, len: number, extra = 0): Buffer => {
    const e = Buffer.concat([good, Buffer.from([type, len]), Buffer.alloc(len + extra)]);
    e.writeUInt16BE(e.length, 2);
    e.writeUInt16BE(e.length - 8 - extra, 10);
    return e;
  };
  assert.equal(decodeSyncMessage(withOpt(1, 12)).ok ? 'ok' : (decodeSyncMessage(withOpt(1, 12)) as { reason: string }).reason, 'BAD_SEQ_DATA');
  assert.equal((decodeSyncMessage(withOpt(3, 20)) as { reason: string }).reason, 'BAD_PE');
  assert.equal((decodeSyncMessage(withOpt(5, 2)) as { reason: string }).reason, 'UNKNOWN_MANDATORY_PARAM');
  assert.equal(decodeSyncMessage(withOpt(0x45, 2)).ok, true, 'a skippable param is kept');
  const zeroLen = withOpt(2, 0);
  assert.equal((decodeSyncMessage(zeroLen) as { reason: string }).reason, 'BAD_PARAM');
  const r = decodeSyncMessage(Buffer.from(good).fill(1, 0, 1));
  assert.ok(!r.ok && r.detail.length > 0);
});

test('decode never throws on random bytes, nor on mutated valid messages', () => {
  const valid = hexFile('capture-nat-5-conns.hex');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
    decodeSyncMessage(bytes);
  }), { numRuns: 3000 });
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.nat(255)), { maxLength: 8 }), (edits) => {
    const b = Buffer.from(valid);
    for (const [i, v] of edits) b[i] = v;
    decodeSyncMessage(b);
  }), { numRuns: 3000 });
});
