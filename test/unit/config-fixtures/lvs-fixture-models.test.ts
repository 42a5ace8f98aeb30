// The LVS side of the model built from the good fixtures and the seed configs:
// virtual server groups, virtual servers, real servers and every checker kind, with
// keepalived's inheritance (virtual server -> real server -> checker) and defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checker, KeepalivedConfig, RealServer, VirtualServer } from '../../../src/config/index.js';
import { fixture, type FixtureKind } from '../../helpers/config-fixtures.js';
import { describeDiagnostics, loadFixture } from './fixture-load.js';

function model(kind: FixtureKind, name: string): KeepalivedConfig {
  const r = loadFixture(fixture(kind, name));
  if (kind === 'good') assert.ok(r.ok, describeDiagnostics(r));
  return r.config;
}

function vsAt(c: KeepalivedConfig, port: number, addr?: string): VirtualServer {
  const vs = c.virtualServers.find((v) => v.key.kind === 'addr' && v.key.port === port && (addr === undefined || v.key.addr === addr));
  assert.ok(vs !== undefined, `no virtual server on port ${port}: ${c.virtualServers.map((v) => v.label).join(', ')}`);
  return vs;
}

function rsAt(vs: VirtualServer, addr: string): RealServer {
  const rs = vs.realServers.find((r) => r.addr === addr);
  assert.ok(rs !== undefined, `no real server ${addr} in ${vs.label}`);
  return rs;
}

/** The checker variant of a kind (HTTP_GET and SSL_GET share one shape). */
type CheckerOf<K extends Checker['kind']> = Checker & { kind: K };

function only<K extends Checker['kind']>(rs: RealServer, kind: K): CheckerOf<K> {
  const cs = rs.checkers.filter((c): c is CheckerOf<K> => c.kind === kind);
  assert.equal(cs.length, 1, `${rs.addr}: expected one ${kind}, found ${rs.checkers.map((c) => c.kind).join(', ')}`);
  return cs[0] as CheckerOf<K>;
}

test('sample: NAT virtual server, sorry server, HTTP_GET with a digest', () => {
  const c = model('good', 'sample');
  assert.equal(c.virtualServers.length, 1);
  const vs = vsAt(c, 1358, '192.0.2.11');
  assert.deepEqual(vs.key, { kind: 'addr', addr: '192.0.2.11', family: 4, port: 1358 });
  assert.equal(vs.scheduler, 'rr');
  assert.equal(vs.forwarding.method, 'NAT');
  assert.equal(vs.protocol, 'TCP');
  assert.equal(vs.persistenceTimeoutMs, 50_000);
  assert.equal(vs.delayLoopMs, 6_000);
  assert.equal(vs.sorryServer?.addr, '198.51.100.200');
  assert.equal(vs.sorryServer?.port, 1358);
  const rs = rsAt(vs, '198.51.100.2');
  assert.equal(rs.port, 1358);
  assert.equal(rs.weight, 1);
  const http = only(rs, 'HTTP_GET');
  assert.equal(http.connect.addr, '198.51.100.2');
  assert.equal(http.connect.port, 1358);
  assert.equal(http.connect.timeoutMs, 3_000);
  assert.equal(http.retry, 3);
  assert.equal(http.delayBeforeRetryMs, 3_000);
  assert.equal(http.urls.length, 1);
  assert.equal(http.urls[0]?.path, '/testurl3/test.jsp');
  assert.equal(http.urls[0]?.digest, '640205b7b0fc66c1ea91c463fac6334d');
  assert.deepEqual(http.urls[0]?.statusCodes, [{ min: 200, max: 299 }]);
});

test('virtual-server-group: addresses, a range, a CIDR range and fwmarks share one topology', () => {
  const c = model('good', 'virtual-server-group');
  assert.equal(c.virtualServerGroups.length, 1);
  const g = c.virtualServerGroups[0];
  assert.equal(g?.name, 'VSG_1');
  const flat = g?.entries.map((e) => (e.kind === 'range' ? `${e.start}-${e.end}:${e.port}` : `fwmark ${e.fwmark}`));
  assert.deepEqual(flat, [
    '192.0.2.1-192.0.2.1:8080', '192.0.2.2-192.0.2.2:80', '203.0.113.1-203.0.113.1:1358',
    '192.0.2.3-192.0.2.10:80', '192.0.2.64-192.0.2.71:443', 'fwmark 1', 'fwmark 2',
  ]);
  assert.equal(c.virtualServers.length, 1);
  assert.deepEqual(c.virtualServers[0]?.key, { kind: 'group', group: 'VSG_1' });
  assert.deepEqual(c.virtualServers[0]?.realServers.map((r) => `${r.addr}:${r.port}`), ['198.51.100.1:1358', '198.51.100.2:1358']);
});

