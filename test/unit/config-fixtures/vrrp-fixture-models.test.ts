// The VRRP and global side of the model built from the good fixtures and the seeds:
// global_defs, instances, sync groups, trackers, static and virtual addresses/routes/
// rules, and the pre-processor's work (includes, $VAR, @id, ~SEQ/~LST) seen through
// the model. Also the values keepalived falls back to when it reports an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { loadConfig, type KeepalivedConfig, type VrrpInstance } from '../../../src/config/index.js';
import { fixture, type FixtureKind } from '../../helpers/config-fixtures.js';
import { describeDiagnostics, loadFixture } from './fixture-load.js';

function model(kind: FixtureKind, name: string): KeepalivedConfig {
  const r = loadFixture(fixture(kind, name));
  if (kind === 'good') assert.ok(r.ok, describeDiagnostics(r));
  return r.config;
}

function vi(c: KeepalivedConfig, name: string): VrrpInstance {
  const v = c.vrrpInstances.find((x) => x.name === name);
  assert.ok(v !== undefined, `no vrrp_instance ${name}: ${c.vrrpInstances.map((x) => x.name).join(', ')}`);
  return v;
}

const addrs = (xs: readonly { address: string; prefixLength: number }[]): string[] => xs.map((x) => `${x.address}/${x.prefixLength}`);
const refs = (xs: readonly { name: string; weight: number }[]): Array<[string, number]> => xs.map((x) => [x.name, x.weight]);

test('sample: global_defs alerting and a nopreempt instance', () => {
  const c = model('good', 'sample');
  assert.deepEqual(c.global.notificationEmail, ['acassen@example.com', 'ops@example.net']);
  assert.equal(c.global.notificationEmailFrom, 'keepalived@example.com');
  assert.deepEqual(c.global.smtpServer, { host: '192.0.2.25', port: 25 });
  assert.equal(c.global.smtpConnectTimeoutMs, 30_000);
  assert.equal(c.global.routerId, 'LVS_DEVEL');
  const v = vi(c, 'VI_1');
  assert.deepEqual([v.interface, v.vrid, v.priority, v.advertIntMs, v.nopreempt, v.state, v.version, v.family],
    ['kv0', 50, 100, 1_000, true, 'BACKUP', 2, 4]);
  assert.deepEqual(addrs(v.vips), ['192.0.2.11/32', '192.0.2.12/32', '192.0.2.13/32']);
});

test('vrrp: four instances, PASS authentication, a labelled VIP, per-instance GARP delay', () => {
  const c = model('good', 'vrrp');
  assert.deepEqual(c.vrrpInstances.map((v) => [v.name, v.interface, v.vrid, v.priority]), [
    ['VI_1', 'kv0', 51, 100], ['VI_2', 'kv0', 50, 50], ['VI_3', 'kv1', 52, 100], ['VI_4', 'kv1', 53, 50],
  ]);
  const v1 = vi(c, 'VI_1');
  assert.equal(v1.state, 'MASTER');
  assert.deepEqual(v1.auth, { type: 'PASS', password: '1111' });
  assert.equal(v1.garp.masterDelayMs, 10_000);
  assert.equal(v1.smtpAlert, true);
  assert.equal(v1.vips.length, 4);
  assert.equal(v1.vips[3]?.label, 'kv0:1');
  assert.equal(vi(c, 'VI_2').auth, undefined);
});

