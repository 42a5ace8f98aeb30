import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DNS_FLAG, DNS_TYPE, RCODE, decodeMessage, encodeMessage, encodeName, encodeQuery, sameName } from '../../../src/check/dns-codec.js';

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

test('the query keepalived sends for the defaults (SOA of the root) byte for byte', () => {
  const q = encodeQuery({ id: 0x1234, name: '.', type: DNS_TYPE.SOA });
  // id, flags RD, qd=1 an=0 ns=0 ar=0, root name, type 6, class IN.
  assert.deepEqual(q, hex('1234 0100 0001 0000 0000 0000 00 0006 0001'));
});

test('a query for www.example.org A byte for byte (RFC 1035 §4.1.2 labels)', () => {
  const q = encodeQuery({ id: 0xbeef, name: 'www.example.org.', type: DNS_TYPE.A });
  assert.deepEqual(q, hex('beef 0100 0001 0000 0000 0000 03777777 076578616d706c65 036f7267 00 0001 0001'));
});

test('names DNS cannot carry are refused with a reason', () => {
  assert.match(String(encodeName('a..b')), /empty label/);
  assert.match(String(encodeName(`${'x'.repeat(64)}.org`)), /longer than 63/);
  assert.match(String(encodeName(Array.from({ length: 60 }, () => 'abcd').join('.'))), /longer than 255/);
});

test('round trip: a response decodes to what was encoded', () => {
  const msg = encodeMessage({
    id: 7,
    flags: DNS_FLAG.QR | DNS_FLAG.RD | DNS_FLAG.RA | RCODE.NXDOMAIN,
    questions: [{ name: 'example.org', type: DNS_TYPE.AAAA, class: 1 }],
    answers: [{ name: 'example.org', type: DNS_TYPE.AAAA, class: 1, ttl: 300, data: Buffer.alloc(16, 1) }],
  });
  assert.ok(typeof msg !== 'string');
  const d = decodeMessage(msg);
  assert.ok(d.ok);
  assert.equal(d.msg.id, 7);
  assert.equal(d.msg.qr, true);
  assert.equal(d.msg.rcode, RCODE.NXDOMAIN);
  assert.deepEqual(d.msg.questions, [{ name: 'example.org', type: 28, class: 1 }]);
  assert.equal(d.msg.answers[0]?.ttl, 300);
  assert.deepEqual(d.msg.answers[0]?.data, Buffer.alloc(16, 1));
});

test('compression pointers are followed (RFC 1035 §4.1.4), loops and bad labels are reasons', () => {
  // Question example.org A, answer name = pointer to offset 12.
  const withPtr = hex('0001 8180 0001 0001 0000 0000 076578616d706c65 036f7267 00 0001 0001 c00c 0001 0001 0000003c 0004 7f000001');
  const d = decodeMessage(withPtr);
  assert.ok(d.ok);
  assert.equal(d.msg.answers[0]?.name, 'example.org');
  assert.deepEqual(d.msg.answers[0]?.data, hex('7f000001'));
  const loop = hex('0001 8180 0001 0000 0000 0000 c00c 0001 0001');
  assert.deepEqual(decodeMessage(loop).ok ? 'ok' : (decodeMessage(loop) as { reason: string }).reason, 'POINTER_LOOP');
  const reserved = hex('0001 8180 0001 0000 0000 0000 80 0001 0001');
  assert.equal((decodeMessage(reserved) as { reason: string }).reason, 'BAD_NAME');
  assert.equal((decodeMessage(hex('0001 81')) as { reason: string }).reason, 'TOO_SHORT');
  const cut = hex('0001 8180 0000 0001 0000 0000 00 0001 0001 0000003c 0004 7f00');
  assert.equal((decodeMessage(cut) as { reason: string }).reason, 'TRUNCATED_RECORD');
});

test('names compare case-insensitively and without the trailing dot', () => {
  assert.ok(sameName('Example.ORG.', 'example.org'));
  assert.ok(sameName('.', ''));
  assert.ok(!sameName('a.org', 'b.org'));
});

test('property: decode never throws on random bytes, and round-trips random queries', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    const r = decodeMessage(Buffer.from(bytes));
    assert.equal(typeof r.ok, 'boolean');
  }));
  const label = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), fc.array(label, { minLength: 1, maxLength: 5 }), fc.constantFrom(...Object.values(DNS_TYPE)), (id, labels, type) => {
    const q = encodeQuery({ id, name: labels.join('.'), type });
    assert.ok(typeof q !== 'string');
    const d = decodeMessage(q);
    assert.ok(d.ok);
    assert.equal(d.msg.id, id);
    assert.equal(d.msg.qr, false);
    assert.deepEqual(d.msg.questions, [{ name: labels.join('.'), type, class: 1 }]);
  }));
});
