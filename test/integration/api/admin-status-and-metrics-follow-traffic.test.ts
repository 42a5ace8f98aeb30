// The admin API of the real daemon: /api/v1/status and /metrics move with real traffic
// through the proxy and with a real TCP_CHECK transition (a backend killed, then back),
// and the run-time commands (weight, drain, enable; with the admin token) act on the pool
// and answer errors as JSON with their status.
import { test } from 'node:test';
import { createServer } from 'node:http';
import assert from 'node:assert/strict';
import { httpGet, startBackend } from '../../helpers/daemon-process.js';
import { freePort, getJson, http, parseMetrics, poolConf, postJson, startHalb, TEST_TOKEN, until } from './harness.js';
import type { StatusView } from '../../../src/api/status-view.js';

test('status and metrics follow traffic and a checker transition; weight, drain and enable act on the pool', async () => {
  const a = await startBackend('A');
  const b = await startBackend('B');
  const vport = await freePort();
  const halb = await startHalb({ conf: poolConf(vport, [a.port, b.port]), token: TEST_TOKEN });
  const svc = `TCP:127.0.0.1:${vport}`;
  const rsA = `127.0.0.1:${a.port}`;
  const rsB = `127.0.0.1:${b.port}`;
  const P = halb.adminPort;
  const metric = async (name: string): Promise<number | undefined> => parseMetrics((await http(P, '/metrics')).body).get(name);
  const rsLabel = (rs: string): string => `{service="${svc}",real_server="${rs}"}`;
  const rowOf = (s: StatusView, rs: string) => s.services.find((x) => x.key === svc)?.realServers.find((r) => r.key === rs);
  try {
    // Both checkers pass first.
    await until(async () => {
      const s = await getJson<StatusView>(P, '/api/v1/status');
      return rowOf(s, rsA)?.checkers[0]?.last?.ok === true && rowOf(s, rsB)?.checkers[0]?.last?.ok === true ? s : undefined;
    }, 5000);
    const before = await metric(`halb_service_connections_total{service="${svc}"}`);
    assert.equal(before, 0, 'no connection yet');

    // Real traffic: 10 requests through the virtual server.
    for (let i = 0; i < 10; i++) await httpGet('127.0.0.1', vport);
    const m = parseMetrics((await http(P, '/metrics')).body);
    assert.equal(m.get(`halb_service_connections_total{service="${svc}"}`), 10);
    assert.equal((m.get(`halb_real_server_connections_total${rsLabel(rsA)}`) ?? 0) + (m.get(`halb_real_server_connections_total${rsLabel(rsB)}`) ?? 0), 10);
    assert.ok((m.get(`halb_service_in_bytes_total{service="${svc}"}`) ?? 0) > 0, 'bytes in counted');
    assert.ok((m.get(`halb_service_out_bytes_total{service="${svc}"}`) ?? 0) > 0, 'bytes out counted');
    assert.equal(m.get(`halb_real_server_up${rsLabel(rsB)}`), 1);
    const chB = `{service="${svc}",real_server="${rsB}",checker="TCP_CHECK",target="[127.0.0.1]:tcp:${b.port}"}`;
    assert.equal(m.get(`halb_checker_up${chB}`), 1);
    assert.ok((m.get(`halb_checker_runs_total${chB}`) ?? 0) >= 1);
    assert.ok((m.get(`halb_checker_latency_seconds${chB}`) ?? -1) >= 0);
    assert.ok(m.has('halb_event_loop_lag_p99_seconds'));
    const st = await getJson<StatusView>(P, '/api/v1/status');
    assert.equal(st.services.find((x) => x.key === svc)?.stats.conns, 10, 'status counts the same connections');

    // A real checker transition: B dies, its checker fails within delay_loop + connect_timeout.
    await new Promise<void>((r) => { b.server.close(() => r()); b.server.closeAllConnections(); });
    await until(async () => ((await metric(`halb_real_server_up${rsLabel(rsB)}`)) === 0 ? true : undefined), 5000);
    const down = await getJson<StatusView>(P, '/api/v1/status');
    assert.equal(rowOf(down, rsB)?.state, 'down', 'status shows B down (out of the pool but still listed)');
    assert.equal(rowOf(down, rsB)?.checkers[0]?.last?.ok, false);
    assert.ok((await metric(`halb_checker_failures_total${chB}`) ?? 0) >= 1);
    // B comes back on the same port: up again.
    const again = createServer((_q, res) => res.end('B'));
    await new Promise<void>((r) => again.listen(b.port, '127.0.0.1', () => r()));
    try {
      await until(async () => ((await metric(`halb_real_server_up${rsLabel(rsB)}`)) === 1 ? true : undefined), 5000);

      // Run-time weight: visible in status, metrics and the scheduler.
      const w = await postJson(P, `/api/v1/services/${encodeURIComponent(svc)}/real-servers/${encodeURIComponent(rsA)}/weight`, { weight: 7 });
      assert.equal(w.status, 200, w.body);
      assert.equal((JSON.parse(w.body) as { override: { weight: number } }).override.weight, 7);
      await until(async () => ((await metric(`halb_real_server_weight${rsLabel(rsA)}`)) === 7 ? true : undefined), 3000);
      assert.equal(await metric(`halb_real_server_weight_override${rsLabel(rsA)}`), 7);

      // Drain A: weight 0, new connections all go to B.
      const d = await postJson(P, `/api/v1/services/${svc}/real-servers/${rsA}/drain`);
      assert.equal(d.status, 200, d.body);
      await until(async () => (rowOf(await getJson<StatusView>(P, '/api/v1/status'), rsA)?.weight === 0 ? true : undefined), 3000);
      const drained = rowOf(await getJson<StatusView>(P, '/api/v1/status'), rsA);
      assert.equal(drained?.state, 'drained');
      assert.match(drained?.override?.by ?? '', /^api 127\.0\.0\.1/);
      const aBefore = a.hits;
      for (let i = 0; i < 4; i++) assert.equal(await httpGet('127.0.0.1', vport), 'B');
      assert.equal(a.hits, aBefore, 'a drained server gets no new connection');

      // Enable: back to the configured weight.
      const e = await postJson(P, `/api/v1/services/${svc}/real-servers/${rsA}/enable`);
      assert.equal(e.status, 200, e.body);
      await until(async () => (rowOf(await getJson<StatusView>(P, '/api/v1/status'), rsA)?.weight === 1 ? true : undefined), 3000);
      assert.equal(await metric(`halb_real_server_weight_override${rsLabel(rsA)}`), undefined, 'the override series is gone');

      // Errors are JSON with their status.
      const nf = await postJson(P, `/api/v1/services/${svc}/real-servers/127.0.0.1:1/drain`);
      assert.equal(nf.status, 404);
      assert.match((JSON.parse(nf.body) as { error: { message: string } }).error.message, /no real server/);
      const bad = await postJson(P, `/api/v1/services/${svc}/real-servers/${rsA}/weight`, { weight: -1 });
      assert.equal(bad.status, 400);
      const noType = await http(P, `/api/v1/services/${svc}/real-servers/${rsA}/drain`, { method: 'POST' });
      assert.equal(noType.status, 415, 'a POST without application/json (a cross-site form) is refused');
      const foreign = await postJson(P, `/api/v1/services/${svc}/real-servers/${rsA}/drain`, {}, { origin: 'http://evil.example' });
      assert.equal(foreign.status, 403);
      assert.equal((await http(P, '/api/v1/nope')).status, 404);
      assert.equal((await http(P, '/api/v1/status', { method: 'DELETE' })).status, 405);
      assert.match(halb.output(), /Draining 127\.0\.0\.1:\d+ of TCP:127\.0\.0\.1:\d+ \(by api 127\.0\.0\.1/, 'commands are logged');
    } finally {
      again.close();
    }
  } finally {
    await halb.stop();
    a.server.close();
    b.server.close();
  }
});
