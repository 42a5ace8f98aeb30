// Equal priorities: the higher primary address wins (RFC 5798 §6.4.3), compared as unsigned
// integers in network byte order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareAddresses } from '../../../src/vrrp/proto/addr-order.js';
import { pair } from './lan-harness.js';

test('address order is numeric, per family', () => {
  const rows: Array<[string, string, -1 | 0 | 1]> = [
    ['192.0.2.10', '192.0.2.9', 1],
    ['192.0.2.9', '192.0.2.10', -1],
    ['198.51.100.1', '192.0.2.200', 1],
    ['192.0.2.1', '192.0.2.1', 0],
    ['2001:db8::10', '2001:db8::9', 1],
    ['2001:db8::1:0', '2001:db8::ffff', 1],
    ['fe80::2%eth0', 'fe80::1', 1],
    ['2001:db8::1', '192.0.2.1', -1], // different families: never "greater"
    ['not-an-address', '192.0.2.1', -1],
  ];
  for (const [x, y, want] of rows) assert.equal(compareAddresses(x, y), want, `${x} vs ${y}`);
});

for (const latencyMs of [0, 2]) {
  test(`equal priorities starting together: the higher address ends as the only master (latency ${latencyMs} ms)`, () => {
    const { lan, a, b } = pair({ priority: 100, primaryAddr: '192.0.2.9' }, { priority: 100, primaryAddr: '192.0.2.10' });
    lan.latencyMs = latencyMs;
    a.send({ kind: 'startup' });
    b.send({ kind: 'startup' });
    lan.runUntil(20_000);
    assert.equal(a.state.state, 'BACKUP');
    assert.equal(b.state.state, 'MASTER');
    // Both timed out together and went MASTER; A yielded when B's advert arrived.
    assert.deepEqual(a.transitions(), [[0, 'BACKUP'], [3609.375, 'MASTER'], [3609.375 + latencyMs, 'BACKUP']]);
    assert.deepEqual(b.transitions(), [[0, 'BACKUP'], [3609.375, 'MASTER']]);
    assert.ok(a.messages().includes('(VI_1) Master received advert from 192.0.2.10 with same priority 100 but higher IP address than ours'));
  });
}

test('in BACKUP an equal-priority advert is accepted whatever the address: no preemption on a tie', () => {
  const { lan, a, b } = pair({ priority: 100, primaryAddr: '192.0.2.1' }, { priority: 100, primaryAddr: '192.0.2.200' });
  a.send({ kind: 'startup' });
  lan.runUntil(10_000);
  b.send({ kind: 'startup' }); // higher address, same priority, joins later
  lan.runUntil(60_000);
  assert.equal(a.state.state, 'MASTER');
  assert.deepEqual(b.transitions(), [[10_000, 'BACKUP']]);
});
