// Two engines on an in-memory LAN: the higher priority becomes MASTER after its
// Master_Down_Interval, installs the VIP, sends its gratuitous ARP burst and runs the
// notify scripts with keepalived's arguments; the other stays BACKUP and installs nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { decodeArpFrame } from '../../../src/vrrp/proto/garp.js';
import { masterDownIntervalMs } from '../../../src/vrrp/fsm/timers.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { node, runFor, stateOf, v4Instance, VIP } from './fake-host.js';

test('the higher priority takes the VIP after Master_Down_Interval; the lower stays BACKUP', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock);
  const notify = { master: { argv: ['/bin/notify-master'] }, generic: { argv: ['/bin/notify', '--x'] } };
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', { instances: [v4Instance({ priority: 150 }, { notify })] });
  const b = node(lan, clock, '192.0.2.2', '02:00:00:00:00:02', { instances: [v4Instance({ priority: 100 })] });
  await a.engine.start();
  await b.engine.start();
  assert.equal(stateOf(a), 'BACKUP');
  const mdi = masterDownIntervalMs(2, 150, 100);
  await runFor(clock, Math.floor(mdi) - 10);
  assert.equal(stateOf(a), 'BACKUP', 'not before Master_Down_Interval');
  await runFor(clock, 30);
  assert.equal(stateOf(a), 'MASTER');
  assert.ok(a.host.holds(VIP), 'VIP installed on the master');
  await runFor(clock, 10_000);
  assert.equal(stateOf(a), 'MASTER', 'still MASTER after 10 s');
  assert.equal(stateOf(b), 'BACKUP', 'the lower priority never took over');
  assert.ok(!b.host.holds(VIP));

  // garp_master_repeat 5 at once, and again after garp_master_delay (5 s).
  const arps = a.host.frames.map((f) => decodeArpFrame(f.frame)).filter((r) => r.ok);
  assert.equal(arps.length, 10);
  for (const r of arps) {
    assert.ok(r.ok);
    assert.equal(r.value.senderIp, VIP);
    assert.equal(r.value.senderMac, '02:00:00:00:00:01');
    assert.equal(r.value.gratuitous, true);
  }
  assert.deepEqual(a.host.notifies, [
    { argv: ['/bin/notify', '--x'], args: ['INSTANCE', 'VI_1', 'BACKUP', '150'] },
    { argv: ['/bin/notify-master'], args: [] },
    { argv: ['/bin/notify', '--x'], args: ['INSTANCE', 'VI_1', 'MASTER', '150'] },
  ]);
  const sa = a.engine.snapshot().instances[0]!;
  const sb = b.engine.snapshot().instances[0]!;
  assert.equal(sa.counters.becomeMaster, 1);
  assert.equal(sa.counters.transitions, 2, 'INIT -> BACKUP -> MASTER');
  assert.ok(sa.counters.advertsSent >= 10 && sa.counters.advertsSent <= 11, `${sa.counters.advertsSent} adverts in ~10 s`);
  assert.equal(sb.counters.advertsReceived, sa.counters.advertsSent);
  assert.equal(sb.masterAddr, '192.0.2.1');
  assert.equal(sb.counters.advertsSent, 0);
  assert.deepEqual(sb.counters.drops, {});
  assert.ok(a.logs.some((l) => l.msg === '(VI_1) Entering MASTER STATE'));
  assert.ok(a.logs.some((l) => l.msg === '(VI_1) Sending/queueing gratuitous ARPs on eth0 for 192.0.2.200'));
  await a.engine.stop();
  await b.engine.stop();
});
