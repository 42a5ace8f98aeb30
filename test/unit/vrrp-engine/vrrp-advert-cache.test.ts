// The advert is encoded once per change of the instance, not on every send: repeated
// sends hand the socket the same bytes; a new priority, source address or spec encodes
// again, and every buffer carries a checksum that is right for what it was built for
// (VRRPv3 over IPv4 sums a pseudo-header with the source address, RFC 5798 §5.2.8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { AdvertCache } from '../../../src/vrrp/engine/advert-cache.js';
import { decodeAdvert } from '../../../src/vrrp/proto/packet.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { node, runFor, stateOf, v4Instance, VIP } from './fake-host.js';

const MCAST = '224.0.0.18';

function decoded(buf: Buffer, src: string): { ok: boolean; priority?: number; reason?: string } {
  const d = decodeAdvert(buf, { family: 4, framing: 'payload', src, dst: MCAST, ttl: 255, v3Checksums: ['rfc5798'] });
  return d.ok ? { ok: true, priority: d.packet.advert.priority } : { ok: false, reason: d.reason };
}

test('the cache: same bytes while nothing changes; priority and source address are part of the key', () => {
  const spec = v4Instance({ version: 3, priority: 200, advertIntCs: 100 });
  const cache = new AdvertCache(spec, [VIP]);
  const first = cache.bytes(200, '192.0.2.1', MCAST);
  for (let i = 0; i < 5; i++) assert.equal(cache.bytes(200, '192.0.2.1', MCAST), first, 'the same Buffer is reused');
  assert.equal(cache.encodes, 1);
  assert.deepEqual(decoded(first, '192.0.2.1'), { ok: true, priority: 200 });

  const lowered = cache.bytes(150, '192.0.2.1', MCAST);
  assert.notEqual(lowered, first);
  assert.equal(cache.encodes, 2, 'a priority change encodes again');
  assert.deepEqual(decoded(lowered, '192.0.2.1'), { ok: true, priority: 150 });
  assert.equal(cache.bytes(150, '192.0.2.1', MCAST), lowered);
  assert.equal(cache.encodes, 2);

  // The checksum depends on the source: bytes built for one source fail for another.
  const moved = cache.bytes(150, '192.0.2.9', MCAST);
  assert.equal(cache.encodes, 3, 'a new source address encodes again');
  assert.deepEqual(decoded(moved, '192.0.2.9'), { ok: true, priority: 150 });
  assert.equal(decoded(lowered, '192.0.2.9').ok, false, 'the old bytes would be dropped from the new source');
  assert.equal(decoded(moved, '192.0.2.1').ok, false);
});

test('the engine: a MASTER sends one buffer until a tracker moves its priority, then one new buffer', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const F = '/run/halb/prio';
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', {
    instances: [v4Instance({ version: 3, priority: 150, advertIntCs: 100 }, { trackFiles: [{ file: 'tf' }] })],
    trackFiles: [{ name: 'tf', path: F, weight: 1 }],
  });
  a.host.files.set(F, '0\n');
  await a.engine.start();
  const sent: Buffer[] = [];
  for (const s of a.host.sockets) {
    const send = s.send.bind(s);
    s.send = (buf: Buffer, dst: string): void => {
      sent.push(buf);
      send(buf, dst);
    };
  }
  await runFor(clock, 10_000);
  assert.equal(stateOf(a), 'MASTER');
  assert.ok(sent.length >= 5, `adverts sent: ${sent.length}`);
  assert.equal(new Set(sent).size, 1, 'every advert at priority 150 is the same Buffer');
  assert.deepEqual(decoded(sent[0]!, '192.0.2.1'), { ok: true, priority: 150 });

  sent.length = 0;
  a.host.writeFile(F, '-20\n');
  await runFor(clock, 5000);
  assert.equal(a.engine.snapshot().instances[0]!.effectivePriority, 130);
  const distinct = [...new Set(sent)];
  assert.equal(distinct.length, 1, 'after the change: one new buffer, reused');
  assert.deepEqual(decoded(distinct[0]!, '192.0.2.1'), { ok: true, priority: 130 });
  await a.engine.stop();
});
