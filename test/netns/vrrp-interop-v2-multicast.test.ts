// halb and Debian's keepalived 2.2.7 as VRRPv2 (multicast 224.0.0.18, PASS auth) peers.
import { test } from 'node:test';
import { runInterop } from '../helpers/vrrp-interop.js';

test('VRRPv2 multicast: halb MASTER / keepalived BACKUP and the reverse; no flap', { timeout: 60_000 }, async (t) => {
  await runInterop(t, { tag: 'v2mc', family: 4, base: { vrid: 10, version: 2, advertInt: 1, authPass: 'halb1234' }, stableMs: 5000 });
});