test('status-code: ranges and single codes are sorted, and mix with a digest', () => {
  const http = only(rsAt(vsAt(model('good', 'status-code'), 443), '198.51.100.100'), 'SSL_GET');
  assert.deepEqual(http.urls.map((u) => u.statusCodes), [
    [{ min: 200, max: 299 }, { min: 400, max: 499 }, { min: 503, max: 503 }, { min: 505, max: 505 }],
    [{ min: 200, max: 200 }],
  ]);
  assert.equal(http.urls[1]?.digest, '9b3a0c85a887a256d6939da88aabd8cd');
});

test('virtualhost and http-get-port: Host headers, SNI, connect_ip/port, bindto, protocol version', () => {
  const vh = vsAt(model('good', 'virtualhost'), 80);
  assert.equal(vh.virtualhost, 'www.example.com');
  const ssl = only(rsAt(vh, '198.51.100.100'), 'SSL_GET');
  assert.equal(ssl.enableSni, true);
  assert.deepEqual(ssl.urls.map((u) => [u.path, u.virtualhost]), [['/', undefined], ['/mrtg/', 'mrtg.example.com']]);

  const vs = vsAt(model('good', 'http-get-port'), 443);
  assert.equal(only(rsAt(vs, '198.51.100.100'), 'SSL_GET').connect.port, 444);
  const http = only(rsAt(vs, '198.51.100.101'), 'HTTP_GET');
  assert.equal(http.connect.addr, '198.51.100.201');
  assert.equal(http.connect.port, 8080);
  assert.equal(http.connect.bindAddr, '198.51.100.2');
  assert.equal(http.connect.timeoutMs, 2_500);
  assert.equal(http.httpProtocol, '1.1');
  assert.equal(http.retry, 2);
  assert.equal(http.delayBeforeRetryMs, 1_500);
});

test('ssl-get: the SSL block and one SSL_GET and one HTTP_GET service', () => {
  const c = model('good', 'ssl-get');
  assert.equal(c.ssl?.password, 'secret');
  assert.equal(c.ssl?.ca, '/etc/ssl/certs/ca-certificates.crt');
  assert.equal(c.ssl?.certificate, undefined);
  assert.equal(only(rsAt(vsAt(c, 443), '198.51.100.100'), 'SSL_GET').urls.length, 2);
  assert.equal(only(rsAt(vsAt(c, 80), '198.51.100.100'), 'HTTP_GET').urls.length, 2);
});

test('smtp-check: helo_name, timing, and host blocks checking other addresses', () => {
  const vs = vsAt(model('good', 'smtp-check'), 25);
  const s0 = only(rsAt(vs, '198.51.100.10'), 'SMTP_CHECK');
  assert.equal(s0.heloName, 'foo.example.com');
  assert.equal(s0.connect.timeoutMs, 30_000);
  assert.equal(s0.retry, 2);
  assert.equal(s0.delayBeforeRetryMs, 5_000);
  const hosts = rsAt(vs, '198.51.100.12').checkers.filter((k) => k.kind === 'SMTP_CHECK');
  const targets = hosts.map((h) => (h.kind === 'SMTP_CHECK' ? `${h.connect.addr}:${h.connect.port}<-${h.connect.bindAddr ?? ''}` : ''));
  assert.ok(targets.includes('198.51.100.12:25<-198.51.100.2'), targets.join(' '));
  assert.ok(targets.includes('203.0.113.11:587<-203.0.113.2'), targets.join(' '));
  const h1 = rsAt(vs, '198.51.100.11').checkers.map((h) => (h.kind === 'SMTP_CHECK' ? h.connect.addr : ''));
  assert.ok(h1.includes('203.0.113.10'), h1.join(' '));
});

