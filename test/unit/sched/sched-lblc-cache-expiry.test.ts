import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalityLeastConnectionScheduler } from '../../../src/dataplane/sched/lblc.js';
import { dest, req } from './fixture.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

test('lblc sends a destination address to the server it cached, not the current wlc choice', () => {
  const s = new LocalityLeastConnectionScheduler();
  const p = [dest('a', 10), dest('b', 10, 3)];
  assert.equal(s.pick(p, req({ destAddr: '203.0.113.5', now: 0 }))?.id, 'a');
  p[0]!.activeConns = 8; // a is now busier than b, but not over its weight
  for (let i = 1; i <= 1000; i++) assert.equal(s.pick(p, req({ destAddr: '203.0.113.5', now: i }))?.id, 'a');
  // A new destination address gets the wlc choice and its own entry.
  assert.equal(s.pick(p, req({ destAddr: '203.0.113.6', now: 1001 }))?.id, 'b');
  assert.deepEqual(s.snapshot().map((e) => [e.destAddr, e.destId, e.lastuse]), [['203.0.113.5', 'a', 1000], ['203.0.113.6', 'b', 1001]]);
});

test('lblc reschedules when the cached server is quiesced, gone, overloaded, or over its weight while another is under half', () => {
  const s = new LocalityLeastConnectionScheduler();
  const p = [dest('a', 4), dest('b', 4, 1), dest('c', 4, 1)];
  const X = { destAddr: '203.0.113.9' };
  assert.equal(s.pick(p, req(X))?.id, 'a');
  p[0]!.activeConns = 5; // 5 > 4, but nobody is under half (1*2 < 4 is true for b!)
  assert.equal(s.pick(p, req(X))?.id, 'b', 'a over weight and b under half: move to the wlc choice');
  p[1]!.activeConns = 5;
  p[2]!.activeConns = 2; // b over weight, nobody under half (2*2 < 4 is false), a at 5 too
  assert.equal(s.pick(p, req(X))?.id, 'b', 'over weight but no lightly loaded server: stay');
  p[1]!.weight = 0;
  assert.equal(s.pick(p, req(X))?.id, 'c', 'quiesced: move');
  assert.equal(s.pick(p.filter((d) => d.id !== 'c'), req(X))?.id, 'a', 'gone from the pool: move');
  p[0]!.overloaded = true;
  assert.equal(s.pick(p, req(X))?.id, 'c', 'overloaded: move');
  assert.equal(s.snapshot()[0]?.destId, 'c');
  assert.equal(s.pick([dest('z', 0)], req(X)), undefined);
  assert.equal(s.pick([], req(X)), undefined);
});

test('lblc drops an entry at the first 30-minute full check 24 h after its last use', () => {
  const s = new LocalityLeastConnectionScheduler();
  const p = [dest('a', 1), dest('b', 1)];
  const X = { destAddr: '203.0.113.1' };
  assert.equal(s.pick(p, req({ ...X, now: 0 }))?.id, 'a');
  p[0]!.activeConns = 3;
  // Other traffic drives the clock in 10-minute steps; X is not used again.
  let t = 0;
  while (t + 10 * MIN <= 24 * HOUR - 10 * MIN) {
    t += 10 * MIN;
    s.pick(p, req({ destAddr: '203.0.113.2', now: t }));
  }
  assert.ok(s.snapshot().some((e) => e.destAddr === X.destAddr), `still cached at ${t / HOUR} h`);
  s.pick(p, req({ destAddr: '203.0.113.2', now: 24 * HOUR - 1 }));
  assert.ok(s.snapshot().some((e) => e.destAddr === X.destAddr), 'still cached just before 24 h');
  s.pick(p, req({ destAddr: '203.0.113.2', now: 24 * HOUR }));
  assert.ok(!s.snapshot().some((e) => e.destAddr === X.destAddr), 'collected by the full check at 24 h');
  // The entry for the other address, used all along, survives.
  assert.ok(s.snapshot().some((e) => e.destAddr === '203.0.113.2'));
  assert.equal(s.pick(p, req({ ...X, now: 24 * HOUR + 1 }))?.id, 'b', 'X is scheduled afresh');
});

test('lblc expiration is configurable and an idle gap is caught up at the next pick', () => {
  const s = new LocalityLeastConnectionScheduler({ expirationMs: 10 * MIN });
  const p = [dest('a', 1), dest('b', 1)];
  s.pick(p, req({ destAddr: '203.0.113.1', now: 0 }));
  // One jump of 3 days: the missed ticks collapse into one full check.
  s.pick(p, req({ destAddr: '203.0.113.2', now: 72 * HOUR }));
  assert.deepEqual(s.snapshot().map((e) => e.destAddr), ['203.0.113.2']);
  // Used within the expiration: kept across full checks at 30 and 60 min.
  const u = new LocalityLeastConnectionScheduler({ expirationMs: 45 * MIN });
  for (let t = 0; t <= 2 * HOUR; t += 20 * MIN) u.pick(p, req({ destAddr: '203.0.113.1', now: t }));
  assert.equal(u.snapshot().length, 1);
});

test('lblc trims stale entries every minute while the table is over its max size', () => {
  const s = new LocalityLeastConnectionScheduler({ maxEntries: 10 });
  const p = [dest('a', 1)];
  for (let i = 0; i < 20; i++) s.pick(p, req({ destAddr: `203.0.113.${i}`, now: 0 }));
  assert.equal(s.snapshot().length, 20);
  // Ticks at 1..5 min find nothing 6 minutes old.
  s.pick(p, req({ destAddr: '198.51.100.1', now: 5 * MIN }));
  assert.equal(s.snapshot().length, 21);
  // Tick at 6 min: goal = min((21 - 10) * 4/3, 10/2) = 5 stale entries go.
  s.pick(p, req({ destAddr: '198.51.100.1', now: 6 * MIN }));
  assert.equal(s.snapshot().length, 16);
  // 7 min: 5 more; 8 min: 16 - 5 = 11 > 10, goal min(1, 5) = 1; 9 min: at max size, nothing.
  s.pick(p, req({ destAddr: '198.51.100.1', now: 9 * MIN }));
  assert.equal(s.snapshot().length, 10);
  assert.ok(s.snapshot().some((e) => e.destAddr === '198.51.100.1'), 'the entry in use is not stale');
});