test('vrrp-sync and vrrp-scripts: sync group members, tracking and notify scripts', () => {
  const c = model('good', 'vrrp-sync');
  const g1 = c.syncGroups.find((g) => g.name === 'G1');
  assert.deepEqual(g1?.members, ['VI_1', 'VI_2', 'VI_5']);
  assert.deepEqual(g1?.notify.backup?.argv, ['/usr/bin/logger', '-t', 'vrrp', 'G1', 'BACKUP']);
  const g2 = c.syncGroups.find((g) => g.name === 'G2');
  assert.deepEqual(g2?.members, ['VI_3', 'VI_4']);
  assert.deepEqual(refs(g2?.track.interfaces ?? []), [['kv2', 0]]);
  assert.deepEqual(g2?.track.scripts.map((s) => s.name), ['chk_uplink']);
  assert.equal(vi(c, 'VI_1').syncGroup, 'G1');
  assert.equal(vi(c, 'VI_4').syncGroup, 'G2');
  assert.deepEqual(addrs(vi(c, 'VI_1').vips), ['192.0.2.18/25']);

  const s = model('good', 'vrrp-scripts');
  const n = vi(s, 'VI_1').notify;
  assert.deepEqual(n.master?.argv, ['/usr/bin/logger', '-t', 'vrrp', 'MASTER', 'VI_1']);
  assert.deepEqual(n.fault?.argv, ['/usr/bin/logger', '-t', 'vrrp', 'FAULT', 'VI_1']);
  assert.deepEqual(n.stop?.argv, ['/usr/bin/logger', '-t', 'vrrp', 'STOP', 'VI_1']);
  assert.deepEqual(n.masterRxLowerPri?.argv, ['/usr/bin/logger', '-t', 'vrrp', 'lower-priority-advert', 'VI_1']);
  assert.deepEqual(s.syncGroups[0]?.notify.generic?.argv, ['/usr/bin/logger']);
  assert.equal(s.global.enableScriptSecurity, true);
  assert.deepEqual(s.global.scriptUser, { user: 'root' });
});

test('vrrp-localcheck: vrrp_script settings, and track weights defaulting to the script\'s', () => {
  const c = model('good', 'vrrp-localcheck');
  const byName = new Map(c.vrrpScripts.map((s) => [s.name, s]));
  const sshd = byName.get('chk_sshd');
  assert.deepEqual(sshd?.script.argv, ['/usr/bin/test', '-e', '/run/sshd.pid']);
  assert.deepEqual([sshd?.intervalMs, sshd?.weight, sshd?.fall, sshd?.rise], [2_000, -4, 2, 2]);
  assert.deepEqual(byName.get('chk_http_port')?.script.argv, ['/bin/bash', '-c', '</dev/tcp/127.0.0.1/80']);
  assert.equal(byName.get('chk_haproxy')?.weight, 0);
  assert.equal(byName.get('chk_https_port')?.timeoutMs, 3_000);
  assert.equal(byName.get('chk_smtp_port')?.initFail, true);
  const v1 = vi(c, 'VI_1');
  assert.deepEqual(refs(v1.track.interfaces), [['kv1', 2], ['kv2', -2], ['kv3', 0]]);
  assert.deepEqual(refs(v1.track.scripts), [
    ['chk_sshd', -4], ['chk_haproxy', 2], ['chk_http_port', -2], ['chk_https_port', -2], ['chk_smtp_port', -2],
  ]);
});