test('misc-check and misc-check-arg: argv split like a shell, timeout, dynamic weights', () => {
  const vs = vsAt(model('good', 'misc-check'), 1358);
  const m0 = only(rsAt(vs, '192.0.2.6'), 'MISC_CHECK');
  assert.deepEqual(m0.script.argv, ['/bin/true']);
  assert.equal(m0.dynamic, false);
  const m1 = only(rsAt(vs, '192.0.2.7'), 'MISC_CHECK');
  assert.deepEqual(m1.script.argv, ['/bin/false']);
  assert.equal(m1.timeoutMs, 5_000);
  assert.equal(m1.dynamic, true);
  assert.equal(m1.warmupMs, 2_000);
  const arg = vsAt(model('good', 'misc-check-arg'), 1358);
  assert.deepEqual(only(rsAt(arg, '192.0.2.6'), 'MISC_CHECK').script.argv, ['/usr/bin/test', '-d', '/tmp']);
  assert.deepEqual(only(rsAt(arg, '192.0.2.8'), 'MISC_CHECK').script.argv, ['/bin/sh', '-c', 'exit 0', 'arg1', 'arg two']);
});

test('inhibit and quorum: inhibit_on_failure, alpha/omega, quorum with hysteresis and scripts', () => {
  assert.equal(rsAt(vsAt(model('good', 'inhibit'), 1358), '192.0.2.2').inhibitOnFailure, true);
  const q = vsAt(model('good', 'quorum'), 80);
  assert.equal(q.scheduler, 'wrr');
  assert.deepEqual([q.alpha, q.omega, q.quorum, q.hysteresis], [true, true, 7, 2]);
  assert.deepEqual(q.quorumUp?.argv, ['/usr/bin/logger', '-t', 'quorum', 'up']);
  assert.deepEqual(q.quorumDown?.argv, ['/usr/bin/logger', '-t', 'quorum', 'down']);
  assert.equal(q.persistenceTimeoutMs, 900_000);
  assert.equal(q.realServers.length, 10);
  for (const rs of q.realServers) {
    assert.equal(rs.port, 8080);
    const tcp = only(rs, 'TCP_CHECK');
    assert.equal(tcp.connect.port, 80);
    assert.equal(tcp.connect.timeoutMs, 3_000);
  }
});

test('ipv6: an IPv6 group range and IPv6 services', () => {
  const c = model('good', 'ipv6');
  const g = c.virtualServerGroups.find((x) => x.name === 'IPv6_group');
  assert.deepEqual(g?.entries.map((e) => (e.kind === 'range' ? [e.family, e.start, e.end, e.port] : [])), [
    [6, '2001:db8::2', '2001:db8::9', 80], [6, '2001:db8::1', '2001:db8::1', 80],
  ]);
  const vs = vsAt(c, 80, '2001:db8::100');
  assert.equal(vs.family, 6);
  assert.equal(rsAt(vs, '2001:db8:1::10').port, 25);
  assert.equal(only(rsAt(vs, '2001:db8:1::11'), 'HTTP_GET').connect.bindAddr, '2001:db8:1::2');
});

test('fwmark: fwmark services without protocol, sh flags, DR and persistence granularity', () => {
  const c = model('good', 'fwmark');
  const [fw1, fw2] = c.virtualServers;
  assert.deepEqual(fw1?.key, { kind: 'fwmark', fwmark: 1 });
  assert.equal(fw1?.protocol, undefined);
  assert.deepEqual(fw1?.realServers.map((r) => [r.addr, r.port]), [['198.51.100.100', 0], ['198.51.100.101', 0]]);
  assert.equal(fw1 && only(fw1.realServers[0] as RealServer, 'TCP_CHECK').connect.port, 80);
  assert.deepEqual(fw2?.key, { kind: 'fwmark', fwmark: 2 });
  assert.equal(fw2?.scheduler, 'sh');
  assert.equal(fw2?.flags.shPort, true);
  assert.equal(fw2?.flags.shFallback, true);
  assert.equal(fw2?.forwarding.method, 'DR');
  assert.equal(fw2?.persistenceGranularity, 24);
});

