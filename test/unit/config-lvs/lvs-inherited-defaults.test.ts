// Effective values after inheritance (virtual_server -> real_server -> checker) and
// keepalived's per-checker defaults (check_api.c queue_checker, check_data.c
// validate_check_config, and each checker's handler).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conf, parse } from './parse-helper.js';
import type { Checker, CheckerKind, CheckerTiming } from '../../../src/config/model/index.js';

const head = ['virtual_server 192.0.2.1 80 {', '  protocol TCP', '  lvs_sched rr', '  lvs_method DR'];

function timingOf(c: Checker): Partial<CheckerTiming> {
  if (c.kind === 'FILE_CHECK' || c.kind === 'BFD_CHECK') return {};
  return { retry: c.retry, delayLoopMs: c.delayLoopMs, delayBeforeRetryMs: c.delayBeforeRetryMs, warmupMs: c.warmupMs, alpha: c.alpha };
}

test('keepalived defaults with nothing set: delay_loop 60 s, connect_timeout 5 s, per-checker retry and retry delay', () => {
  const r = parse(conf(...head,
    '  real_server 192.0.2.2 80 {',
    '    TCP_CHECK { }',
    '    HTTP_GET {', '      url { path / }', '    }',
    '    SSL_GET {', '      url { path / }', '    }',
    '    SMTP_CHECK { }',
    '    DNS_CHECK { }',
    '    MISC_CHECK { misc_path /bin/true }',
    '    UDP_CHECK { }',
    '    PING_CHECK { }',
    '  }',
    '}'));
  const rs = r.config.virtualServers[0]!.realServers[0]!;
  const byKind = new Map<CheckerKind, Partial<CheckerTiming>>(rs.checkers.map((c) => [c.kind, timingOf(c)]));
  const t = (retry: number, dbr: number) => ({ retry, delayLoopMs: 60_000, delayBeforeRetryMs: dbr, warmupMs: 60_000, alpha: false });
  assert.deepEqual(Object.fromEntries(byKind), {
    TCP_CHECK: t(1, 1000),
    HTTP_GET: t(1, 3000),
    SSL_GET: t(1, 3000),
    SMTP_CHECK: t(1, 1000),
    DNS_CHECK: t(3, 60_000),
    MISC_CHECK: t(0, 1000),
    UDP_CHECK: t(1, 1000),
    PING_CHECK: t(1, 1000),
  });
  for (const c of rs.checkers) {
    if ('connect' in c) assert.deepEqual(c.connect, { addr: '192.0.2.2', family: 4, port: 80, timeoutMs: 5000 });
  }
  const dns = rs.checkers.find((c) => c.kind === 'DNS_CHECK');
  assert.ok(dns?.kind === 'DNS_CHECK');
  assert.deepEqual([dns.type, dns.name], ['SOA', '.']);
  const smtp = rs.checkers.find((c) => c.kind === 'SMTP_CHECK');
  assert.ok(smtp?.kind === 'SMTP_CHECK');
  assert.equal(smtp.heloName, 'smtpchecker.keepalived.org');
  const misc = rs.checkers.find((c) => c.kind === 'MISC_CHECK');
  assert.ok(misc?.kind === 'MISC_CHECK');
  // misc_timeout 0 means the virtual server's delay_loop.
  assert.equal(misc.timeoutMs, 60_000);
  const http = rs.checkers.find((c) => c.kind === 'HTTP_GET');
  assert.ok(http?.kind === 'HTTP_GET');
  assert.deepEqual([http.httpProtocol, http.urls[0]?.statusCodes], ['1.0', [{ min: 200, max: 299 }]]);
  const udp = rs.checkers.find((c) => c.kind === 'UDP_CHECK');
  assert.ok(udp?.kind === 'UDP_CHECK');
  assert.deepEqual([udp.requireReply, udp.minReplyLength, udp.maxReplyLength, udp.payload], [false, 0, 255, undefined]);
});

