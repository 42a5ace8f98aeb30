import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  diffDesired, serviceKey, validateDesired, type DesiredState, type RealServerSpec, type VirtualServiceSpec,
} from '../../../src/dataplane/model.js';

const rs = (address: string, port: number, weight = 1, extra: Partial<RealServerSpec> = {}): RealServerSpec =>
  ({ address, port, weight, healthy: true, ...extra });
const vs = (address: string, port: number, realServers: RealServerSpec[], extra: Partial<VirtualServiceSpec> = {}): VirtualServiceSpec =>
  ({ protocol: 'TCP', address, port, scheduler: 'wlc', quorumUp: true, realServers, ...extra });

const base: DesiredState = {
  services: [
    vs('192.0.2.1', 80, [rs('198.51.100.1', 80), rs('198.51.100.2', 80)]),
    vs('2001:db8::1', 443, [rs('2001:db8::10', 443)]),
    vs('192.0.2.1', 53, [rs('198.51.100.1', 53)], { protocol: 'UDP' }),
  ],
};

test('from nothing, every service is added', () => {
  const d = diffDesired(undefined, base);
  assert.equal(d.added.length, 3);
  assert.deepEqual([d.removed.length, d.changed.length, d.unchanged.length], [0, 0, 0]);
});

test('the same state again changes nothing, even with the VIP spelled differently', () => {
  const respelled: DesiredState = {
    services: base.services.map((s) => (s.address === '2001:db8::1' ? { ...s, address: '2001:0db8:0:0::0001' } : s)),
  };
  const d = diffDesired(base, respelled);
  assert.equal(d.unchanged.length, 3);
  assert.deepEqual([d.added.length, d.removed.length, d.changed.length], [0, 0, 0]);
});

test('services are keyed by protocol, canonical VIP and port', () => {
  assert.equal(serviceKey({ protocol: 'TCP', address: '2001:DB8:0::1', port: 443 }), 'TCP:[2001:db8::1]:443');
  assert.equal(serviceKey({ protocol: 'UDP', address: '192.0.2.1', port: 53 }), 'UDP:192.0.2.1:53');
  const tcp53 = { ...base.services[2]!, protocol: 'TCP' as const };
  const d = diffDesired(base, { services: [base.services[0]!, base.services[1]!, tcp53] });
  assert.deepEqual(d.removed.map(serviceKey), ['UDP:192.0.2.1:53']);
  assert.deepEqual(d.added.map(serviceKey), ['TCP:192.0.2.1:53']);
});

test('a real server removed, one added and a weight change are pool changes of the same service', () => {
  const next: DesiredState = {
    services: [
      vs('192.0.2.1', 80, [rs('198.51.100.1', 80, 5), rs('198.51.100.3', 80)]),
      base.services[1]!, base.services[2]!,
    ],
  };
  const d = diffDesired(base, next);
  assert.equal(d.changed.length, 1);
  const c = d.changed[0]!;
  assert.equal(c.key, 'TCP:192.0.2.1:80');
  assert.deepEqual(c.pool.added.map((p) => p.key), ['198.51.100.3:80']);
  assert.deepEqual(c.pool.removed.map((p) => p.key), ['198.51.100.2:80']);
  assert.deepEqual(c.pool.updated.map((p) => [p.key, p.weight]), [['198.51.100.1:80', 5]]);
  assert.equal(c.schedulerChanged, false);
  assert.equal(d.unchanged.length, 2);
});

test('health and quorum reach the diff as pool changes; scheduler and persistence as their own flags', () => {
  const s0 = base.services[0]!;
  const down = { ...s0, realServers: [rs('198.51.100.1', 80), rs('198.51.100.2', 80, 1, { healthy: false })] };
  let d = diffDesired(base, { services: [down, base.services[1]!, base.services[2]!] });
  assert.deepEqual(d.changed[0]!.pool.removed.map((p) => p.key), ['198.51.100.2:80']);

  const inhibited = { ...s0, realServers: [rs('198.51.100.1', 80), rs('198.51.100.2', 80, 1, { healthy: false, inhibitOnFailure: true })] };
  d = diffDesired(base, { services: [inhibited, base.services[1]!, base.services[2]!] });
  assert.deepEqual(d.changed[0]!.pool.updated.map((p) => [p.key, p.weight]), [['198.51.100.2:80', 0]]);

  const resched = { ...s0, scheduler: 'sh' as const, schedulerFlags: { port: true } };
  d = diffDesired(base, { services: [resched, base.services[1]!, base.services[2]!] });
  assert.equal(d.changed[0]!.schedulerChanged, true);
  assert.equal(d.changed[0]!.persistenceChanged, false);

  const persist = { ...s0, persistence: { timeoutMs: 360_000 } };
  d = diffDesired(base, { services: [persist, base.services[1]!, base.services[2]!] });
  assert.equal(d.changed[0]!.persistenceChanged, true);
  // Granularity left out equals the family's full length.
  const explicit = { ...s0, persistence: { timeoutMs: 360_000, granularity: 32 } };
  d = diffDesired({ services: [persist] }, { services: [explicit] });
  assert.equal(d.unchanged.length, 1);
});

test('global timeouts count as a settings change of every service that does not override them', () => {
  const d = diffDesired(base, { ...base, timeouts: { tcpMs: 60_000 } });
  assert.equal(d.changed.length, 3);
  assert.ok(d.changed.every((c) => c.settingsChanged));
  const overriding: DesiredState = { services: base.services.map((s) => ({ ...s, timeouts: { tcpMs: 60_000 } })) };
  assert.equal(diffDesired(overriding, { ...overriding, timeouts: { tcpMs: 60_000 } }).unchanged.length, 3);
});

test('validation names every problem and accepts a good state', () => {
  assert.deepEqual(validateDesired(base), []);
  const bad: DesiredState = {
    services: [
      vs('192.0.2.1', 80, [rs('198.51.100.1', 80), rs('198.51.100.1', 80)]),
      vs('192.0.2.1', 80, []),
      vs('192.0.2.300', 80, []),
      vs('192.0.2.2', 0, [rs('2001:db8::1', 80), rs('198.51.100.1', 80, -1)], { persistence: { timeoutMs: 1, granularity: 33 } }),
    ],
  };
  const problems = validateDesired(bad);
  const has = (re: RegExp): boolean => problems.some((p) => re.test(p));
  assert.ok(has(/duplicate real server/));
  assert.ok(has(/duplicate virtual service TCP:192.0.2.1:80/));
  assert.ok(has(/'192.0.2.300' is not an IP address/));
  assert.ok(has(/port must be 1..65535/));
  assert.ok(has(/family differs/));
  assert.ok(has(/weight must be an integer >= 0/));
  assert.ok(has(/granularity must be a prefix length 0..32/));
});
