import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAILOVER_SLACK_MS, holderSegments, measure, outageWindows } from '../../../src/lab/measure.js';
import type { DrillRecord, Sample } from '../../../src/lab/report-types.js';

const T0 = 1_700_000_000_000;
/** A request sent at `s` ms after T0, lasting `d` ms. */
const ok = (s: number, rs = 'rs1', d = 3): Sample => ({ s: T0 + s, e: T0 + s + d, ok: true, rs });
const bad = (s: number, err = 'TIMEOUT', d = 1000): Sample => ({ s: T0 + s, e: T0 + s + d, ok: false, err });

function record(o: Partial<DrillRecord>): DrillRecord {
  return {
    drill: 'failover', startedAt: T0, endedAt: T0 + 8000, actionAt: undefined, error: undefined,
    directors: ['dir1', 'dir2'], realServers: ['rs1', 'rs2'], initialHolders: ['dir1'], initialPoweredOff: [],
    samples: [], vipEvents: [], logEvents: [], marks: [], expect: {}, ...o,
  };
}

test('no failed request: no window without service', () => {
  assert.deepEqual(outageWindows([ok(0), ok(10), ok(20)], T0), []);
});

test('a window runs from the first failed request to the next that succeeded, by start time', () => {
  // Failures complete out of order (timeouts); a success that started earlier does not end the window.
  const w = outageWindows([ok(0), bad(10), ok(5), bad(20, 'ECONNREFUSED', 2), bad(30), ok(45), ok(50)], T0);
  assert.deepEqual(w, [{ fromMs: 10, toMs: 45, failed: 3 }]);
});

test('separate runs of failures are separate windows; a run at the end is still going', () => {
  const w = outageWindows([bad(0, 'x', 5), ok(10), bad(20, 'x', 5), bad(30, 'x', 5)], T0);
  assert.deepEqual(w, [{ fromMs: 0, toMs: 10, failed: 1 }, { fromMs: 20, toMs: 35, failed: 2, ongoing: true }]);
});

test('VIP holders: a powered-off director holds nothing, and comes back without the VIP', () => {
  const rec = record({
    vipEvents: [
      { at: T0 + 4000, director: 'dir2', held: true },
      { at: T0 + 9000, director: 'dir1', held: false }, // a late monitor line after power-on: no effect
    ],
    marks: [
      { at: T0 + 1000, kind: 'power-off', text: 'off', director: 'dir1' },
      { at: T0 + 6000, kind: 'power-on', text: 'on', director: 'dir1' },
    ],
    endedAt: T0 + 10_000,
  });
  assert.deepEqual(holderSegments(rec), [
    { fromMs: 0, toMs: 1000, holders: ['dir1'] },
    { fromMs: 1000, toMs: 4000, holders: [] },
    { fromMs: 4000, toMs: 10_000, holders: ['dir2'] },
  ]);
});

test('failover: takeover from the action, window against Master_Down_Interval + slack', () => {
  const samples = [ok(0), ok(500), bad(1000), bad(2000), bad(3000), ok(3900), ok(4000)];
  const rec = record({
    actionAt: T0 + 1000,
    samples,
    vipEvents: [{ at: T0 + 3800, director: 'dir2', held: true }],
    marks: [{ at: T0 + 1000, kind: 'power-off', text: 'dir1 loses power', director: 'dir1' }],
    expect: { takeoverBy: 'dir2', masterDownIntervalMs: 3609.375 },
  });
  const r = measure(rec);
  assert.equal(r.vip.takeoverMs, 2800);
  assert.equal(r.outage.windowMs, 2900);
  assert.equal(r.requests.sent, 7);
  assert.equal(r.requests.failed, 3);
  assert.deepEqual(r.requests.errors, { TIMEOUT: 3 });
  assert.deepEqual(r.vip.holdersAtEnd, ['dir2']);
  assert.ok(r.checks.every((c) => c.ok), JSON.stringify(r.checks));
  assert.equal(r.masterDownIntervalMs, 3609);
  // The same window one millisecond past the bound fails the check.
  const late = measure({ ...rec, samples: [bad(1000), ok(1000 + 3609.375 + FAILOVER_SLACK_MS + 1)] });
  assert.equal(late.checks.find((c) => c.name.startsWith('window'))?.ok, false);
});

