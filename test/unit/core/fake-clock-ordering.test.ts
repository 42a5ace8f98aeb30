import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';

test('FakeClock fires timers in deadline order, including ones armed while firing', () => {
  const c = new FakeClock();
  const fired: string[] = [];
  c.setTimer(30, () => fired.push(`b@${c.now()}`));
  c.setTimer(10, () => {
    fired.push(`a@${c.now()}`);
    c.setTimer(5, () => fired.push(`a2@${c.now()}`));
  });
  const h = c.setTimer(20, () => fired.push('cancelled'));
  h.cancel();
  c.advance(25);
  assert.deepEqual(fired, ['a@10', 'a2@15']);
  assert.equal(c.now(), 25);
  c.advance(5);
  assert.deepEqual(fired, ['a@10', 'a2@15', 'b@30']);
  assert.equal(c.pendingCount(), 0);
});