test('virtual server values reach real servers and checkers, nearer settings win', () => {
  const r = parse(conf(...head,
    '  delay_loop 20', '  connect_timeout 2', '  retry 4', '  delay_before_retry 7', '  warmup 9',
    '  alpha', '  inhibit_on_failure', '  weight 5', '  virtualhost vs.example',
    '  real_server 192.0.2.2 80 {',
    '    delay_loop 15', '    retry 2',
    '    TCP_CHECK { }',
    '    TCP_CHECK {', '      retry 6', '      delay_loop 1.5', '      connect_timeout 0.25', '      alpha no', '    }',
    '    HTTP_GET { url { path / } }',
    '  }',
    '  real_server 192.0.2.3 80 {', '    weight 0', '    inhibit_on_failure no', '    alpha off',
    '    DNS_CHECK { }', '    MISC_CHECK { misc_path /bin/true }',
    '  }',
    '}'));
  assert.deepEqual(r.lines, ['SECURITY VIOLATION - check scripts are being executed but script_security not enabled.']);
  const [a, b] = r.config.virtualServers[0]!.realServers;
  assert.ok(a && b);
  assert.deepEqual([a.weight, a.alpha, a.inhibitOnFailure, a.delayLoopMs, a.connectTimeoutMs, a.retry, a.delayBeforeRetryMs, a.warmupMs],
    [5, true, true, 15_000, 2000, 2, 7000, 9000]);
  assert.deepEqual([b.weight, b.alpha, b.inhibitOnFailure, b.delayLoopMs, b.retry], [0, false, false, 20_000, 4]);
  assert.deepEqual(a.checkers.map(timingOf), [
    { retry: 2, delayLoopMs: 15_000, delayBeforeRetryMs: 7000, warmupMs: 9000, alpha: true },
    { retry: 6, delayLoopMs: 1500, delayBeforeRetryMs: 7000, warmupMs: 9000, alpha: false },
    { retry: 2, delayLoopMs: 15_000, delayBeforeRetryMs: 7000, warmupMs: 9000, alpha: true },
  ]);
  const [, tuned, http] = a.checkers;
  assert.ok(tuned?.kind === 'TCP_CHECK' && http?.kind === 'HTTP_GET');
  assert.equal(tuned.connect.timeoutMs, 250);
  // The Host header falls back to the virtual server's virtualhost.
  assert.equal(http.virtualhost, 'vs.example');
  assert.deepEqual(b.checkers.map(timingOf), [
    { retry: 4, delayLoopMs: 20_000, delayBeforeRetryMs: 7000, warmupMs: 9000, alpha: false },
    { retry: 4, delayLoopMs: 20_000, delayBeforeRetryMs: 7000, warmupMs: 9000, alpha: false },
  ]);
});

test('virtual server keywords written after a real server still apply to it (resolved when the block closes)', () => {
  const r = parse(conf('virtual_server 192.0.2.1 80 {', '  protocol TCP', '  lvs_sched rr',
    '  real_server 192.0.2.2 80 { TCP_CHECK { } }',
    '  delay_loop 30', '  weight 3', '  lvs_method TUN type gue port 6080', '}'));
  assert.deepEqual(r.lines, []);
  const vs = r.config.virtualServers[0]!;
  const rs = vs.realServers[0]!;
  assert.equal(rs.weight, 3);
  assert.equal(rs.delayLoopMs, 30_000);
  assert.equal(rs.checkers[0]?.kind === 'TCP_CHECK' && rs.checkers[0].delayLoopMs, 30_000);
  // The real server was declared before lvs_method: it takes the service's at the end.
  assert.deepEqual(rs.forwarding, { method: 'TUN', tunnel: { type: 'gue', port: 6080, checksum: 'nocsum' } });
});

