import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FAST, oneServerConfig, startChecking, startDns, type DnsServer, type Harness } from './harness.js';

let dns: DnsServer;
let h: Harness;

before(async () => {
  dns = await startDns();
  dns.decoyFirst = true; // a reply with the wrong id first: must be ignored
  h = startChecking(oneServerConfig({ rsPort: dns.port, checkers: `    DNS_CHECK {\n      type A\n      name www.example.org\n      connect_timeout 0.5\n      ${FAST}\n    }` }));
});

after(async () => {
  await h.stop();
  await dns.close();
});

test('DNS_CHECK over UDP: NOERROR is up, SERVFAIL and a closed port (ICMP unreachable) are down', async () => {
  await h.waitFor(true);
  assert.deepEqual(dns.queries[0], { name: 'www.example.org', type: 1 });
  dns.healthy = false;
  await h.waitFor(false);
  assert.match(h.hs.snapshot().realServers[0]?.checkers[0]?.last?.detail ?? '', /RCODE SERVFAIL/);
  dns.healthy = true;
  await h.waitFor(true);
  await dns.down();
  await h.waitFor(false);
  assert.equal(h.hs.snapshot().realServers[0]?.checkers[0]?.last?.ok === false && (h.hs.snapshot().realServers[0]?.checkers[0]?.last as { reason: string }).reason, 'refused');
  await dns.up();
  await h.waitFor(true);
});