test('rs-down: detection on the VIP holder, and failures after it counted apart', () => {
  const rec = record({
    drill: 'rs-down', actionAt: T0 + 1000,
    samples: [ok(900), bad(1001, 'ECONNRESET', 2), ok(1010, 'rs2'), ok(1500, 'rs2'), bad(1600, 'ECONNRESET', 2)],
    logEvents: [
      { at: T0 + 1200, director: 'dir2', kind: 'rs-down', rs: '192.0.2.141', how: 'health checker', text: 'disabled' },
      { at: T0 + 1008, director: 'dir1', kind: 'rs-down', rs: '192.0.2.141', how: 'passive ejection', text: 'ejected' },
    ],
    expect: { rsAddress: '192.0.2.141', rsName: 'rs1', detectOn: 'dir1' },
  });
  const r = measure(rec);
  assert.deepEqual(r.detection, { realServer: 'rs1', director: 'dir1', ms: 8, how: 'passive ejection' });
  assert.equal(r.requests.failedAfterDetection, 1);
  assert.equal(r.checks.find((c) => c.name === 'no failed request after detection')?.ok, false);
  assert.deepEqual(r.requests.servedBy, { rs1: 1, rs2: 2 });
});

test('rs-down by the checker: failures count from the dataplane update that follows the verdict (nft commits later)', () => {
  const rec = record({
    drill: 'rs-down', actionAt: T0 + 1000,
    // Sent 10 ms after the verdict, before the kernel had the new pool: not "after detection".
    samples: [ok(900), bad(1010, 'ECONNREFUSED', 2), bad(2010, 'ECONNREFUSED', 2), ok(2040, 'rs2'), ok(2100, 'rs2')],
    logEvents: [
      { at: T0 + 2000, director: 'dir1', kind: 'rs-down', rs: '192.0.2.141', how: 'health checker', text: 'disabled' },
      { at: T0 + 500, director: 'dir1', kind: 'pool-applied', text: 'dataplane updated' },
      { at: T0 + 2035, director: 'dir2', kind: 'pool-applied', text: 'dataplane updated' },
      { at: T0 + 2030, director: 'dir1', kind: 'pool-applied', text: 'dataplane updated' },
    ],
    expect: { rsAddress: '192.0.2.141', rsName: 'rs1', detectOn: 'dir1' },
  });
  const r = measure(rec);
  assert.deepEqual(r.detection, { realServer: 'rs1', director: 'dir1', ms: 1000, how: 'health checker', appliedMs: 1030 });
  assert.equal(r.requests.failedAfterDetection, 0);
  // A failure sent after the update counts.
  const later = measure({ ...rec, samples: [...rec.samples, bad(2031, 'ECONNREFUSED', 2)] });
  assert.equal(later.requests.failedAfterDetection, 1);
  // An update long after the verdict is not this verdict's: the verdict's own time is used.
  const stale = measure({ ...rec, logEvents: [rec.logEvents[0]!, { at: T0 + 3500, director: 'dir1', kind: 'pool-applied', text: 'x' }] });
  assert.equal(stale.detection?.appliedMs, undefined);
  assert.equal(stale.requests.failedAfterDetection, 1);
});

test('rs-up: back in the pool, and first served by the real server', () => {
  const r = measure(record({
    drill: 'rs-up', actionAt: T0 + 1000,
    samples: [ok(900, 'rs2'), ok(1100, 'rs2'), ok(1400, 'rs1', 5), ok(1500, 'rs1')],
    logEvents: [{ at: T0 + 1350, director: 'dir1', kind: 'rs-up', rs: '192.0.2.141', text: 'enabled' }],
    expect: { rsAddress: '192.0.2.141', rsName: 'rs1', detectOn: 'dir1' },
  }));
  assert.equal(r.detection?.ms, 350);
  assert.equal(r.detection?.firstServedMs, 405);
  assert.ok(r.checks.every((c) => c.ok));
});

test('a drill that did not finish fails its first check with the reason, and keeps its samples', () => {
  const r = measure(record({ drill: 'partition', error: 'timed out', samples: [ok(0)] }));
  assert.equal(r.ok, false);
  assert.deepEqual(r.checks[0], { name: 'ran to the end', ok: false, detail: 'timed out' });
  assert.deepEqual(r.samples, [[0, 3, 1, 0]]);
});

test('events keep what the drill did apart from what the directors logged, in time order', () => {
  const r = measure(record({
    marks: [{ at: T0 + 1000, kind: 'action', text: 'kill' }],
    logEvents: [{ at: T0 + 500, director: 'dir1', kind: 'vrrp', state: 'MASTER', text: '(VI_1) Entering MASTER STATE' }],
  }));
  assert.deepEqual(r.events, [
    { atMs: 500, kind: 'log', source: 'dir1', text: '(VI_1) Entering MASTER STATE' },
    { atMs: 1000, kind: 'drill', source: 'lab', text: 'kill' },
  ]);
});
