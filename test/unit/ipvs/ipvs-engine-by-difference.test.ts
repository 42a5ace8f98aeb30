// The IPVS engine against an in-memory kernel: applies by difference, owns only what it
// created (an operator's service survives start, reload and stop), adopts what a crashed
// run left, and reports a refused service or destination by name while the rest goes in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { IpvsEngine, tableOf } from '../../../src/dataplane/ipvs/engine.js';
import { planIpvs } from '../../../src/dataplane/ipvs/plan.js';
import { desiredTable, sameTable, serviceDef } from '../../../src/dataplane/ipvs/table.js';
import type { DesiredState, RealServerSpec, VirtualServiceSpec } from '../../../src/dataplane/model.js';
import { formatList } from '../../../src/api/ipvsadm-format.js';
import { FakeIpvs } from './fake-ipvs.js';

const rs = (n: number, weight = 1, more: Partial<RealServerSpec> = {}): RealServerSpec => ({ address: `192.0.2.${n}`, port: 80, weight, healthy: true, ...more });
const svc = (vip: string, realServers: RealServerSpec[], more: Partial<VirtualServiceSpec> = {}): VirtualServiceSpec => ({
  protocol: 'TCP', address: vip, port: 80, scheduler: 'rr', quorumUp: true, forwarding: 'NAT', realServers, ...more,
});
const state = (...services: VirtualServiceSpec[]): DesiredState => ({ services });

function engine(k: FakeIpvs): IpvsEngine {
  return new IpvsEngine({ backend: k, clock: new FakeClock() });
}

async function kernelEquals(k: FakeIpvs, d: DesiredState): Promise<void> {
  assert.ok(sameTable(tableOf(await k.read(), (key) => k.owned.includes(key)), desiredTable(d)), 'the kernel table differs from the desired state');
}

test('unchanged state: no command at all; a weight change is one SET_DEST; a new server one NEW_DEST', async () => {
  const k = new FakeIpvs();
  const e = engine(k);
  const a = state(svc('198.51.100.1', [rs(10), rs(11)]));
  await e.apply(a);
  assert.deepEqual(k.ops.map((o) => o.kind), ['add-service', 'add-dest', 'add-dest']);
  k.ops.length = 0;
  await e.apply(a);
  assert.equal(k.ops.length, 0);
  await e.apply(state(svc('198.51.100.1', [rs(10, 5), rs(11)])));
  assert.deepEqual(k.ops.map((o) => `${o.kind} ${'dest' in o ? o.dest.weight : ''}`), ['edit-dest 5']);
  k.ops.length = 0;
  const c = state(svc('198.51.100.1', [rs(10, 5), rs(11), rs(12)], { scheduler: 'wlc' }));
  await e.apply(c);
  assert.deepEqual(k.ops.map((o) => o.kind), ['edit-service', 'add-dest']);
  await kernelEquals(k, c);
});

test('health: an unhealthy server leaves (DEL_DEST), inhibit_on_failure keeps it at weight 0, quorum loss brings the sorry server', async () => {
  const k = new FakeIpvs();
  const e = engine(k);
  const base = (h10: boolean, quorumUp: boolean): DesiredState => state(svc('198.51.100.1', [rs(10, 3, { healthy: h10 }), rs(11, 2, { healthy: true, inhibitOnFailure: true })], {
    quorumUp, sorryServer: { address: '192.0.2.99', port: 80 },
  }));
  await e.apply(base(true, true));
  k.ops.length = 0;
  await e.apply(base(false, true));
  assert.deepEqual(k.ops.map((o) => o.kind), ['del-dest']);
  await e.apply(base(false, false));
  await kernelEquals(k, base(false, false));
  const dests = [...k.services.values()][0]!.dests;
  assert.deepEqual([...dests.values()].map((d) => `${d.address}=${d.weight}`).sort(), ['192.0.2.11=0', '192.0.2.99=1']);
});

