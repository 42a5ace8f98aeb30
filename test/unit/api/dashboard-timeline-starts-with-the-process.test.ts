// The dashboard's VRRP timeline draws nothing before the daemon started: a daemon up for
// 2 minutes shows 2 minutes of state in its 10-minute window, not 10.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timelineSegments } from '../../../src/api/dashboard-timeline.js';
import { DASHBOARD_JS } from '../../../src/api/dashboard-script.js';

const NOW = 1_800_000_000_000;
const WINDOW = 10 * 60_000;

test('a daemon started 2 minutes ago: its lane starts at its start', () => {
  const started = NOW - 120_000;
  const segs = timelineSegments([{ at: started + 50, from: 'INIT', to: 'BACKUP', reason: 'start' }, { at: NOW - 60_000, from: 'BACKUP', to: 'MASTER', reason: 'master down' }],
    'MASTER', NOW - WINDOW, started, NOW);
  assert.deepEqual(segs, [
    { from: started, to: started + 50, state: 'INIT', next: 'start' },
    { from: started + 50, to: NOW - 60_000, state: 'BACKUP', next: 'master down' },
    { from: NOW - 60_000, to: NOW, state: 'MASTER' },
  ]);
  assert.ok(segs.every((s) => s.from >= started), 'nothing before the process existed');
});

test('a daemon older than the window: the window\'s start; no transition: one segment in the current state', () => {
  assert.deepEqual(timelineSegments([], 'BACKUP', NOW - WINDOW, NOW - 3_600_000, NOW), [{ from: NOW - WINDOW, to: NOW, state: 'BACKUP' }]);
  // A transition older than the window starts the lane in its target state.
  assert.deepEqual(timelineSegments([{ at: NOW - 2 * WINDOW, from: 'BACKUP', to: 'MASTER', reason: 'x' }], 'MASTER', NOW - WINDOW, NOW - 3 * WINDOW, NOW),
    [{ from: NOW - WINDOW, to: NOW, state: 'MASTER' }]);
});

test('the dashboard script embeds this function and calls it with the daemon\'s start', () => {
  assert.ok(DASHBOARD_JS.includes('function timelineSegments('));
  assert.match(DASHBOARD_JS, /timelineSegments\(pts, inst\.state, start, s\.daemon\.startedAt, now\)/);
  assert.doesNotThrow(() => new Function(DASHBOARD_JS));
});
