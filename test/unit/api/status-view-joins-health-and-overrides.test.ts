// The one view the API, dashboard, metrics and dumps share: dataplane rows joined with
// their checkers and overrides, failed real servers still listed after they left the
// pool, and each VRRP instance's last transition with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namesFromRsId, statusView, healthByName } from '../../../src/api/status-view.js';
import { DRAIN, RS_DOWN, RS_DRAINED, RS_UP, SVC, status } from './fixtures.js';

test('real servers carry their state, checkers and override; a failed one out of the pool is listed down', () => {
  const v = statusView(status());
  const svc = v.services.find((s) => s.key === SVC);
  assert.ok(svc !== undefined);
  assert.deepEqual(svc.realServers.map((r) => [r.key, r.state]), [[RS_UP, 'up'], [RS_DRAINED, 'drained'], [RS_DOWN, 'down']]);
  const up = svc.realServers[0];
  assert.equal(up?.alive, true);
  assert.deepEqual(up?.checkers, [{ kind: 'TCP_CHECK', target: '[192.0.2.11]:tcp:8080', up: true, runs: 9, failures: 0, nextInMs: 500, last: { ok: true, detail: 'TCP connection succeeded', latencyMs: 1.5 } }]);
  const drained = svc.realServers[1];
  assert.deepEqual(drained?.override, DRAIN);
  assert.equal(drained?.alive, null, 'no checker: always up, as in keepalived');
  const down = svc.realServers[2];
  assert.equal(down?.weight, 0);
  assert.equal(down?.port, 8080);
  assert.equal(down?.stats.conns, 0);
  assert.equal(down?.checkers[0]?.last?.reason, 'refused');
  assert.deepEqual(v.health, { lateness: { runs: 20, meanMs: 1.25, maxMs: 8 } });
});

test('the daemon\'s name map wins over labels; without it, labels give the names', () => {
  assert.deepEqual(namesFromRsId('[192.0.2.10]:tcp:80/192.0.2.11:8080'), { service: 'TCP:192.0.2.10:80', realServer: '192.0.2.11:8080' });
  assert.deepEqual(namesFromRsId('[2001:db8::1]:udp:53/[2001:db8::2]:53'), { service: 'UDP:[2001:db8::1]:53', realServer: '[2001:db8::2]:53' });
  assert.equal(namesFromRsId('[grp]:0/192.0.2.11:80'), undefined, 'a group label does not name a service');
  assert.equal(namesFromRsId('nonsense'), undefined);
  const mapped = healthByName(status({ realServerIds: { 'TCP:198.51.100.1:80|198.51.100.2:80': '[192.0.2.10]:tcp:80/192.0.2.11:8080' } }));
  assert.deepEqual([...mapped.keys()], ['TCP:198.51.100.1:80|198.51.100.2:80']);
  assert.equal(mapped.get('TCP:198.51.100.1:80|198.51.100.2:80')?.alive, true);
});

test('an instance\'s last transition: the API\'s timed event first, else the engine\'s list at lastTransition', () => {
  const fromEngine = statusView(status()).vrrp?.instances[0]?.lastTransition;
  assert.deepEqual(fromEngine, { at: 1_700_000_000_250, from: 'BACKUP', to: 'MASTER', reason: 'no advertisement within Master_Down_Interval' });
  const seen = [{ kind: 'vrrp-transition' as const, at: 1_700_000_000_260, instance: 'VI_1', from: 'INIT', to: 'MASTER', priority: 90, reason: 'priority 255' }];
  assert.deepEqual(statusView(status(), seen).vrrp?.instances[0]?.lastTransition, { at: 1_700_000_000_260, from: 'INIT', to: 'MASTER', reason: 'priority 255' });
  assert.equal(statusView(status({ vrrp: undefined })).vrrp, null);
  assert.equal(statusView(status({ vrrp: { engine: 'garbage' } })).vrrp, null, 'an unexpected shape is no VRRP, not a crash');
});
