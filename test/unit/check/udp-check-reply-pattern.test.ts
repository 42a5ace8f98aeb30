import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkReply, hexBytes } from '../../../src/check/udp-pattern.js';

test('reply length bounds come first', () => {
  const rule = { minLength: 2, maxLength: 4 };
  assert.equal(checkReply(Buffer.from('a'), rule).ok, false);
  assert.equal(checkReply(Buffer.from('ab'), rule).ok, true);
  assert.equal(checkReply(Buffer.from('abcde'), rule).ok, false);
});

test('leading bytes must match outside the x wildcards (mask nibbles f)', () => {
  // require_reply 12x4 -> data 1204, mask 00f0
  const rule = { data: hexBytes('1204'), mask: hexBytes('00f0'), minLength: 0, maxLength: 255 };
  assert.equal(checkReply(hexBytes('1234'), rule).ok, true);
  assert.equal(checkReply(hexBytes('12f4ff'), rule).ok, true);
  const bad = checkReply(hexBytes('1235'), rule);
  assert.equal(bad.ok, false);
  assert.match((bad as { detail: string }).detail, /byte 1 is 0x35, expected 0x04/);
  // A short reply is compared as far as it goes (keepalived's lesser-of rule).
  assert.equal(checkReply(hexBytes('12'), rule).ok, true);
  assert.equal(checkReply(hexBytes('13'), rule).ok, false);
});
