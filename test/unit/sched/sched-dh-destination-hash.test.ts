import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DestinationHashScheduler, destHashBucket, destHashEffectiveTable } from '../../../src/dataplane/sched/dh.js';
import { clientAddr, pool, req, tally } from './fixture.js';

test('dh is sticky per destination address, whoever the client is', () => {
  const s = new DestinationHashScheduler();
  const p = pool(1, 1, 1);
  for (let i = 0; i < 1000; i++) {
    const destAddr = clientAddr(i);
    const first = s.pick(p, req({ destAddr, clientAddr: '192.0.2.1' }))?.id;
    assert.ok(first !== undefined);
    assert.equal(s.pick(p, req({ destAddr, clientAddr: '192.0.2.77', clientPort: 5555 }))?.id, first);
  }
});

test('dh spreads destinations evenly; weights do not shape its table', () => {
  const s = new DestinationHashScheduler();
  const p = pool(1, 5, 10, 1);
  const t = tally(Array.from({ length: 10000 }, (_, i) => s.pick(p, req({ destAddr: clientAddr(i) }))?.id));
  for (const d of p) {
    const share = (t.get(d.id) ?? 0) / 10000;
    assert.ok(Math.abs(share - 0.25) < 0.03, `${d.id} share ${share}`);
  }
});

test('dh has no fallback: a quiesced or overloaded server\'s destinations get none', () => {
  const s = new DestinationHashScheduler();
  const p = pool(1, 1, 1);
  const before = Array.from({ length: 1000 }, (_, i) => s.pick(p, req({ destAddr: clientAddr(i) }))?.id);
  p[0]!.weight = 0;
  p[2]!.overloaded = true;
  const eff = destHashEffectiveTable(p);
  for (let i = 0; i < 1000; i++) {
    const got = s.pick(p, req({ destAddr: clientAddr(i) }))?.id;
    assert.equal(got, before[i] === p[1]!.id ? before[i] : undefined, `dest ${i}`);
    const e = eff[destHashBucket(clientAddr(i))]!;
    assert.equal(got, e < 0 ? undefined : p[e]!.id);
  }
  assert.equal(s.pick([], req()), undefined);
});
