// halb and Debian's keepalived 2.2.7 as VRRPv3 IPv6 peers (ff02::12 from link-local addresses, unsolicited NA).
import { test } from 'node:test';
import { runInterop } from '../helpers/vrrp-interop.js';

test('VRRPv3 IPv6 multicast: halb MASTER / keepalived BACKUP and the reverse; no flap', { timeout: 60_000 }, async (t) => {
  await runInterop(t, { tag: 'v3v6', family: 6, base: { vrid: 30, version: 3, advertInt: 0.2 }, stableMs: 4000 });
});
