// Bad adverts are dropped, counted by reason and logged at most once per interval per
// reason (keepalived's log_rate_limited_error), and never reach the state machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { encodeAdvert } from '../../../src/vrrp/proto/packet.js';
import { MemoryLan, type MemorySocket } from '../../helpers/packet-socket-pair.js';
import { node, runFor, stateOf, v4Instance, VIP } from './fake-host.js';

function advert(over: { vrid?: number; priority?: number; password?: string; addresses?: string[]; interval?: number } = {}): Buffer {
  return encodeAdvert({
    version: 2, family: 4, vrid: over.vrid ?? 51, priority: over.priority ?? 200, advertIntervalSec: over.interval ?? 1,
    auth: { type: 'pass', password: over.password ?? 'secret' }, addresses: over.addresses ?? [VIP],
  });
}

test('each kind of bad advert is counted under its reason; the instance ignores them', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', {
    instances: [v4Instance({ priority: 150 }, { auth: { type: 'pass', password: 'secret' } })], dropLogIntervalMs: 10_000,
  });
  await a.engine.start();
  await runFor(clock, 5000);
  assert.equal(stateOf(a), 'MASTER');
  const rx = a.host.sockets.find((s) => (s.opts.groups ?? []).length > 0) as MemorySocket;
  const from = { src: '192.0.2.9', dst: '224.0.0.18', ttl: 255 };
  const corrupt = advert();
  corrupt[7] = (corrupt[7] ?? 0) ^ 0xff;
  const cases: [Buffer, { src: string; dst: string; ttl: number }, string][] = [
    [advert({ password: 'wrong' }), from, 'AUTH_FAILURE'],
    [corrupt, from, 'BAD_CHECKSUM'],
    [advert(), { ...from, ttl: 64 }, 'INVALID_TTL'],
    [advert({ interval: 2 }), from, 'ADV_INTVL_MISMATCH'],
    [advert({ addresses: ['192.0.2.201'] }), from, 'VIP_MISMATCH'],
    [advert({ addresses: [VIP, '192.0.2.201'] }), from, 'ADDR_COUNT_MISMATCH'],
    [advert(), { ...from, dst: '192.0.2.1' }, 'UNEXPECTED_CAST'],
    [Buffer.from([0x21, 51, 200]), from, 'PACKET_TOO_SHORT'],
  ];
  for (const [bytes, ip] of cases) for (let i = 0; i < 3; i++) lan.inject(rx, bytes, ip);
  lan.inject(rx, advert({ vrid: 99 }), from);
  await runFor(clock, 10);
  const snap = a.engine.snapshot();
  const drops = snap.instances[0]!.counters.drops;
  for (const [, , reason] of cases) assert.equal(drops[reason], 3, `${reason}: ${JSON.stringify(drops)}`);
  assert.equal(snap.unattributedDrops.VRID_MISMATCH, 1, 'another VRID is not ours to count');
  assert.equal(stateOf(a), 'MASTER', 'a higher priority in a bad advert changes nothing');
  const warned = a.logs.filter((l) => l.level === 'warn');
  for (const [, , reason] of cases) {
    assert.equal(warned.filter((l) => l.fields?.reason === reason).length, 1, `${reason} logged once within the interval`);
  }
  assert.ok(warned.some((l) => l.msg === '(VI_1) received an invalid passwd!'));
  // After the interval the next one is logged again, with the count of those suppressed.
  await runFor(clock, 10_000, 100);
  lan.inject(rx, advert({ password: 'wrong' }), from);
  await runFor(clock, 10);
  const again = a.logs.filter((l) => l.fields?.reason === 'AUTH_FAILURE');
  assert.equal(again.length, 2);
  assert.equal(again[1]!.fields?.suppressed, 2);
  await a.engine.stop();
});
