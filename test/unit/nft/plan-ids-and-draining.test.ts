// plan.ts: stable ids across applies, real servers and DR services draining for one idle
// timeout, and the services the engine refuses (TUN, mixed methods, DR off-link or with
// another port) reported with a reason instead of rendered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotSupportedError } from '../../../src/core/errors.js';
import { planNft } from '../../../src/dataplane/nft/plan.js';
import { ROUTES, rs, state, svc } from './fixture.js';

const ctx = (now: number) => ({ now, routes: ROUTES });

test('ids stay with their service and real server across applies; new ones get fresh ids', () => {
  const p1 = planNft(undefined, state(svc(), svc({ port: 443 })), ctx(0));
  assert.deepEqual(p1.services.map((s) => [s.id, s.realServers.map((r) => r.id)]), [[1, [1, 2]], [2, [1, 2]]]);
  const p2 = planNft(p1.state, state(svc({ port: 443, realServers: [rs('192.0.2.13'), rs('192.0.2.12')] }), svc({ port: 8080 })), ctx(10));
  const by = new Map(p2.services.map((s) => [s.port, s]));
  assert.equal(by.get(443)!.id, 2, 'an unchanged service keeps its id');
  assert.deepEqual(by.get(443)!.realServers.filter((r) => !r.draining).map((r) => [r.address, r.id]), [['192.0.2.13', 3], ['192.0.2.12', 2]]);
  assert.equal(by.get(8080)!.id, 3, 'a new service gets the next id');
});

test('a server that leaves the pool drains for the idle timeout, then goes', () => {
  const desired = (healthy: boolean) => ({ ...state(svc({ realServers: [rs('192.0.2.11', { healthy }), rs('192.0.2.12')] })), timeouts: { tcpMs: 60_000 } });
  const p1 = planNft(undefined, desired(true), ctx(0));
  const p2 = planNft(p1.state, desired(false), ctx(1000));
  const gone = p2.services[0]!.realServers.find((r) => r.address === '192.0.2.11')!;
  assert.deepEqual([gone.draining, gone.inPool, gone.weight, gone.id], [true, false, 0, 1]);
  assert.equal(p2.nextDeadline, 61_000);
  assert.deepEqual(p2.services[0]!.dispatch, { kind: 'single', rs: 2 }, 'no new flow for the draining server');
  const p3 = planNft(p2.state, desired(false), ctx(30_000));
  assert.ok(p3.services[0]!.realServers.some((r) => r.draining), 'still draining before the deadline');
  const p4 = planNft(p3.state, desired(false), ctx(61_000));
  assert.deepEqual(p4.services[0]!.realServers.map((r) => r.address), ['192.0.2.12']);
  assert.equal(p4.nextDeadline, undefined);
  // Back before the deadline: the same id, so its flows and counters continue.
  const back = planNft(p3.state, desired(true), ctx(40_000));
  assert.equal(back.services[0]!.realServers.find((r) => r.address === '192.0.2.11')!.id, 1);
});

test('a removed DR service keeps forwarding established flows for the idle timeout; a removed NAT service goes at once', () => {
  const p1 = planNft(undefined, state(svc(), svc({ address: '192.0.2.50', forwarding: 'DR' })), ctx(0));
  const p2 = planNft(p1.state, state(), ctx(5));
  assert.equal(p2.services.length, 1);
  const dr = p2.services[0]!;
  assert.deepEqual([dr.forwarding, dr.draining, dr.dispatch.kind], ['DR', true, 'none']);
  assert.ok(dr.realServers.every((r) => r.draining));
  assert.equal(p2.nextDeadline, 5 + 900_000);
  assert.deepEqual(planNft(p2.state, state(), ctx(900_005)).services, []);
});

test('services the engine cannot render are reported, not rendered', () => {
  const cases = [
    [svc({ forwarding: 'TUN' }), /IP-in-IP/],
    [svc({ realServers: [rs('192.0.2.11', { forwarding: 'DR' }), rs('192.0.2.12')] }), /one forwarding method/],
    [svc({ forwarding: 'DR', realServers: [rs('203.0.113.99')] }), /not on a directly connected network.*192\.0\.2\.254/],
    [svc({ forwarding: 'DR', realServers: [rs('192.0.2.11', { port: 8080 })] }), /cannot change the port/],
    [svc({ forwarding: 'DR', realServers: [rs('192.0.2.77')] }), /no route known/],
  ] as const;
  for (const [spec, why] of cases) {
    const p = planNft(undefined, state(spec, svc({ port: 81 })), ctx(0));
    assert.equal(p.services.length, 1, 'the other service still renders');
    assert.equal(p.failures.length, 1);
    assert.ok(p.failures[0]!.error instanceof NotSupportedError);
    assert.match(p.failures[0]!.error.message, why);
  }
});

test('DR real servers carry the device their route uses', () => {
  const p = planNft(undefined, state(svc({ forwarding: 'DR', realServers: [rs('192.0.2.11'), rs('198.51.100.20')] })), ctx(0));
  assert.deepEqual(p.services[0]!.realServers.map((r) => r.device), ['eth0', 'eth1']);
});

test('thresholds: overloaded at uthreshold, back below lthreshold (or 3/4 of uthreshold), as IPVS', () => {
  const desired = state(svc({ scheduler: 'wlc', realServers: [rs('192.0.2.11', { upperThreshold: 8 }), rs('192.0.2.12', { upperThreshold: 8, lowerThreshold: 2 })] }));
  const key = 'TCP:203.0.113.10:80';
  const loads = (a: number, b: number) => new Map([[key, new Map([['192.0.2.11:80', { active: a, inactive: 0 }], ['192.0.2.12:80', { active: b, inactive: 0 }]])]]);
  let p = planNft(undefined, desired, { now: 0, loads: loads(8, 8) });
  assert.ok(p.loadDriven);
  assert.deepEqual(p.services[0]!.realServers.map((r) => r.overloaded), [true, true]);
  assert.deepEqual(p.services[0]!.dispatch, { kind: 'none' });
  p = planNft(p.state, desired, { now: 1, loads: loads(6, 3) });
  assert.deepEqual(p.services[0]!.realServers.map((r) => r.overloaded), [true, true], '6*4 >= 8*3 and 3 >= lthreshold 2');
  p = planNft(p.state, desired, { now: 2, loads: loads(5, 1) });
  assert.deepEqual(p.services[0]!.realServers.map((r) => r.overloaded), [false, false]);
  p = planNft(p.state, desired, { now: 3 });
  assert.deepEqual(p.services[0]!.realServers.map((r) => r.overloaded), [false, false], 'no reading: the flags stay');
});