test('ping-check, udp-check and dns-check: UDP services and their checkers', () => {
  const ping = vsAt(model('good', 'ping-check'), 1358);
  assert.equal(ping.protocol, 'UDP');
  assert.equal(only(rsAt(ping, '192.0.2.6'), 'PING_CHECK').retry, 4);

  const udp = vsAt(model('good', 'udp-check'), 1358);
  assert.equal(only(rsAt(udp, '192.0.2.6'), 'UDP_CHECK').requireReply, false);
  const u = only(rsAt(udp, '192.0.2.7'), 'UDP_CHECK');
  assert.equal(u.payload, '68656c6c6f');
  assert.equal(u.requireReply, true);
  assert.equal(u.replyData?.slice(0, 4), '6f6b');
  assert.equal(u.replyMask, '0000ff');
  assert.deepEqual([u.minReplyLength, u.maxReplyLength], [2, 64]);

  const c = model('good', 'dns-check');
  const udpVs = c.virtualServers.find((v) => v.protocol === 'UDP');
  assert.ok(udpVs !== undefined);
  assert.equal(udpVs.scheduler, 'wlc');
  assert.equal(udpVs.forwarding.method, 'DR');
  const d0 = only(rsAt(udpVs, '192.0.2.53'), 'DNS_CHECK');
  assert.deepEqual([d0.type, d0.name, d0.connect.timeoutMs, d0.retry], ['A', 'www.example.com', 2_000, 3]);
  const d1 = only(rsAt(udpVs, '192.0.2.54'), 'DNS_CHECK');
  assert.deepEqual([d1.type, d1.name, d1.retry], ['SOA', '.', 3]);
  assert.equal(only(rsAt(udpVs, '192.0.2.55'), 'DNS_CHECK').type, 'AAAA');
  const tcpVs = c.virtualServers.find((v) => v.protocol === 'TCP');
  assert.equal(tcpVs && only(rsAt(tcpVs, '192.0.2.53'), 'DNS_CHECK').type, 'MX');
});

test('tcp-check: virtual server options, inheritance down to checkers, several checkers per real server', () => {
  const c = model('good', 'tcp-check');
  const vs = vsAt(c, 443);
  assert.equal(vs.scheduler, 'mh');
  assert.equal(vs.flags.mhPort, true);
  assert.equal(vs.forwarding.method, 'DR');
  assert.equal(vs.persistenceTimeoutMs, 120_000);
  assert.equal(vs.persistenceGranularity, 24);
  assert.deepEqual([vs.haSuspend, vs.smtpAlert, vs.alpha, vs.omega, vs.quorum, vs.hysteresis, vs.inhibitOnFailure],
    [true, false, true, true, 2, 1, true]);
  assert.deepEqual(vs.sorryServer && [vs.sorryServer.addr, vs.sorryServer.port, vs.sorryServer.inhibitOnFailure, vs.sorryServer.forwarding.method],
    ['192.0.2.250', 443, true, 'DR']);

  const rs0 = rsAt(vs, '192.0.2.31');
  assert.deepEqual([rs0.weight, rs0.upperThreshold, rs0.lowerThreshold], [5, 1000, 100]);
  assert.deepEqual(rs0.notifyUp?.argv, ['/usr/bin/logger', '-t', 'rs', '192.0.2.31', 'up']);
  const tcp = only(rs0, 'TCP_CHECK');
  assert.deepEqual(
    [tcp.connect.addr, tcp.connect.port, tcp.connect.bindAddr, tcp.connect.bindPort, tcp.connect.fwmark, tcp.connect.timeoutMs],
    ['192.0.2.31', 443, '192.0.2.2', 40443, 7, 1_500]);
  assert.deepEqual([tcp.retry, tcp.delayBeforeRetryMs, tcp.warmupMs, tcp.logAllFailures], [4, 500, 0, true]);
  // Unset on the checker and the real server: taken from the virtual server.
  const http = only(rs0, 'HTTP_GET');
  assert.deepEqual([http.connect.timeoutMs, http.retry, http.delayBeforeRetryMs, http.warmupMs, http.delayLoopMs],
    [2_000, 2, 1_000, 3_000, 3_000]);
  assert.equal(http.fastRecovery, true);
  assert.deepEqual(http.urls[0]?.statusCodes, [{ min: 200, max: 204 }]);
  assert.equal(http.urls[0]?.regex?.pattern, '^OK( [0-9]+)?$');
  assert.deepEqual(http.urls[0]?.regex?.options, ['multiline', 'caseless']);
  assert.equal(http.urls[0]?.regex?.noMatch, false);

  const rs1 = rsAt(vs, '192.0.2.32');
  assert.equal(rs1.alpha, false);
  const tcps = rs1.checkers.filter((k) => k.kind === 'TCP_CHECK');
  assert.deepEqual(tcps.map((k) => (k.kind === 'TCP_CHECK' ? [k.connect.port, k.delayLoopMs] : [])), [[443, 10_000], [8443, 10_000]]);

  const tun = vsAt(c, 80);
  assert.equal(tun.forwarding.method, 'TUN');
  assert.equal(rsAt(tun, '192.0.2.33').forwarding.method, 'NAT');
});