test('unicast: VRRPv3 unicast, sub-second adverts, GARP tuning, garp_group, VMAC', () => {
  const c = model('good', 'unicast');
  assert.equal(c.global.vrrpVersion, 3);
  assert.deepEqual([c.global.vrrpGarpMasterDelayMs, c.global.vrrpGarpMasterRepeat, c.global.vrrpGarpMasterRefreshMs,
    c.global.vrrpGarpMasterRefreshRepeat, c.global.vrrpGarpIntervalMs, c.global.vrrpGnaIntervalMs],
  [5_000, 3, 60_000, 2, 1, 0.001]);
  const gg = c.garpGroups[0];
  assert.deepEqual([gg?.garpIntervalMs, gg?.gnaIntervalMs, gg?.interfaces, gg?.aggregate], [10, 10, ['kv0', 'kv1'], true]);
  const u1 = vi(c, 'VI_U1');
  assert.deepEqual([u1.version, u1.advertIntMs, u1.nopreempt, u1.srcIp, u1.checkUnicastSrc, u1.unicastTtl],
    [3, 500, true, '192.0.2.2', true, 255]);
  assert.deepEqual(u1.unicastPeers.map((p) => p.address), ['192.0.2.3', '192.0.2.4']);
  assert.deepEqual([u1.unicastPeers[1]?.minTtl, u1.unicastPeers[1]?.maxTtl], [250, 255]);
  assert.deepEqual([u1.garp.masterDelayMs, u1.garp.masterRepeat, u1.garp.lowerPrioDelayMs, u1.garp.lowerPrioRepeat],
    [2_000, 2, 1_000, 1]);
  assert.deepEqual([u1.lowerPrioNoAdvert, u1.higherPrioSendAdvert], [true, true]);
  const u2 = vi(c, 'VI_U2');
  assert.deepEqual([u2.advertIntMs, u2.preemptDelayMs, u2.accept, u2.srcIp, u2.trackSrcIp, u2.skipCheckAdvAddr],
    [2_000, 30_000, true, '198.51.100.2', true, true]);
  assert.deepEqual([u2.vmac?.name, u2.vmac?.xmitBase], ['vrrp.82', true]);
  assert.deepEqual(u2.vips.map((a) => a.noTrack), [false, true]);
  const u6 = vi(c, 'VI_U6');
  assert.deepEqual([u6.family, u6.version, u6.srcIp], [6, 3, '2001:db8:1::2']);
});

test('global-defs: alerting, VRRP defaults, LVS sync daemon and timeouts, FIFOs, script security', () => {
  const g = model('good', 'global-defs').global;
  assert.deepEqual(g.notificationEmail, ['noc@example.com', 'oncall@example.net']);
  assert.deepEqual(g.smtpServer, { host: '192.0.2.25', port: 587 });
  assert.deepEqual([g.smtpHeloName, g.smtpConnectTimeoutMs, g.smtpAlertVrrp, g.smtpAlertChecker, g.noEmailFaults],
    ['lb1.example.com', 20_000, true, false, true]);
  assert.deepEqual([g.routerId, g.checkerLogAllFailures, g.defaultInterface, g.vrrpVersion], ['lb1', true, 'kv0', 2]);
  assert.deepEqual([g.vrrpMcastGroup4, g.vrrpMcastGroup6, g.vrrpCheckUnicastSrc, g.vrrpSkipCheckAdvAddr],
    ['224.0.0.18', 'ff02::12', true, true]);
  assert.deepEqual([g.lvsSyncDaemon?.interface, g.lvsSyncDaemon?.instance, g.lvsSyncDaemon?.syncId], ['kv1', 'VI_1', 42]);
  assert.deepEqual(g.lvsTimeouts, { tcpS: 7200, tcpFinS: 120, udpS: 300 });
  assert.equal(g.lvsFlush, true);
  assert.equal(g.notifyFifo.path, '/run/halb-fixture/notify.fifo');
  assert.equal(g.vrrpNotifyFifo.path, '/run/halb-fixture/vrrp.fifo');
  assert.deepEqual([g.enableScriptSecurity, g.scriptUser?.user, g.maxAutoPriority, g.dynamicInterfaces], [true, 'root', 10, true]);
});

test('ipv6 and ssl-get: an IPv6 instance runs VRRPv3; AH authentication on a BACKUP', () => {
  const v6 = vi(model('good', 'ipv6'), 'VI_6');
  assert.deepEqual([v6.family, v6.version], [6, 3]);
  assert.deepEqual(addrs(v6.vips), ['2001:db8::100/64', '2001:db8::101/64']);
  assert.equal(v6.vips[1]?.device, 'kv0');
  assert.deepEqual(addrs(v6.evips), ['2001:db8:1::100/64']);
  assert.equal(v6.evips[0]?.device, 'kv1');
  const ah = vi(model('good', 'ssl-get'), 'VI_1');
  assert.deepEqual([ah.state, ah.auth], ['BACKUP', { type: 'AH', password: '1111' }]);
});

