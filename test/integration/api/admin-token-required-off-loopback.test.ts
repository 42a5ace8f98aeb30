// The admin API's access rules on the real daemon: a non-loopback listen address
// without a token stops the daemon before it serves anything; with a token every data
// route answers 401 without it (on loopback too), the static dashboard still loads, and
// `--admin-listen off` serves nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { freePort, http, poolConf, startHalb } from './harness.js';

const TOKEN = 'c2VjcmV0LXRva2VuLWZvci10ZXN0cw';

function tokenFile(): string {
  const f = join(tmpdir(), `halb-token-${process.pid}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(f, `${TOKEN}\n`);
  chmodSync(f, 0o600);
  return f;
}

test('a non-loopback admin address without a token is refused at start', async () => {
  const vport = await freePort();
  const port = await freePort();
  const halb = await startHalb({ conf: poolConf(vport, []), adminListen: `0.0.0.0:${port}`, noWait: true });
  try {
    const code = await halb.exited();
    assert.notEqual(code, 0, 'the daemon exits');
    assert.match(halb.output(), /refusing to serve the admin API on 0\.0\.0\.0:\d+ without a token/);
    assert.doesNotMatch(halb.output(), /Starting halb/, 'nothing started');
  } finally {
    await halb.stop();
  }
});

test('with a token, requests without it get 401, with it 200; on 0.0.0.0 and on loopback', async () => {
  const file = tokenFile();
  for (const host of ['0.0.0.0', '127.0.0.1']) {
    const vport = await freePort();
    const port = await freePort();
    const halb = await startHalb({ conf: poolConf(vport, []), adminListen: `${host}:${port}`, args: ['--admin-token-file', file] });
    try {
      assert.match(halb.output(), /bearer token required/);
      for (const path of ['/api/v1/status', '/metrics', '/api/v1/events', '/api/v1/snapshot']) {
        const r = await http(port, path);
        assert.equal(r.status, 401, `${host} ${path} without a token`);
        assert.equal(r.headers['www-authenticate'], 'Bearer realm="halb"');
        assert.equal((await http(port, path, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status, 401);
      }
      const drain = await http(port, `/api/v1/services/TCP:127.0.0.1:${vport}/real-servers/127.0.0.1:1/drain`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      assert.equal(drain.status, 401, 'commands need the token too');
      const ok = await http(port, '/api/v1/status', { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.status, 200);
      assert.equal((JSON.parse(ok.body) as { daemon: { pid: number } }).daemon.pid, halb.child.pid);
      const metrics = await http(port, '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(metrics.status, 200);
      assert.match(metrics.body, /^halb_start_time_seconds \d/m);
      // The page itself carries no data: a browser loads it, then asks for the token.
      const page = await http(port, '/');
      assert.equal(page.status, 200);
      assert.match(page.body, /<script src="\/dashboard\.js"/);
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
    } finally {
      await halb.stop();
    }
  }
});

test('--admin-listen off serves no admin API', async () => {
  const vport = await freePort();
  const halb = await startHalb({ conf: poolConf(vport, []), adminListen: 'off', noWait: true });
  try {
    assert.ok(await halb.waitFor(/Starting halb/, 10_000), halb.output());
    assert.doesNotMatch(halb.output(), /Admin API on/);
  } finally {
    await halb.stop();
  }
});