test('a real server keeps the forwarding the service had when it was declared', () => {
  const r = parse(conf('virtual_server 192.0.2.1 80 {', '  protocol TCP', '  lvs_sched rr', '  lvs_method NAT',
    '  real_server 192.0.2.2 8080 { }', '  lvs_method DR', '  real_server 192.0.2.3 80 { }',
    '  real_server 192.0.2.4 80 { lvs_method TUN }', '}'));
  assert.deepEqual(r.lines, []);
  const vs = r.config.virtualServers[0]!;
  assert.deepEqual(vs.forwarding, { method: 'DR' });
  assert.deepEqual(vs.realServers.map((rs) => [rs.forwarding.method, rs.port]), [['NAT', 8080], ['DR', 80], ['TUN', 80]]);
  assert.deepEqual(vs.realServers[2]!.forwarding.tunnel, { type: 'ipip', checksum: 'nocsum' });
});

test('real server weight defaults to 1; without lvs_method forwarding defaults to NAT (reported)', () => {
  const r = parse(conf('virtual_server 192.0.2.1 80 {', '  protocol TCP', '  lvs_sched wrr',
    '  real_server 192.0.2.2 { }', '}'));
  assert.deepEqual(r.lines, ['Virtual server [192.0.2.1]:tcp:80: no forwarding method set, setting default NAT']);
  const vs = r.config.virtualServers[0]!;
  assert.deepEqual(vs.defaulted, ['method']);
  const rs = vs.realServers[0]!;
  assert.deepEqual([rs.weight, rs.forwarding.method, rs.port], [1, 'NAT', 80]);
});

test('smtp_alert: a virtual server is off and a real server on unless global_defs or the block says otherwise', () => {
  const plain = parse(conf(...head, '  real_server 192.0.2.2 80 { }', '  real_server 192.0.2.3 80 { smtp_alert off }', '}'));
  const vs = plain.config.virtualServers[0]!;
  assert.deepEqual([vs.smtpAlert, vs.realServers[0]!.smtpAlert, vs.realServers[1]!.smtpAlert], [false, true, false]);
  const explicit = parse(conf(...head, '  smtp_alert', '  real_server 192.0.2.2 80 { }', '}'));
  assert.equal(explicit.config.virtualServers[0]!.smtpAlert, true);
});

test('a checker probes connect_ip/connect_port when given, the real server otherwise (port from the service when absent)', () => {
  const r = parse(conf(...head,
    '  real_server 192.0.2.2 {',
    '    TCP_CHECK { connect_ip 192.0.2.9', '      connect_port 8080', '      bindto 192.0.2.1', '      bind_port 4000', '      fwmark 7 }',
    '    PING_CHECK { }',
    '  }', '}'));
  assert.deepEqual(r.lines, []);
  const [tcp, ping] = r.config.virtualServers[0]!.realServers[0]!.checkers;
  assert.ok(tcp?.kind === 'TCP_CHECK' && ping?.kind === 'PING_CHECK');
  assert.deepEqual(tcp.connect, { addr: '192.0.2.9', family: 4, port: 8080, bindAddr: '192.0.2.1', bindPort: 4000, fwmark: 7, timeoutMs: 5000 });
  assert.deepEqual(ping.connect, { addr: '192.0.2.2', family: 4, port: 80, timeoutMs: 5000 });
});

test('persistence_timeout alone is 360 s; persistence_granularity implies it and is kept as a prefix length', () => {
  const r = parse(conf('virtual_server 192.0.2.1 80 {', '  protocol TCP', '  lvs_sched rr', '  lvs_method DR',
    '  persistence_granularity 255.255.255.0', '  real_server 192.0.2.2 80 { }', '}',
    'virtual_server 2001:db8::1 443 {', '  protocol TCP', '  lvs_sched sh', '  lvs_method DR', '  persistence_timeout',
    '  persistence_granularity 64', '  persistence_engine sip', '  real_server 2001:db8::2 443 { }', '}'));
  assert.deepEqual(r.lines, []);
  const [v4, v6] = r.config.virtualServers;
  assert.deepEqual([v4?.persistenceTimeoutMs, v4?.persistenceGranularity], [360_000, 24]);
  assert.deepEqual([v6?.persistenceTimeoutMs, v6?.persistenceGranularity, v6?.persistenceEngine, v6?.family], [360_000, 64, 'sip', 6]);
});
