// MISC_CHECK's exit status as keepalived's check_misc.c reads it: 0 up; with misc_dynamic
// 2..255 up with weight status - 2 ("Effective range is 0..253"), 1 down; without it any
// non-zero status is down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { miscVerdict } from '../../../src/check/misc.js';

test('misc_dynamic exit codes', () => {
  assert.deepEqual(miscVerdict(0, true), { ok: true });
  assert.deepEqual(miscVerdict(1, true), { ok: false });
  assert.deepEqual(miscVerdict(2, true), { ok: true, weight: 0 });
  assert.deepEqual(miscVerdict(12, true), { ok: true, weight: 10 });
  assert.deepEqual(miscVerdict(255, true), { ok: true, weight: 253 });
  assert.deepEqual(miscVerdict(0, false), { ok: true });
  for (const code of [1, 2, 12, 255]) assert.deepEqual(miscVerdict(code, false), { ok: false });
});
