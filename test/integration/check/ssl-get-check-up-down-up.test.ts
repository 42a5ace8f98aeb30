import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FAST, oneServerConfig, selfSignedCert, startChecking, startWeb, type Harness, type WebServer } from './harness.js';

let web: WebServer;

before(async () => {
  web = await startWeb(selfSignedCert());
});

after(async () => {
  await web.close();
});

test('SSL_GET against HTTPS with a self-signed certificate: up, down on 503 and on refusal, up again; SNI sent', async () => {
  const h: Harness = startChecking(oneServerConfig({
    rsPort: web.port,
    checkers: `    SSL_GET {\n      url {\n        path /\n        status_code 200\n      }\n      enable_sni\n      virtualhost secure.example.org\n      connect_timeout 1\n      ${FAST}\n    }`,
  }));
  try {
    await h.waitFor(true);
    assert.equal(web.servernames.at(-1), 'secure.example.org');
    assert.equal(web.hosts.at(-1), 'secure.example.org');
    web.healthy = false;
    await h.waitFor(false);
    web.healthy = true;
    await h.waitFor(true);
    await web.down();
    await h.waitFor(false);
    await web.up();
    await h.waitFor(true);
  } finally {
    await h.stop();
  }
});

test('SSL_GET fails on a plain HTTP port (no TLS handshake)', async () => {
  const { startWeb: plain } = await import('./harness.js');
  const p = await plain();
  const h = startChecking(oneServerConfig({
    rsPort: p.port,
    checkers: `    SSL_GET {\n      url {\n        path /\n      }\n      connect_timeout 0.5\n      ${FAST}\n    }`,
  }));
  try {
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(h.hs.health(h.rsId)?.alive, false);
    const last = h.hs.snapshot().realServers[0]?.checkers[0]?.last;
    assert.equal(last?.ok, false);
  } finally {
    await h.stop();
    await p.close();
  }
});
