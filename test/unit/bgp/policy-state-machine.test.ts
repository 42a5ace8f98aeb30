// The announcement policy: state x event -> state + actions, with reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BgpAnnounce } from '../../../src/config/index.js';
import { announcedPrefixes, initialPolicy, step, type PolicyEvent, type ServiceHealth } from '../../../src/bgp/policy.js';

const pos = { file: '/k.conf', line: 1 };
const A: BgpAnnounce = { pos, address: '192.0.2.100', family: 4, require: 'all' };
const B: BgpAnnounce = { pos, address: '2001:db8::100', family: 6, require: 'any' };
const svc = (label: string, quorum: boolean, failed = false): ServiceHealth => ({ label, quorum, failed });
const ev = (m: Record<string, ServiceHealth[]>, dataplaneUp = true): PolicyEvent => ({ kind: 'evaluate', dataplaneUp, services: new Map(Object.entries(m)) });

test('announce with quorum, withdraw on lost quorum, dataplane failure and clean stop; no action without change', () => {
  let s = initialPolicy([A]);
  assert.deepEqual(announcedPrefixes(s), []);
  let r = step([A], s, ev({ '192.0.2.100': [svc('[192.0.2.100]:tcp:80', true)] }));
  assert.deepEqual(r.actions, [{ kind: 'announce', prefix: '192.0.2.100/32', reason: '[192.0.2.100]:tcp:80 up with quorum' }]);
  s = r.state;
  r = step([A], s, ev({ '192.0.2.100': [svc('[192.0.2.100]:tcp:80', true)] }));
  assert.deepEqual(r.actions, [], 'same inputs, nothing to do');
  r = step([A], s, ev({ '192.0.2.100': [svc('[192.0.2.100]:tcp:80', false)] }));
  assert.deepEqual(r.actions, [{ kind: 'withdraw', prefix: '192.0.2.100/32', reason: '[192.0.2.100]:tcp:80 lost quorum' }]);
  r = step([A], s, { kind: 'evaluate', dataplaneUp: false, dataplaneError: 'nft: no such table', services: new Map() });
  assert.deepEqual(r.actions, [{ kind: 'withdraw', prefix: '192.0.2.100/32', reason: 'dataplane down: nft: no such table' }]);
  r = step([A], s, ev({ '192.0.2.100': [svc('[192.0.2.100]:tcp:80', true, true)] }));
  assert.equal(r.actions[0]?.reason, 'dataplane failed [192.0.2.100]:tcp:80');
  r = step([A], s, { kind: 'stop' });
  assert.deepEqual(r.actions, [{ kind: 'withdraw', prefix: '192.0.2.100/32', reason: 'clean stop' }]);
  assert.deepEqual(announcedPrefixes(r.state), []);
});

test('all vs any over several virtual servers on one address', () => {
  const two = (q1: boolean, q2: boolean): ServiceHealth[] => [svc(':80', q1), svc(':443', q2)];
  assert.deepEqual(step([A], initialPolicy([A]), ev({ '192.0.2.100': two(true, false) })).actions, []);
  const any = step([B], initialPolicy([B]), ev({ '2001:db8::100': two(false, true) }));
  assert.deepEqual(any.actions, [{ kind: 'announce', prefix: '2001:db8::100/128', reason: ':443 up with quorum' }]);
  assert.deepEqual(step([B], any.state, ev({ '2001:db8::100': two(false, false) })).actions[0]?.reason, 'no virtual server on 2001:db8::100 has quorum');
});

test('a prefix dropped by a reload is withdrawn', () => {
  const s = step([A, B], initialPolicy([A, B]), ev({ '192.0.2.100': [svc('x', true)], '2001:db8::100': [svc('y', true)] })).state;
  assert.deepEqual(announcedPrefixes(s), ['192.0.2.100/32', '2001:db8::100/128']);
  const r = step([A], s, ev({ '192.0.2.100': [svc('x', true)] }));
  assert.deepEqual(r.actions, [{ kind: 'withdraw', prefix: '2001:db8::100/128', reason: 'no longer in halb_bgp' }]);
});
