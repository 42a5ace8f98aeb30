import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FAST, oneServerConfig, startChecking, startWeb, type Harness, type WebServer } from './harness.js';

let web: WebServer;
let h: Harness;

before(async () => {
  web = await startWeb();
  h = startChecking(oneServerConfig({ rsPort: web.port, checkers: `    TCP_CHECK {\n      connect_timeout 0.5\n      ${FAST}\n    }` }));
});

after(async () => {
  await h.stop();
  await web.close();
});

test('TCP_CHECK: up on connect, down when the port refuses, up again when it listens', async () => {
  await h.waitFor(true);
  await web.down();
  const downAt = await h.waitFor(false);
  await web.up();
  const upAt = await h.waitFor(true);
  assert.ok(upAt > downAt);
  assert.match(h.events.find((e) => !e.alive)?.reason ?? '', /^TCP_CHECK on service \[127\.0\.0\.1\]:tcp:\d+ failed after 1 retries\.$/);
  const snap = h.hs.snapshot().realServers[0]?.checkers[0];
  assert.ok((snap?.failures ?? 0) >= 2);
});
