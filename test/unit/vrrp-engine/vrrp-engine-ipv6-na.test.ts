// VRRPv3 over IPv6: adverts from the link-local address to ff02::12, and unsolicited
// Neighbor Advertisements (not ARP) for IPv6 VIPs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { decodeNaFrame } from '../../../src/vrrp/proto/garp.js';
import { decodeAdvert } from '../../../src/vrrp/proto/packet.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { FakeHost, memoryLogger, runFor, stateOf } from './fake-host.js';
import { VrrpEngine } from '../../../src/vrrp/engine/engine.js';
import { instanceConfig } from '../../../src/vrrp/fsm/fsm-types.js';

test('IPv6 master sends v3 adverts to ff02::12 and unsolicited NAs for its VIP', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const host = new FakeHost(lan, ['fe80::1', '2001:db8::1'], '02:00:00:00:00:01');
  const engine = new VrrpEngine({
    instances: [{
      fsm: instanceConfig({ name: 'VI_6', vrid: 53, version: 3, priority: 200, advertIntCs: 10, primaryAddr: '' }),
      io: { interface: 'eth0', family: 6, vips: [{ address: '2001:db8::100', family: 6, prefixLength: 64 }] },
    }],
  }, host.ports(), { clock, logger: memoryLogger([]) });
  await engine.start();
  await runFor(clock, 1000);
  const n = { host, engine, logs: [] };
  assert.equal(stateOf(n, 'VI_6'), 'MASTER');
  assert.equal(engine.snapshot().instances[0]!.primaryAddr, 'fe80::1');
  const adv = lan.wire.find((p) => p.dst === 'ff02::12');
  assert.ok(adv !== undefined && adv.src === 'fe80::1');
  const d = decodeAdvert(adv.payload, { family: 6, framing: 'payload', src: adv.src, dst: adv.dst, ttl: 255 });
  assert.ok(d.ok, 'checksum over the IPv6 pseudo-header verifies');
  assert.deepEqual(d.packet.advert.addresses, ['2001:db8::100']);
  const nas = host.frames.map((f) => decodeNaFrame(f.frame));
  assert.equal(nas.length, 5);
  for (const na of nas) {
    assert.ok(na.ok);
    assert.equal(na.value.target, '2001:db8::100');
    assert.equal(na.value.targetMac, '02:00:00:00:00:01');
    assert.equal(na.value.override, true);
    assert.equal(na.value.solicited, false);
  }
  await engine.stop();
});
