import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_OPTIONS, buildTopology, hostsOf, isLabNamespace, labPrefix, labsIn, masterDownIntervalMs, namespacesOf, nextMaster,
  validateOptions, type LabOptions,
} from '../../../src/lab/topology.js';

const opts = (o: Partial<LabOptions> = {}): LabOptions => ({ ...DEFAULT_OPTIONS, ...o });

function inDocRange(cidr: string): boolean {
  const [addr] = cidr.split('/');
  return /^192\.0\.2\.(\d+)$/.test(addr ?? '') && Number(addr?.split('.')[3]) < 255;
}

test('the default lab is the seeds\' set-up: a client, dir1 MASTER 150, dir2 BACKUP 100, two real servers', () => {
  const t = buildTopology(opts());
  assert.equal(t.switchNs, 'hlab-sw');
  assert.equal(t.client.ns, 'hlab-client');
  assert.deepEqual(t.directors.map((d) => [d.ns, d.state, d.priority, d.software]), [
    ['hlab-dir1', 'MASTER', 150, 'halb'], ['hlab-dir2', 'BACKUP', 100, 'halb'],
  ]);
  assert.deepEqual(t.realServers.map((r) => [r.ns, r.address, r.port]), [['hlab-rs1', '192.0.2.141', 80], ['hlab-rs2', '192.0.2.142', 80]]);
  assert.equal(t.vip, '192.0.2.100');
  assert.equal(t.gatewayVip, undefined, 'the proxy needs no gateway VIP: it connects to the real servers itself');
});

test('every address is in 192.0.2.0/24 and unique; every interface name fits IFNAMSIZ', () => {
  const t = buildTopology(opts({ directors: 8, realServers: 16, dataplane: 'nft' }));
  const all = [...hostsOf(t).flatMap((h) => h.addresses), `${t.vip}/32`, `${t.gatewayVip ?? ''}/32`];
  for (const a of all) assert.ok(inDocRange(a), `${a} is a documentation address`);
  const bare = all.map((a) => a.split('/')[0]);
  assert.equal(new Set(bare).size, bare.length, 'no address is used twice');
  for (const h of hostsOf(t)) assert.ok(h.switchPort.length <= 15, `${h.switchPort} fits in 15 characters`);
  assert.equal(new Set(namespacesOf(t)).size, 1 + 1 + 8 + 16);
});

test('--peer keepalived puts keepalived on the last director only', () => {
  const t = buildTopology(opts({ directors: 3, peer: 'keepalived' }));
  assert.deepEqual(t.directors.map((d) => d.software), ['halb', 'halb', 'keepalived']);
  assert.deepEqual(t.directors.map((d) => d.priority), [150, 100, 90]);
});

test('kernel NAT gets a gateway VIP for the real servers; DR and the proxy do not', () => {
  assert.equal(buildTopology(opts({ dataplane: 'nft', mode: 'nat' })).gatewayVip, '192.0.2.129');
  assert.equal(buildTopology(opts({ dataplane: 'nft', mode: 'dr' })).gatewayVip, undefined);
});

test('a named lab has its own prefix, and sweeps never take another lab\'s namespaces', () => {
  assert.equal(labPrefix(''), 'hlab-');
  assert.equal(labPrefix('t1'), 'hlab-t1-');
  const named = buildTopology(opts({ name: 't1' }));
  assert.deepEqual(namespacesOf(named).slice(0, 3), ['hlab-t1-sw', 'hlab-t1-client', 'hlab-t1-dir1']);
  assert.ok(isLabNamespace('hlab-dir1', ''));
  assert.ok(!isLabNamespace('hlab-t1-dir1', ''), 'the default lab does not own a named lab\'s namespace');
  assert.ok(isLabNamespace('hlab-t1-rs2', 't1'));
  assert.ok(!isLabNamespace('hlab-t1-rs2', 't2'));
  assert.ok(!isLabNamespace('hlab-sd1234-dir1x', ''));
  assert.ok(!isLabNamespace('halb-dir1-42-0', ''), 'test harness namespaces are not the lab\'s');
  assert.deepEqual(labsIn(['hlab-sw', 'hlab-dir1', 'hlab-t1-sw', 'hlab-x9-client', 'other', 'hlab-zz-nope']), ['', 't1', 'x9']);
});

test('options are checked with the reason', () => {
  assert.equal(validateOptions(opts()), undefined);
  assert.match(validateOptions(opts({ directors: 0 })) ?? '', /--directors must be 1\.\.8/);
  assert.match(validateOptions(opts({ realServers: 17 })) ?? '', /--real-servers/);
  assert.match(validateOptions(opts({ peer: 'keepalived', directors: 1 })) ?? '', /at least 2 directors/);
  assert.match(validateOptions(opts({ advertInt: 0.5 })) ?? '', /whole number of seconds/);
  assert.equal(validateOptions(opts({ vrrpVersion: 3, advertInt: 0.5 })), undefined);
  assert.match(validateOptions(opts({ vrrpVersion: 3, advertInt: 0.005 })) ?? '', /centiseconds/);
  assert.match(validateOptions(opts({ name: 'Bad-Name' })) ?? '', /lab name/);
  assert.throws(() => buildTopology(opts({ directors: 9 })), RangeError);
});

test('Master_Down_Interval is 3 adverts plus the skew of the backup\'s priority (RFC 5798 §6.1)', () => {
  assert.equal(masterDownIntervalMs(1, 100), 3000 + (156 * 1000) / 256);
  assert.equal(masterDownIntervalMs(1, 150), 3000 + (106 * 1000) / 256);
  assert.equal(masterDownIntervalMs(0.5, 100), 1500 + (156 * 500) / 256);
});

test('the next master is the highest priority left', () => {
  const t = buildTopology(opts({ directors: 3 }));
  assert.equal(nextMaster(t, new Set(['dir1']))?.role, 'dir2');
  assert.equal(nextMaster(t, new Set(['dir1', 'dir2']))?.role, 'dir3');
  assert.equal(nextMaster(t, new Set(['dir1', 'dir2', 'dir3'])), undefined);
});
