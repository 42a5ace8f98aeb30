import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReply } from '../../../src/check/smtp-reply.js';

test('single and multiline replies (RFC 5321 §4.2.1), split anywhere', () => {
  const raw = Buffer.from('250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n220 next');
  for (let cut = 0; cut < 50; cut++) assert.equal(parseReply(raw.subarray(0, cut)).complete, false, `cut ${cut}`);
  const r = parseReply(raw);
  assert.deepEqual(r, { complete: true, code: 250, text: 'mx.example.org\nPIPELINING\n8BITMIME', consumed: 50 });
  assert.deepEqual(parseReply(Buffer.from('220\n')), { complete: true, code: 220, text: '', consumed: 4 });
  const bad = parseReply(Buffer.from('hello there\r\n'));
  assert.ok(bad.complete && 'malformed' in bad);
});
