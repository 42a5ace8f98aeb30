import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  masterDownIntervalMs, masterDownIntervalUs, skewTimeMinUs, skewTimeMs, skewTimeUs,
} from '../../../src/vrrp/fsm/timers.js';

test('Skew_Time and Master_Down_Interval match keepalived to the microsecond', () => {
  const cases: Array<{ v: 2 | 3; prio: number; cs: number; adverts?: number; skewUs: number; downMs: number }> = [
    // advert_int 1, priority 100, VRRPv2: (256-100)/256 s = 0.609375 s; 3 s + skew.
    { v: 2, prio: 100, cs: 100, skewUs: 609_375, downMs: 3609.375 },
    // The same numbers in VRRPv3 centiseconds.
    { v: 3, prio: 100, cs: 100, skewUs: 609_375, downMs: 3609.375 },
    // v2 skew ignores the interval: advert_int 3 still skews by (256-100)/256 s.
    { v: 2, prio: 100, cs: 300, skewUs: 609_375, downMs: 9609.375 },
    // v3 skew scales with Master_Adver_Interval: 56 × 50 cs / 256 = 10.9375 cs.
    { v: 3, prio: 200, cs: 50, skewUs: 109_375, downMs: 1609.375 },
    // Owner: 1/256 s truncated to whole microseconds like keepalived (TIMER_HZ/256 = 3906).
    { v: 2, prio: 255, cs: 100, skewUs: 3906, downMs: 3003.906 },
    // Lowest priority.
    { v: 2, prio: 1, cs: 100, skewUs: 996_093, downMs: 3996.093 },
    // down_timer_adverts 5 replaces the RFC's 3.
    { v: 3, prio: 100, cs: 100, adverts: 5, skewUs: 609_375, downMs: 5609.375 },
    { v: 3, prio: 150, cs: 1, skewUs: 4140, downMs: 34.14 },
  ];
  for (const c of cases) {
    assert.equal(skewTimeUs(c.v, c.prio, c.cs), c.skewUs, JSON.stringify(c));
    assert.equal(masterDownIntervalMs(c.v, c.prio, c.cs, c.adverts), c.downMs, JSON.stringify(c));
  }
  assert.equal(skewTimeMs(2, 100, 100), 609.375);
  assert.equal(skewTimeMinUs(2, 100), 3906);
  assert.equal(skewTimeMinUs(3, 100), 3906);
});

test('v3 skew is RFC 5798 ((256 - priority) * Master_Adver_Interval) / 256, floored to µs', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 255 }), fc.integer({ min: 1, max: 4095 }), (prio, cs) => {
    const exact = ((256 - prio) * cs * 10_000) / 256;
    assert.equal(skewTimeUs(3, prio, cs), Math.floor(exact));
    assert.equal(masterDownIntervalUs(3, prio, cs), 3 * cs * 10_000 + Math.floor(exact));
  }));
});

test('a higher priority always has a shorter Master_Down_Interval, so it times out first', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 254 }), fc.integer({ min: 1, max: 4095 }), fc.constantFrom<2 | 3>(2, 3),
    (prio, cs, v) => {
      assert.ok(masterDownIntervalUs(v, prio + 1, cs) <= masterDownIntervalUs(v, prio, cs));
    },
  ));
});