test('static: linkbeat, track groups, static and virtual addresses, routes and rules', () => {
  const c = model('good', 'static');
  assert.deepEqual(c.top.linkbeatInterfaces.map((l) => [l.name, l.type]), [['kv2', undefined], ['kv3', 'ETHTOOL']]);
  assert.deepEqual(c.trackGroups.map((g) => [g.name, g.members]), [['GROUP1', ['VI_1']]]);
  assert.deepEqual(c.staticAddresses.map((a) => [a.address, a.prefixLength, a.family, a.device, a.scope, a.trackGroup]), [
    ['192.0.2.200', 24, 4, 'kv0', 253, undefined],
    ['198.51.100.200', 24, 4, 'kv1', 253, 'GROUP1'],
    ['203.0.113.200', 24, 4, 'kv2', undefined, undefined],
    ['2001:db8:1::200', 64, 6, 'kv1', undefined, undefined],
  ]);
  const r = c.staticRoutes;
  assert.equal(r.length, 6);
  assert.deepEqual([r[0]?.destination, r[0]?.src, r[0]?.via, r[0]?.device, r[0]?.table], ['203.0.113.0/26', '192.0.2.2', '192.0.2.254', 'kv0', 254]);
  assert.equal(r[2]?.trackGroup, 'GROUP1');
  assert.deepEqual([r[3]?.scope, r[4]?.scope, r[5]?.family], [200, 253, 6]);
  assert.deepEqual(c.staticRules.map((x) => [x.from, x.to, x.iif, x.table, x.priority, x.trackGroup]), [
    ['192.0.2.0/24', undefined, undefined, 1, 100, undefined],
    [undefined, '198.51.100.0/24', 'kv1', 1, 101, 'GROUP1'],
  ]);
  const v = vi(c, 'VI_1');
  assert.deepEqual(v.vips.map((a) => [a.address, a.device]), [['192.0.2.16', undefined], ['198.51.100.17', 'kv1'], ['203.0.113.18', 'kv2']]);
  const vr = v.virtualRoutes;
  assert.equal(vr.length, 6);
  assert.deepEqual(vr[3]?.nexthops.map((h) => [h.via, h.device, h.weight]), [['192.0.2.253', 'kv0', 1], ['192.0.2.252', 'kv0', 2]]);
  assert.equal(vr[3]?.noTrack, true);
  assert.deepEqual([vr[4]?.type, vr[4]?.destination], ['blackhole', '203.0.113.100/32']);
  assert.deepEqual([vr[5]?.via, vr[5]?.device, vr[5]?.table], ['192.0.2.1', 'kv0', 100]);
  assert.deepEqual(v.virtualRules.map((x) => [x.from, x.to, x.table, x.priority, x.noTrack]), [
    ['192.0.2.16/32', undefined, 2, 200, false], [undefined, '203.0.113.0/28', 2, 201, true],
  ]);
});

