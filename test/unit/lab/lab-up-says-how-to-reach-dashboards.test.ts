// `halb lab up` says how to reach each director's dashboard and API: 127.0.0.1:9480
// inside the director's namespace, one line per director, with the namespace names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, buildTopology } from '../../../src/lab/topology.js';
import { dashboardLines } from '../../../src/lab/dashboards.js';

test('one line per director, each with its namespace and the admin address', () => {
  const t = buildTopology({ ...DEFAULT_OPTIONS, directors: 3 });
  const lines = dashboardLines(t);
  for (const d of t.directors) {
    assert.ok(lines.some((l) => l.includes(`ip netns exec ${d.ns} curl -s http://127.0.0.1:9480/api/v1/status`)), `${d.role}:\n${lines.join('\n')}`);
  }
  assert.match(lines.at(-1) ?? '', /ip netns exec hlab-dir1 chromium .* http:\/\/127\.0\.0\.1:9480\/$/);
});

test('a keepalived peer director: its halb -C serves the API', () => {
  const t = buildTopology({ ...DEFAULT_OPTIONS, peer: 'keepalived' });
  assert.ok(dashboardLines(t).some((l) => /dir2 +\(halb -C beside keepalived\)/.test(l)), dashboardLines(t).join('\n'));
});
