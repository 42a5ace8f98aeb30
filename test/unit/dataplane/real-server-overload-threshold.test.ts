import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealServerState } from '../../../src/dataplane/proxy/real-server.js';

const entry = (upperThreshold: number, lowerThreshold: number) =>
  ({ key: '198.51.100.1:80', address: '198.51.100.1', port: 80, weight: 1, upperThreshold, lowerThreshold, sorry: false });

test('overloaded at uthreshold connections; with lthreshold set, lifted below it', () => {
  const d = new RealServerState(entry(4, 2));
  for (let i = 0; i < 3; i++) d.bind();
  assert.equal(d.overloaded, false);
  d.bind();
  assert.equal(d.overloaded, true);
  d.unbind(false); // 3
  d.unbind(false); // 2: not below 2 yet
  assert.equal(d.overloaded, true);
  d.unbind(false); // 1
  assert.equal(d.overloaded, false);
});

test('without lthreshold the overload lifts below 3/4 of uthreshold (ip_vs_unbind_dest)', () => {
  const d = new RealServerState(entry(8, 0));
  for (let i = 0; i < 8; i++) d.bind();
  assert.equal(d.overloaded, true);
  d.unbind(false); // 7: 28 < 24? no
  d.unbind(false); // 6: 24 < 24? no
  assert.equal(d.overloaded, true);
  d.unbind(false); // 5: 20 < 24
  assert.equal(d.overloaded, false);
});

test('active and inactive both count toward the threshold, and state changes keep the total', () => {
  const d = new RealServerState(entry(2, 0));
  d.bind();
  d.toActive();
  d.bind();
  assert.deepEqual([d.activeConns, d.inactiveConns, d.overloaded, d.counters.conns], [1, 1, true, 2]);
  d.unbind(true);
  assert.deepEqual([d.activeConns, d.inactiveConns, d.overloaded], [0, 1, false]);
});

test('raising or removing uthreshold on reload lifts the overload at once', () => {
  const d = new RealServerState(entry(2, 0));
  d.bind();
  d.bind();
  assert.equal(d.overloaded, true);
  d.update(entry(0, 0));
  assert.equal(d.overloaded, false);
});
