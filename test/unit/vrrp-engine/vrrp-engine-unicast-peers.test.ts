// Unicast: adverts go to every unicast_peer from unicast_src_ip, and only adverts from a
// listed peer are accepted (RFC-agnostic keepalived behaviour the issue asks for).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { encodeAdvert } from '../../../src/vrrp/proto/packet.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { node, runFor, stateOf, v4Instance, VIP } from './fake-host.js';

test('unicast: sends to each peer, accepts its peers only', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const peersOf = (...a: string[]) => ({ unicastPeers: a.map((address) => ({ address })) });
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', {
    instances: [v4Instance({ priority: 150, version: 3, advertIntCs: 20 }, { srcAddr: '192.0.2.1', ...peersOf('192.0.2.2', '192.0.2.3') })],
  });
  const b = node(lan, clock, '192.0.2.2', '02:00:00:00:00:02', {
    instances: [v4Instance({ priority: 100, version: 3, advertIntCs: 20 }, peersOf('192.0.2.1'))],
  });
  await a.engine.start();
  await b.engine.start();
  await runFor(clock, 2000);
  assert.equal(stateOf(a), 'MASTER');
  assert.equal(stateOf(b), 'BACKUP');
  const fromA = lan.wire.filter((p) => p.src === '192.0.2.1');
  assert.ok(fromA.some((p) => p.dst === '192.0.2.2') && fromA.some((p) => p.dst === '192.0.2.3'), 'both peers get adverts');
  assert.ok(!lan.wire.some((p) => p.dst === '224.0.0.18'), 'nothing multicast');
  const sa = a.engine.snapshot().instances[0]!;
  assert.equal(sa.unicast, true);
  assert.equal(sa.counters.advertsSent % 2, 0, 'one copy per peer');

  // A stranger with a higher priority is not a peer: dropped, b stays BACKUP, a MASTER.
  const rx = b.host.sockets.find((s) => s.opts.bindAddr === '192.0.2.2')!;
  const bytes = encodeAdvert({ version: 3, family: 4, vrid: 51, priority: 250, advertIntervalCs: 20, addresses: [VIP] },
    { src: '192.0.2.9', dst: '192.0.2.2' });
  for (let i = 0; i < 5; i++) lan.inject(rx, bytes, { src: '192.0.2.9', dst: '192.0.2.2', ttl: 64 });
  await runFor(clock, 100);
  assert.equal(b.engine.snapshot().instances[0]!.counters.drops.UNICAST_SRC_NOT_PEER, 5);
  assert.equal(stateOf(b), 'BACKUP');
  await a.engine.stop();
  await b.engine.stop();
});
