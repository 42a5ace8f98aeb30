// halb and Debian's keepalived 2.2.7 as VRRPv3 unicast peers (unicast_src_ip / unicast_peer).
import { test } from 'node:test';
import { runInterop } from '../helpers/vrrp-interop.js';

test('VRRPv3 unicast: halb MASTER / keepalived BACKUP and the reverse; no flap', { timeout: 60_000 }, async (t) => {
  await runInterop(t, { tag: 'ucast', family: 4, unicast: true, base: { vrid: 40, version: 3, advertInt: 0.2 }, stableMs: 4000 });
});