test('an operator\'s own service survives start, reload and stop; a desired service colliding with it is refused by name', async () => {
  const k = new FakeIpvs();
  const mine = serviceDef(svc('203.0.113.5', []));
  k.addForeign(mine, [{ family: 4, address: '192.0.2.50', port: 80, forward: 'DR', weight: 7, upperThreshold: 0, lowerThreshold: 0 }]);
  const e = engine(k);
  const r = await e.apply(state(svc('198.51.100.1', [rs(10)]), svc('203.0.113.5', [rs(10)])));
  assert.deepEqual(r.added, ['TCP:198.51.100.1:80']);
  assert.equal(r.failed.length, 1);
  assert.match(r.failed[0]!.error.message, /TCP:203\.0\.113\.5:80.*not created by halb/);
  await e.apply(state(svc('198.51.100.2', [rs(11)])));
  await e.close();
  assert.deepEqual([...k.services.keys()], ['TCP:203.0.113.5:80']);
  assert.equal([...k.services.values()][0]!.dests.get('192.0.2.50:80')?.weight, 7);
  assert.deepEqual(k.owned, []);
  assert.ok(k.closed);
});

test('a crashed run\'s services (in the ownership record) are adopted: kept when unchanged, edited by difference, removed when gone', async () => {
  const k = new FakeIpvs();
  const first = engine(k);
  await first.apply(state(svc('198.51.100.1', [rs(10), rs(11)]), svc('198.51.100.2', [rs(12)])));
  // The first run dies without close(): its services and its record stay.
  k.ops.length = 0;
  const second = engine(k);
  const want = state(svc('198.51.100.1', [rs(10), rs(11, 4)]));
  const r = await second.apply(want);
  assert.deepEqual(k.ops.map((o) => `${o.kind} ${o.key}`), ['del-service TCP:198.51.100.2:80', 'edit-dest TCP:198.51.100.1:80']);
  // Adopted and edited is an update, not an addition (the startup log's counts).
  assert.deepEqual([r.added, r.updated, r.unchanged], [[], ['TCP:198.51.100.1:80'], []]);
  await kernelEquals(k, want);
  assert.deepEqual(k.owned, ['TCP:198.51.100.1:80']);
});

test('-I (--dont-release-ipvs): stop leaves halb\'s services and their record; the next run adopts them without a command', async () => {
  const k = new FakeIpvs();
  const notes: string[] = [];
  const first = new IpvsEngine({ backend: k, clock: new FakeClock(), keepOnClose: true, onNotice: (m) => notes.push(m) });
  const want = state(svc('198.51.100.1', [rs(10), rs(11)]), svc('198.51.100.2', [rs(12)]));
  await first.apply(want);
  k.ops.length = 0;
  await first.close();
  assert.deepEqual(k.ops, [], 'nothing removed on stop');
  assert.ok(k.closed);
  await kernelEquals(k, want);
  assert.deepEqual([...k.owned].sort(), ['TCP:198.51.100.1:80', 'TCP:198.51.100.2:80'], 'the ownership record stays');
  assert.match(notes.join('\n'), /leaving 2 virtual service\(s\) in the kernel on stop \(--dont-release-ipvs\)/);
  const second = engine(k);
  const r = await second.apply(want);
  assert.deepEqual(k.ops, [], 'adopted as they are');
  assert.deepEqual([r.added, r.updated, r.unchanged.length], [[], [], 2], 'reported unchanged, not added');
  await second.close();
  assert.deepEqual([...k.services.keys()], [], 'without -I the next stop removes them');
});

test('a scheduler without its module and a refused destination: named in the report, the rest applied, retried next apply', async () => {
  const k = new FakeIpvs();
  k.schedulers.delete('twos');
  k.refuse.add('192.0.2.66');
  const e = engine(k);
  const r = await e.apply(state(
    svc('198.51.100.1', [rs(10)], { scheduler: 'twos' }),
    svc('198.51.100.2', [rs(11), { address: '192.0.2.66', port: 80, weight: 1, healthy: true }]),
    svc('198.51.100.3', [rs(12)]),
  ));
  const msgs = r.failed.map((f) => `${f.service}: ${f.error.message}`);
  assert.equal(msgs.length, 2);
  assert.match(msgs[0]!, /TCP:198\.51\.100\.1:80.*scheduler 'twos'.*ip_vs_twos/);
  assert.match(msgs[1]!, /TCP:198\.51\.100\.2:80.*refused real server 192\.0\.2\.66:80/);
  assert.deepEqual(r.added, ['TCP:198.51.100.3:80']);
  assert.deepEqual([...k.services.keys()].sort(), ['TCP:198.51.100.2:80', 'TCP:198.51.100.3:80']);
  assert.equal(k.services.get('TCP:198.51.100.2:80')!.dests.size, 1);
  k.schedulers.add('twos');
  k.refuse.clear();
  const again = await e.apply(state(
    svc('198.51.100.1', [rs(10)], { scheduler: 'twos' }),
    svc('198.51.100.2', [rs(11), { address: '192.0.2.66', port: 80, weight: 1, healthy: true }]),
    svc('198.51.100.3', [rs(12)]),
  ));
  assert.deepEqual(again.failed, []);
  assert.equal(k.services.size, 3);
});