test('track-file and bfd: FILE_CHECK and BFD_CHECK follow their top-level trackers', () => {
  const rs = rsAt(vsAt(model('good', 'track-file'), 80), '198.51.100.20');
  const file = only(rs, 'FILE_CHECK');
  assert.equal(file.trackFile, 'rs_weight');
  assert.equal(file.weight, 2);
  only(rs, 'TCP_CHECK');
  assert.equal(only(rsAt(vsAt(model('good', 'bfd'), 80), '198.51.100.30'), 'BFD_CHECK').name, 'bfd_rs');
});

test('includes and params: services from included files, ~SEQ-generated real servers', () => {
  const inc = model('good', 'includes');
  assert.deepEqual(inc.virtualServers.map((v) => v.label).length, 2);
  assert.equal(vsAt(inc, 80, '192.0.2.71').scheduler, 'rr');
  assert.equal(vsAt(inc, 25, '192.0.2.71').scheduler, 'lc');

  const p = vsAt(model('good', 'params'), 80, '192.0.2.101');
  assert.deepEqual(p.realServers.map((r) => [r.addr, r.port, r.weight]),
    [['198.51.100.21', 80, 21], ['198.51.100.22', 80, 22], ['198.51.100.23', 80, 23]]);
});

test('seeds: the blog posts\' DR services', () => {
  const dr = vsAt(model('seeds', '000-dr'), 80, '192.168.243.100');
  assert.deepEqual([dr.scheduler, dr.forwarding.method, dr.persistenceTimeoutMs, dr.delayLoopMs], ['rr', 'DR', 60_000, 10_000]);
  assert.deepEqual(dr.realServers.map((r) => [r.addr, r.weight]), [['192.168.243.135', 100], ['192.168.243.136', 100]]);
  const t = only(dr.realServers[0] as RealServer, 'TCP_CHECK');
  assert.deepEqual([t.connect.port, t.connect.timeoutMs, t.delayBeforeRetryMs], [80, 10_000, 3_000]);

  const dir1 = vsAt(model('seeds', '002-dir1'), 80, '172.16.100.22');
  assert.deepEqual([dir1.scheduler, dir1.forwarding.method, dir1.delayLoopMs], ['rr', 'DR', 3_000]);
  assert.deepEqual(dir1.realServers.map((r) => r.addr), ['172.16.100.14', '172.16.100.15']);

  const backup = vsAt(model('seeds', '003-lvs-backup'), 8080, '192.168.203.107');
  assert.equal(backup.persistenceTimeoutMs, 50_000);
  assert.deepEqual(backup.realServers.map((r) => [r.addr, r.port]), [['192.168.203.93', 8080], ['192.168.203.94', 8080]]);
});

test('bad fixtures: the values keepalived falls back to when it reports an error', () => {
  const algo = model('bad', 'lb-algo-unknown').virtualServers[0];
  assert.equal(algo?.scheduler, 'wlc');
  assert.ok(algo?.defaulted.includes('scheduler'));
  const kind = model('bad', 'lb-kind-unknown').virtualServers[0];
  assert.equal(kind?.forwarding.method, 'NAT');
  assert.ok(kind?.defaulted.includes('method'));
  assert.deepEqual(model('bad', 'real-server-invalid-address').virtualServers[0]?.realServers.map((r) => r.addr), ['198.51.100.11']);
  assert.deepEqual(model('bad', 'real-server-family-mismatch').virtualServers[0]?.realServers.map((r) => r.addr), ['198.51.100.10']);
  assert.equal(model('bad', 'weight-out-of-range').virtualServers[0]?.realServers[0]?.weight, 1);
  assert.equal(model('bad', 'delay-loop-invalid').virtualServers[0]?.delayLoopMs, 60_000);
  assert.deepEqual(model('bad', 'port-out-of-range').virtualServers, []);
});
