import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskAddress, PersistenceTable, type PersistDest } from '../../../src/dataplane/proxy/persistence.js';

function dest(weight = 1): PersistDest & { weight: number; inPool: boolean } {
  return { inPool: true, weight, persistConns: 0 };
}

test('a template outlives its last connection: re-armed while connections run, gone a timeout after', () => {
  const t = new PersistenceTable({ timeoutMs: 1000, prefix: 32 });
  const a = dest();
  const tpl = t.create(t.keyFor('192.0.2.7'), a, 0);
  t.attach(tpl, 0);
  assert.equal(a.persistConns, 1);
  // The timer fires at 1000 with a connection still controlled: re-armed, not expired.
  assert.equal(t.sweep(1000), 2000);
  assert.equal(t.find('192.0.2.7', 1500), tpl);
  t.detach(tpl);
  // Fires at 2000 with nothing controlled: gone.
  assert.equal(t.sweep(2000), undefined);
  assert.equal(t.find('192.0.2.7', 2000), undefined);
  assert.equal(a.persistConns, 0);
  assert.equal(t.size, 0);
});

test('every new connection through a template restarts its full timeout', () => {
  const t = new PersistenceTable({ timeoutMs: 1000, prefix: 32 });
  const a = dest();
  const tpl = t.create('198.51.100.1', a, 0);
  t.attach(tpl, 0);
  t.detach(tpl);
  t.attach(tpl, 900);
  t.detach(tpl);
  assert.equal(t.sweep(1500), 1900);
  assert.equal(t.find('198.51.100.1', 1899), tpl);
  // Due but not yet swept: a lookup already treats it as expired.
  assert.equal(t.find('198.51.100.1', 1900), undefined);
  assert.equal(a.persistConns, 0);
});

test('a destination that left the pool invalidates its templates; they still count until they expire', () => {
  const t = new PersistenceTable({ timeoutMs: 1000, prefix: 32 });
  const a = dest();
  const tpl = t.create('203.0.113.9', a, 0);
  t.attach(tpl, 0);
  a.inPool = false;
  assert.equal(t.find('203.0.113.9', 10), undefined);
  assert.equal(tpl.valid, false);
  assert.equal(a.persistConns, 1, 'IPVS keeps the invalidated template in persistconns');
  const b = dest();
  const fresh = t.create('203.0.113.9', b, 10);
  assert.equal(t.find('203.0.113.9', 20), fresh);
  t.detach(tpl);
  t.sweep(1000);
  assert.equal(a.persistConns, 0);
  assert.equal(b.persistConns, 1);
});

test('weight 0 keeps persistent clients unless expire_quiescent_template is set', () => {
  for (const expireQuiescent of [false, true]) {
    const t = new PersistenceTable({ timeoutMs: 1000, prefix: 32, expireQuiescent });
    const a = dest();
    const tpl = t.create('192.0.2.1', a, 0);
    a.weight = 0;
    assert.equal(t.find('192.0.2.1', 1), expireQuiescent ? undefined : tpl);
  }
});

test('granularity masks the client address: one template per prefix', () => {
  assert.equal(maskAddress('192.0.2.77', 24), '192.0.2.0');
  assert.equal(maskAddress('192.0.2.77', 32), '192.0.2.77');
  assert.equal(maskAddress('192.0.2.77', 20), '192.0.0.0');
  assert.equal(maskAddress('192.0.2.77', 0), '0.0.0.0');
  assert.equal(maskAddress('2001:db8:aa:bb::1', 48), '2001:db8:aa::');
  assert.equal(maskAddress('2001:db8:aa:bb::1', 128), '2001:db8:aa:bb::1');
  assert.equal(maskAddress('2001:db8:aa:bb::1', 60), '2001:db8:aa:b0::');
  const t = new PersistenceTable({ timeoutMs: 1000, prefix: 24 });
  assert.equal(t.keyFor('192.0.2.5'), t.keyFor('192.0.2.250'));
  assert.notEqual(t.keyFor('192.0.2.5'), t.keyFor('192.0.3.5'));
});

test('clear() drops every template at once and releases persistconns', () => {
  const t = new PersistenceTable({ timeoutMs: 1000, prefix: 32 });
  const a = dest();
  const x = t.create('192.0.2.1', a, 0);
  t.attach(x, 0);
  t.create('192.0.2.2', a, 0);
  assert.equal(a.persistConns, 2);
  t.clear();
  assert.equal(a.persistConns, 0);
  assert.equal(t.size, 0);
  t.detach(x); // a connection ending later is harmless
  assert.equal(x.alive, false);
});
