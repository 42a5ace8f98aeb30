// halb and Debian's keepalived 2.2.7 as VRRPv3 IPv4 multicast peers (RFC 5798 checksum with the pseudo-header).
import { test } from 'node:test';
import { runInterop } from '../helpers/vrrp-interop.js';

test('VRRPv3 IPv4 multicast: halb MASTER / keepalived BACKUP and the reverse; no flap', { timeout: 60_000 }, async (t) => {
  await runInterop(t, { tag: 'v3v4', family: 4, base: { vrid: 20, version: 3, advertInt: 0.2 }, stableMs: 4000 });
});