test('track-file, track-process and bfd: tracker blocks and the instances/groups that follow them', () => {
  const tf = model('good', 'track-file');
  assert.deepEqual(tf.trackFiles.map((f) => [f.name, f.file, f.weight, f.weightReverse, f.initFile]), [
    ['maintenance', '/run/halb-fixture/maintenance', 0, false, { value: 0, overwrite: false }],
    ['offset_vi1', '/run/halb-fixture/offset_vi1', -10, true, { value: 0, overwrite: false }],
    ['rs_weight', '/run/halb-fixture/rs_weight', 5, false, { value: 1, overwrite: true }],
  ]);
  assert.deepEqual(tf.syncGroups[0]?.track.files.map((f) => f.name), ['maintenance']);
  assert.deepEqual(refs(vi(tf, 'VI_1').track.files), [['offset_vi1', 0]]);
  assert.deepEqual(refs(vi(tf, 'VI_3').track.files), [['offset_vi1', -10], ['maintenance', -50]]);

  const tp = model('good', 'track-process');
  const [haproxy, nginx] = tp.trackProcesses;
  assert.deepEqual([haproxy?.process, haproxy?.args, haproxy?.weight, haproxy?.forkDelayMs, haproxy?.terminateDelayMs],
    ['haproxy', [], -30, 500, 500]);
  assert.deepEqual([nginx?.process, nginx?.args, nginx?.paramMatch, nginx?.quorum, nginx?.quorumMax, nginx?.fullCommand],
    ['/usr/sbin/nginx', ['-g', 'daemon off;'], 'partial', 2, 16, true]);
  assert.deepEqual([nginx?.forkDelayMs, nginx?.terminateDelayMs], [1_000, 2_000]);
  assert.deepEqual(refs(vi(tp, 'VI_1').track.processes), [['track_haproxy', -30], ['track_nginx', 0]]);

  const bfd = model('good', 'bfd');
  const [peer, rs] = bfd.bfdInstances;
  assert.deepEqual([peer?.name, peer?.neighborIp, peer?.sourceIp, peer?.minRxMs, peer?.minTxMs, peer?.idleTxMs, peer?.multiplier, peer?.weight],
    ['bfd_peer', '192.0.2.3', '192.0.2.2', 50, 50, 1_000, 3, -20]);
  assert.deepEqual([rs?.name, rs?.neighborIp, rs?.passive, rs?.ttl, rs?.maxHops, rs?.only, rs?.multiplier],
    ['bfd_rs', '198.51.100.30', true, 255, 0, 'checker', 5]);
  assert.deepEqual(refs(vi(bfd, 'VI_1').track.bfds), [['bfd_peer', -20]]);
});

test('includes: the glob and the brace expression pull in every file, in order', () => {
  const f = fixture('good', 'includes');
  const r = loadFixture(f);
  assert.deepEqual(r.files.map((p) => relative(f.dir, p)), [
    'includes.conf', 'includes.d/vrrp-kv0.conf', 'includes.d/vrrp-kv1.conf', 'includes.d/lvs-web.conf', 'includes.d/lvs-mail.conf',
  ]);
  assert.deepEqual(r.config.vrrpInstances.map((v) => v.name), ['VI_INC_0', 'VI_INC_1', 'VI_MAIN']);
  const inc0 = vi(r.config, 'VI_INC_0');
  assert.deepEqual([relative(f.dir, inc0.pos.file), inc0.pos.line], ['includes.d/vrrp-kv0.conf', 2]);
});

test('params (-i lb1): multi-line $INSTANCE, conditional values, ~SEQ and ~LST', () => {
  const c = model('good', 'params');
  assert.equal(c.global.routerId, 'lb1_router');
  assert.deepEqual(c.vrrpInstances.map((v) => [v.name, v.state, v.interface, v.vrid, v.priority, addrs(v.vips)]), [
    ['VI_1', 'MASTER', 'kv0', 101, 150, ['192.0.2.101/24']],
    ['VI_2', 'MASTER', 'kv0', 102, 150, ['192.0.2.102/24']],
    ['VI_SEQ', 'BACKUP', 'kv1', 110, 90, ['198.51.100.10/24', '198.51.100.12/24', '198.51.100.14/24', '198.51.100.16/24']],
  ]);
  // The multi-line definition is expanded where it is used.
  assert.equal(vi(c, 'VI_1').pos.line, 33);
  assert.equal(vi(c, 'VI_2').pos.line, 37);
  const seq = vi(c, 'VI_SEQ');
  assert.equal(seq.srcIp, '198.51.100.2');
  assert.deepEqual(seq.unicastPeers.map((p) => p.address), ['198.51.100.3', '198.51.100.4']);
  assert.deepEqual(addrs(seq.evips), ['2001:db8:1::a/64', '2001:db8:1::b/64']);
});

