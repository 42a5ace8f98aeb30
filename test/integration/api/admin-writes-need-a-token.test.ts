// Admin writes need authority. The real daemon with its admin API on loopback and no
// token: a local user who is not root (nobody, through setpriv) can read status, metrics
// and the access answer, but every write route (weight, drain, enable, release, reload)
// answers 403 naming `halb ctl` and --admin-token-file, and the pool is left as it was.
// With --admin-token-file the same user with the token gets through on each route.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startBackend } from '../../helpers/daemon-process.js';
import { requireRoot } from '../../helpers/privileges.js';
import { freePort, getJson, http, poolConf, startHalb, TEST_TOKEN, until } from './harness.js';
import type { StatusView } from '../../../src/api/status-view.js';

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** curl as user nobody: the status code and the body. */
function asNobody(method: 'GET' | 'POST', url: string, headers: readonly string[] = []): { status: number; body: string } {
  const args = [...NOBODY, 'curl', '-sS', '-o', '-', '-w', '\n%{http_code}', '-X', method,
    ...(method === 'POST' ? ['-H', 'content-type: application/json', '-d', '{"weight": 3}'] : []),
    ...headers.flatMap((h) => ['-H', h]), url];
  const r = spawnSync('setpriv', args, { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, `setpriv curl failed: ${r.stderr}`);
  const cut = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(cut + 1)), body: r.stdout.slice(0, cut) };
}

function whoami(): string {
  return spawnSync('setpriv', [...NOBODY, 'id', '-u'], { encoding: 'utf8' }).stdout.trim();
}

function canRun(t: TestContext): boolean {
  if (!requireRoot(t, 'switching to user nobody with setpriv')) return false;
  for (const p of ['setpriv', 'curl']) {
    if (spawnSync(p, ['--version']).status !== 0) {
      if (process.env.CI === 'true') throw new Error(`${p} is missing (scripts/install-deps.sh installs it)`);
      t.skip(`${p} is not installed`);
      return false;
    }
  }
  return true;
}

test('without a token: reads work for a local user, every write is refused with 403 naming halb ctl', async (t) => {
  if (!canRun(t)) return;
  assert.equal(whoami(), '65534');
  const be = await startBackend('A');
  const vport = await freePort();
  const halb = await startHalb({ conf: poolConf(vport, [be.port]) });
  const svc = `TCP:127.0.0.1:${vport}`;
  const rs = `127.0.0.1:${be.port}`;
  const base = `http://127.0.0.1:${halb.adminPort}`;
  try {
    assert.match(halb.output(), /no token: loopback only, read-only/);
    for (const path of ['/api/v1/status', '/metrics', '/api/v1/snapshot']) assert.equal(asNobody('GET', `${base}${path}`).status, 200, path);
    const access = JSON.parse(asNobody('GET', `${base}/api/v1/access`).body) as { writes: boolean; reason: string };
    assert.equal(access.writes, false);
    assert.match(access.reason, /halb ctl/);
    const writes = [
      `/api/v1/services/${svc}/real-servers/${rs}/weight`,
      `/api/v1/services/${svc}/real-servers/${rs}/drain`,
      `/api/v1/services/${svc}/real-servers/${rs}/enable`,
      '/api/v1/vrrp/instances/VI_1/release',
      '/api/v1/reload',
    ];
    for (const path of writes) {
      const r = asNobody('POST', `${base}${path}`);
      assert.equal(r.status, 403, `${path}: ${r.body}`);
      const msg = (JSON.parse(r.body) as { error: { message: string } }).error.message;
      assert.match(msg, /`halb ctl`/, path);
      assert.match(msg, /--admin-token-file/, path);
    }
    // Nothing happened: the weight is the config's, no reload ran.
    const st = await getJson<StatusView>(halb.adminPort, '/api/v1/status');
    const row = st.services.find((s) => s.key === svc)?.realServers.find((r) => r.key === rs);
    assert.equal(row?.weight, 1);
    assert.equal(row?.override ?? null, null);
    assert.doesNotMatch(halb.output(), /Reloading configuration|Draining/);
    // A DNS name in Host is refused without a token (DNS rebinding), reads included.
    assert.equal((await http(halb.adminPort, '/api/v1/status', { headers: { host: 'evil.example:80' } })).status, 403);
  } finally {
    await halb.stop();
    be.server.close();
  }
});

test('with --admin-token-file, the same user with the token gets through on every write route', async (t) => {
  if (!canRun(t)) return;
  const be = await startBackend('A');
  const vport = await freePort();
  const halb = await startHalb({ conf: poolConf(vport, [be.port]), token: TEST_TOKEN });
  const svc = `TCP:127.0.0.1:${vport}`;
  const rs = `127.0.0.1:${be.port}`;
  const base = `http://127.0.0.1:${halb.adminPort}`;
  const auth = [`authorization: Bearer ${TEST_TOKEN}`];
  try {
    await until(async () => ((await getJson<StatusView>(halb.adminPort, '/api/v1/status')).services.length > 0 ? true : undefined), 5000);
    assert.equal(asNobody('POST', `${base}/api/v1/services/${svc}/real-servers/${rs}/weight`).status, 401, 'no token: 401');
    assert.equal(JSON.parse(asNobody('GET', `${base}/api/v1/access`, auth).body).writes, true);
    const expect: [string, number][] = [
      [`/api/v1/services/${svc}/real-servers/${rs}/weight`, 200],
      [`/api/v1/services/${svc}/real-servers/${rs}/drain`, 200],
      [`/api/v1/services/${svc}/real-servers/${rs}/enable`, 200],
      // This daemon runs no VRRP instance: authorised, then refused by the backend.
      ['/api/v1/vrrp/instances/VI_1/release', 409],
      ['/api/v1/reload', 200],
    ];
    for (const [path, want] of expect) {
      const r = asNobody('POST', `${base}${path}`, auth);
      assert.equal(r.status, want, `${path}: ${r.body}`);
    }
    assert.ok(await halb.waitFor(/Reloading configuration/, 5000), halb.output());
    assert.match(halb.output(), /Draining 127\.0\.0\.1:\d+ of TCP:127\.0\.0\.1:\d+ \(by api 127\.0\.0\.1/);
  } finally {
    await halb.stop();
    be.server.close();
  }
});
