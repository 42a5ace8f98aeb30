import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WEIGHT_FAULT, fileVerdict, parseTrackValue } from '../../../src/core/track-file-value.js';

test('the file value reads like strtol(buf, NULL, 0)', () => {
  assert.equal(parseTrackValue(''), 0);
  assert.equal(parseTrackValue('  42\n'), 42);
  assert.equal(parseTrackValue('-7 trailing'), -7);
  assert.equal(parseTrackValue('0x1f'), 31);
  assert.equal(parseTrackValue('010'), 8);
  assert.equal(parseTrackValue('abc'), 0);
  assert.equal(parseTrackValue('99999999999'), undefined);
});

test('weight 0: non-zero is a fault (reverse: zero is)', () => {
  assert.deepEqual(fileVerdict(0, 0, false), { up: true, weightOffset: 0 });
  assert.deepEqual(fileVerdict(3, 0, false), { up: false });
  assert.deepEqual(fileVerdict(0, 0, true), { up: false });
  assert.deepEqual(fileVerdict(1, 0, true), { up: true, weightOffset: 0 });
});

test('weighted: value * weight (negated with reverse) offsets the weight; the floor is a fault', () => {
  assert.deepEqual(fileVerdict(3, 2, false), { up: true, weightOffset: 6 });
  assert.deepEqual(fileVerdict(3, 2, true), { up: true, weightOffset: -6 });
  assert.deepEqual(fileVerdict(WEIGHT_FAULT, 1, false), { up: false });
});