test('planner: services removed first; per service edit, removals, edits, additions', () => {
  const a = desiredTable(state(svc('198.51.100.1', [rs(10), rs(11)]), svc('198.51.100.9', [rs(1)])));
  const b = desiredTable(state(svc('198.51.100.1', [rs(11, 3), rs(12)], { persistence: { timeoutMs: 300_000, granularity: 24 } })));
  assert.deepEqual(planIpvs(a, b).map((o) => `${o.kind} ${'dest' in o ? o.dest.address : o.key}`), [
    'del-service TCP:198.51.100.9:80', 'edit-service TCP:198.51.100.1:80', 'del-dest 192.0.2.10', 'edit-dest 192.0.2.11', 'add-dest 192.0.2.12',
  ]);
  assert.deepEqual(planIpvs(b, b), []);
});

test('service definitions: persistence, ops, sh/mh flags, fwmark, SCTP, per-server forwarding, lvs_timeouts', async () => {
  const s = serviceDef(svc('2001:db8::1', [], { scheduler: 'mh', schedulerFlags: { port: true, fallback: true }, persistence: { timeoutMs: 60_000, granularity: 64 } }));
  assert.deepEqual({ ...s }, { family: 6, protocol: 'TCP', address: '2001:db8::1', port: 80, scheduler: 'mh', flags: 0x19, timeoutS: 60, prefix: 64 });
  assert.equal(serviceDef(svc('198.51.100.1', [], { protocol: 'UDP', onePacket: true })).flags, 0x4);
  assert.deepEqual({ ...serviceDef(svc('0.0.0.0', [], { port: 0, fwmark: 5 })) }, { family: 4, fwmark: 5, scheduler: 'rr', flags: 0, timeoutS: 0, prefix: 32 });
  const k = new FakeIpvs();
  const e = engine(k);
  const d: DesiredState = {
    services: [
      svc('198.51.100.1', [rs(10, 1, { forwarding: 'TUN' }), rs(11, 1, { forwarding: 'DR' })], { protocol: 'SCTP', forwarding: 'NAT' }),
      svc('0.0.0.0', [{ address: '192.0.2.20', port: 0, weight: 2, healthy: true }], { port: 0, fwmark: 5, forwarding: 'DR' }),
    ],
    timeouts: { tcpMs: 7_200_000, udpMs: 60_000 },
  };
  await e.apply(d);
  await kernelEquals(k, d);
  assert.deepEqual(k.timeouts, { tcpS: 7200, tcpFinS: 0, udpS: 60 });
  assert.deepEqual([...k.services.get('SCTP:198.51.100.1:80')!.dests.values()].map((x) => x.forward), ['TUN', 'DR']);
  await e.refresh();
  const text = formatList(e.snapshot(), 'plain');
  assert.match(text, /^SCTP {2}198\.51\.100\.1:80 rr$/m);
  assert.match(text, /^FWM {2}5 rr$/m);
  assert.match(text, /^ {2}-> 192\.0\.2\.10:80 +Tunnel /m);
  assert.match(text, /^ {2}-> 192\.0\.2\.20:0 +Route +2 /m);
  // ipvsadm's order: fwmark services after the others (fwmark 0 sorts first).
  assert.ok(text.indexOf('SCTP') < text.indexOf('FWM'));
});

test('a reload that drops lvs_timeouts gives IPVS its defaults back, as keepalived does; one that never set them leaves the kernel alone', async () => {
  const services = [svc('198.51.100.1', [rs(10, 1)])];
  const untouched = new FakeIpvs();
  await engine(untouched).apply({ services });
  assert.equal(untouched.timeouts, undefined);
  const k = new FakeIpvs();
  const e = engine(k);
  await e.apply({ services, timeouts: { tcpMs: 7_200_000 } });
  assert.deepEqual(k.timeouts, { tcpS: 7200, tcpFinS: 0, udpS: 0 });
  await e.apply({ services });
  assert.deepEqual(k.timeouts, { tcpS: 900, tcpFinS: 120, udpS: 300 });
});
