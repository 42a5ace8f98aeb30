import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { Counters, ESTIMATOR_PERIOD_MS, EstimatorSet, RateEstimator } from '../../../src/dataplane/stats.js';

// Expected values worked by hand from ip_vs_est.c: every 2 s,
//   rate = delta << 9 (conns, packets) or delta << 4 (bytes)
//   avg += (rate - avg) >> 2
//   shown = (avg + 0x1FF) >> 10 (per second) or (avg + 0xF) >> 5.

test('a steady 50 conn/s and 500 B/s rise through the 1/4-weighted average as IPVS computes it', () => {
  const c = new Counters();
  const est = new RateEstimator(c);
  const seen: number[] = [];
  const bps: number[] = [];
  for (let i = 0; i < 3; i++) {
    c.conns += 100; // per 2 s
    c.inBytes += 1000;
    est.sample(c);
    seen.push(est.rates().cps);
    bps.push(est.rates().inBps);
  }
  // cps scaled: 12800 -> 22400 -> 29600 ; bps scaled: 4000 -> 7000 -> 9250
  assert.deepEqual(seen, [12, 22, 29]);
  assert.deepEqual(bps, [125, 219, 289]);
  for (let i = 0; i < 60; i++) {
    c.conns += 100;
    c.inBytes += 1000;
    est.sample(c);
  }
  assert.equal(est.rates().cps, 50);
  assert.equal(est.rates().inBps, 500);
  assert.equal(est.rates().outPps, 0);
});

test('after the traffic stops the rate decays by a quarter of the difference per period', () => {
  const c = new Counters();
  const est = new RateEstimator(c);
  for (let i = 0; i < 80; i++) { c.inPkts += 2048; est.sample(c); } // 1024 pkt/s
  assert.equal(est.rates().inPps, 1024);
  est.sample(c); // nothing new: avg * 3/4
  assert.equal(est.rates().inPps, 768);
  est.sample(c);
  assert.equal(est.rates().inPps, 576);
});

test('a new estimator does not count the totals it starts from as a burst', () => {
  const c = new Counters();
  c.conns = 1_000_000;
  c.outBytes = 5e12; // beyond 32 bits: shifts would overflow, the arithmetic must not
  const est = new RateEstimator(c);
  est.sample(c);
  assert.deepEqual(est.rates(), { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 });
  c.outBytes += 2 * 4e9; // 4 GB/s
  for (let i = 0; i < 80; i++) { est.sample(c); c.outBytes += 2 * 4e9; }
  assert.equal(est.rates().outBps, 4e9);
});

test('EstimatorSet samples every 2 s of its clock, and keeps history for keys already tracked', () => {
  const clock = new FakeClock();
  const set = new EstimatorSet<string>(clock);
  const c = new Counters();
  set.track('svc', () => c);
  c.conns += 100;
  clock.advance(ESTIMATOR_PERIOD_MS - 1);
  assert.equal(set.rates('svc').cps, 0);
  clock.advance(1);
  assert.equal(set.rates('svc').cps, 12);
  set.track('svc', () => new Counters()); // ignored: already tracked
  c.conns += 100;
  clock.advance(ESTIMATOR_PERIOD_MS);
  assert.equal(set.rates('svc').cps, 22);
  set.untrack('svc');
  assert.equal(set.rates('svc').cps, 0);
  set.stop();
  assert.equal(clock.pendingCount(), 0);
});