test('conditional (-i high): @high lines kept, @low dropped, ${_INSTANCE} substituted', () => {
  const c = model('good', 'conditional');
  assert.equal(c.global.routerId, 'lb_high');
  const s = c.vrrpScripts[0];
  assert.deepEqual(s?.script.argv, ['/usr/bin/test', '-e', '/run/keepalived-high.ready']);
  assert.deepEqual([s?.intervalMs, s?.timeoutMs, s?.rise, s?.fall], [1_000, 10_000, 3, 3]);
  const v = vi(c, 'VI_0');
  assert.deepEqual([v.priority, v.advertIntMs, v.version, v.vmac !== undefined], [170, 12_000, 3, true]);
  assert.deepEqual(refs(v.track.interfaces), [['kv3', 0], ['kv2', 20]]);
  assert.deepEqual(v.track.scripts.map((x) => x.name), ['check_VI_0']);
  assert.deepEqual(v.notify.generic?.argv, ['/usr/bin/logger', '-t', 'keepalived-high', 'high']);
});

test('seeds: the blog posts\' instances', () => {
  const s1 = model('seeds', '002-server1');
  assert.equal(s1.global.routerId, '1');
  const v = vi(s1, 'VI_1');
  assert.deepEqual([v.state, v.interface, v.srcIp, v.vrid, v.priority, v.advertIntMs], ['MASTER', 'kv0', '172.16.100.12', 55, 100, 1_000]);
  assert.deepEqual(v.auth, { type: 'PASS', password: '123456' });
  assert.deepEqual(addrs(v.vips), ['172.16.100.12/32']);
  assert.deepEqual(vi(model('seeds', '002-server2'), 'VI_1').state, 'BACKUP');
  const dir1 = vi(model('seeds', '002-dir1'), 'VI_1');
  assert.deepEqual([dir1.priority, dir1.vips[0]?.address, dir1.vips[0]?.prefixLength, dir1.vips[0]?.device], [150, '172.16.100.22', 24, 'kv0']);

  const b = model('seeds', '003-lvs-backup');
  assert.deepEqual(b.global.notificationEmail, ['test@sina.com']);
  assert.deepEqual([b.global.notificationEmailFrom, b.global.smtpServer, b.global.routerId], ['admin@test.com', { host: '127.0.0.1', port: 25 }, 'LVS_BACKUP']);
  assert.deepEqual([vi(b, 'VI_1').state, vi(b, 'VI_1').priority, vi(b, 'VI_1').vrid], ['BACKUP', 90, 60]);

  // Curly quotes are not quotes to keepalived: they stay part of the command, which the
  // host then does not have, so the script audit disables it, as keepalived does.
  assert.equal(model('seeds', '004-vrrp-script-multiline').vrrpScripts.find((x) => x.name === 'chk_http_port'), undefined);
  const s4 = loadConfig(fixture('seeds', '004-vrrp-script-multiline').path, { env: {} }).config;
  const chk = s4.vrrpScripts.find((x) => x.name === 'chk_http_port');
  assert.deepEqual(chk?.script.argv, ['\u201c</dev/tcp/127.0.0.1/8088\u201d']);
  assert.deepEqual([chk?.intervalMs, chk?.weight], [1_000, -2]);
});

test('bad fixtures: the values keepalived falls back to when it reports an error', () => {
  assert.equal(vi(model('bad', 'auth-pass-too-long'), 'VI_1').auth?.password, '01234567');
  assert.equal(vi(model('bad', 'priority-out-of-range'), 'VI_1').priority, 100);
  assert.equal(vi(model('bad', 'state-invalid'), 'VI_1').state, 'BACKUP');
  assert.equal(vi(model('bad', 'vrrp-version-invalid'), 'VI_1').version, 2);
  assert.deepEqual(addrs(vi(model('bad', 'vip-invalid-address'), 'VI_1').vips), ['192.0.2.10/24']);
  assert.deepEqual(addrs(vi(model('bad', 'vip-family-mismatch'), 'VI_1').vips), ['192.0.2.10/24']);
  assert.deepEqual(vi(model('bad', 'unicast-peer-invalid'), 'VI_1').unicastPeers.map((p) => p.address), ['192.0.2.3']);
  assert.deepEqual(vi(model('bad', 'track-script-unknown'), 'VI_1').track.scripts.map((s) => s.name), ['chk_web']);
  assert.deepEqual(model('bad', 'sync-group-without-group-block').syncGroups, []);
});
