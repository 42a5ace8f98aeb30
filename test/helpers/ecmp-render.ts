// The nftables render of one --ecmp lab director, for the identical-tables test (also run
// in a separate process, so it lives outside the test file).
import assert from 'node:assert/strict';
import { parseConfigText } from '../../src/config/index.js';
import { configToDesired } from '../../src/daemon/config-to-desired.js';
import { planNft, type RouteInfo } from '../../src/dataplane/nft/plan.js';
import { renderTables } from '../../src/dataplane/nft/render.js';
import { ecmpDirectorConfig } from '../../src/lab/ecmp.js';
import { buildTopology, DEFAULT_OPTIONS } from '../../src/lab/topology.js';

const ROUTES: ReadonlyMap<string, RouteInfo> = new Map(
  ['192.0.2.141', '192.0.2.142', '192.0.2.143'].map((a): [string, RouteInfo] => [a, { device: 'eth0', local: false }]),
);

/** The nft tables director `role` of a 3-director, 3-real-server --ecmp DR lab renders. */
export function renderDirector(role: string): string {
  const t = buildTopology({ ...DEFAULT_OPTIONS, name: 'x', directors: 3, realServers: 3, mode: 'dr', dataplane: 'nft', ecmp: true });
  const d = t.directors.find((x) => x.role === role);
  assert.ok(d !== undefined);
  const loaded = parseConfigText(ecmpDirectorConfig(t, d, 1));
  assert.equal(loaded.ok, true, JSON.stringify(loaded.diagnostics));
  const m = configToDesired(loaded.config, { isUp: () => true, quorumWasUp: () => undefined }, 'nft');
  const plan = planNft(undefined, m.desired, { now: 0, routes: ROUTES });
  assert.deepEqual(plan.failures, []);
  return JSON.stringify(renderTables(plan));
}

