// /metrics renders the daemon's status with Prometheus conventions: halb_ prefix,
// counters ending in _total, units in names (seconds, bytes), one series per state,
// values copied from the snapshots, and series that disappear with their object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdminStatus } from '../../../src/api/admin-types.js';
import { createMetrics } from '../../../src/api/metrics.js';
import { RS_DOWN, RS_UP, SVC, service, status } from './fixtures.js';

function samples(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    m.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return m;
}

test('names follow the conventions and every family has help and a type', async () => {
  let s: AdminStatus = status();
  const text = await createMetrics(async () => s, { defaultMetrics: false }).render();
  const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] ?? '', m[2] ?? ''] as const);
  assert.ok(types.length > 40, `${types.length} families`);
  for (const [name, type] of types) {
    assert.match(name, /^halb_[a-z0-9_]+$/, name);
    if (type === 'counter') assert.match(name, /_total$/, `${name} is a counter`);
    else assert.doesNotMatch(name, /_total$/, `${name} is a ${type}`);
    assert.match(text, new RegExp(`^# HELP ${name} \\S`, 'm'), `${name} has help`);
    assert.doesNotMatch(name, /_ms$|_millis|_kb$|_mb$/, `${name}: base units only`);
  }
  s = status({ vrrp: undefined });
  assert.doesNotMatch(await createMetrics(async () => s, { defaultMetrics: false }).render(), /^halb_vrrp_state\{/m);
});

test('values come from the status: VRRP, checkers, dataplane, event loop', async () => {
  const m = samples(await createMetrics(async () => status(), { defaultMetrics: false }).render());
  const i = '{vrrp_instance="VI_1"}';
  assert.equal(m.get('halb_vrrp_state{vrrp_instance="VI_1",state="MASTER"}'), 1);
  assert.equal(m.get('halb_vrrp_state{vrrp_instance="VI_1",state="BACKUP"}'), 0);
  assert.equal(m.get(`halb_vrrp_base_priority${i}`), 100);
  assert.equal(m.get(`halb_vrrp_effective_priority${i}`), 90);
  assert.equal(m.get('halb_vrrp_priority_contribution{vrrp_instance="VI_1",tracker="chk_web",kind="script"}'), -10);
  assert.equal(m.get(`halb_vrrp_adverts_sent_total${i}`), 12);
  assert.equal(m.get(`halb_vrrp_adverts_received_total${i}`), 30);
  assert.equal(m.get('halb_vrrp_adverts_dropped_total{vrrp_instance="VI_1",reason="INVALID_TTL"}'), 2);
  assert.equal(m.get(`halb_vrrp_transitions_total${i}`), 2);
  assert.equal(m.get(`halb_vrrp_last_transition_timestamp_seconds${i}`), 1_700_000_000.25);
  assert.equal(m.get('halb_vrrp_unattributed_drops_total{reason="BAD_CHECKSUM"}'), 2);
  assert.equal(m.get('halb_vrrp_event_loop_lag_p99_seconds'), 0.002);
  const up = `{service="${SVC}",real_server="${RS_UP}"}`;
  const down = `{service="${SVC}",real_server="${RS_DOWN}"}`;
  assert.equal(m.get(`halb_real_server_up${up}`), 1);
  assert.equal(m.get(`halb_real_server_up${down}`), 0);
  assert.equal(m.get(`halb_checker_up{service="${SVC}",real_server="${RS_DOWN}",checker="TCP_CHECK",target="[192.0.2.12]:tcp:8080"}`), 0);
  assert.equal(m.get(`halb_checker_failures_total{service="${SVC}",real_server="${RS_DOWN}",checker="TCP_CHECK",target="[192.0.2.12]:tcp:8080"}`), 4);
  assert.equal(m.get(`halb_checker_latency_seconds{service="${SVC}",real_server="${RS_UP}",checker="TCP_CHECK",target="[192.0.2.11]:tcp:8080"}`), 0.0015);
  assert.equal(m.get(`halb_service_connections_total{service="${SVC}"}`), 12);
  assert.equal(m.get(`halb_service_out_bytes_total{service="${SVC}"}`), 4800);
  assert.equal(m.get(`halb_service_in_bytes_per_second{service="${SVC}"}`), 40);
  assert.equal(m.get(`halb_real_server_connections_total${up}`), 7);
  assert.equal(m.get(`halb_real_server_weight${up}`), 3);
  assert.equal(m.get(`halb_real_server_active_connections${up}`), 2);
  assert.equal(m.get(`halb_real_server_weight_override{service="${SVC}",real_server="192.0.2.13:8080"}`), 0);
  assert.equal(m.get('halb_event_loop_lag_p99_seconds'), 0.009);
  assert.equal(m.get('halb_reloads_total'), 3);
  assert.equal(m.get('halb_last_reload_success'), 0);
  assert.equal(m.get('halb_checker_schedule_lateness_max_seconds'), 0.008);
});

test('each scrape reads a fresh status; a real server that left has no series left', async () => {
  let s = status();
  const metrics = createMetrics(async () => s, { defaultMetrics: false });
  const first = samples(await metrics.render());
  assert.equal(first.get(`halb_real_server_connections_total{service="${SVC}",real_server="${RS_UP}"}`), 7);
  s = status({ dataplane: { ...s.dataplane, services: [service([])] }, health: undefined, overrides: [] });
  const second = samples(await metrics.render());
  assert.equal([...second.keys()].some((k) => k.includes(RS_UP)), false);
  assert.equal(second.get(`halb_service_connections_total{service="${SVC}"}`), 12);
});

test('the default Node.js process metrics are there unless turned off', async () => {
  const text = await createMetrics(async () => status()).render();
  assert.match(text, /^process_cpu_user_seconds_total /m);
  assert.match(text, /^nodejs_heap_size_total_bytes /m);
});

test('nothing to report, nothing rendered: no reload outcome before the first reload, no VRRP families without VRRP', async () => {
  const s = status({ vrrp: undefined, daemon: { ...status().daemon, reloads: 0, lastReload: undefined } });
  const text = await createMetrics(async () => s, { defaultMetrics: false }).render();
  assert.doesNotMatch(text, /halb_last_reload_success/, 'a 0 here would read as "the last reload was refused"');
  assert.doesNotMatch(text, /^# TYPE halb_vrrp_/m);
  assert.match(text, /^halb_reloads_total 0$/m);
  assert.match(text, /^halb_start_time_seconds /m);
});

test('the VRRP label is vrrp_instance; --metrics-legacy-instance-label brings back `instance` for one release', async () => {
  const now = await createMetrics(async () => status(), { defaultMetrics: false }).render();
  assert.doesNotMatch(now, /[{,]instance="/);
  assert.match(now, /^halb_vrrp_state\{vrrp_instance="VI_1",state="MASTER"\} 1$/m);
  const legacy = await createMetrics(async () => status(), { defaultMetrics: false, legacyInstanceLabel: true }).render();
  assert.match(legacy, /^halb_vrrp_state\{instance="VI_1",state="MASTER"\} 1$/m);
  assert.doesNotMatch(legacy, /vrrp_instance=/);
});
