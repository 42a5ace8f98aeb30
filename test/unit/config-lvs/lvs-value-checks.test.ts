// Per-keyword checks of virtual_server and real_server values. Every expected line was
// printed by Debian's keepalived 2.2.7 (`keepalived -t`) for the same input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { conf, parse } from './parse-helper.js';

const vsHead = ['virtual_server 192.0.2.100 80 {', '    lvs_sched rr', '    protocol tcp'];

test('numbers out of range: the reader complains, then the keyword; the value is ignored', () => {
  const r = parse(conf(...vsHead,
    '    weight 0', '    quorum 0', '    hysteresis -1', '    retry 0', '    delay_loop 0', '    connect_timeout 0',
    '    real_server 192.0.2.1 80 {', '        weight 70000', '        weight -1', '        uthreshold x', '        retry 0', '    }',
    '}'));
  assert.deepEqual(r.lines.slice(0, 18), [
    "(Line 4) number '0' outside range [1, 2147483647]",
    '(Line 4) Virtual server weight 0 is outside range 1-2147483647',
    "(Line 5) number '0' outside range [1, 4294967295]",
    '(Line 5) Quorum 0 must be in [1, 4294967295]. Setting to 1.',
    "(Line 6) negative number '-1'",
    '(Line 6) Hysteresis -1 must be in [0, 4294967295] - ignoring',
    "(Line 7) number '0' outside range [1, 4294967295]",
    '(Line 7) retry value invalid - 0',
    "(Line 8) number '0' outside range [0.000001, 18446744073709.551614]",
    "(Line 8) virtual server delay loop '0' invalid - ignoring",
    "(Line 9) number '0' outside range [0.000001, 4294.967295]",
    '(Line 9) virtual server connect_timeout 0 invalid - ignoring',
    "(Line 12) negative number '-1'",
    '(Line 12) Real server weight -1 is outside range 0-2147483647',
    "(Line 13) invalid number 'x'",
    "(Line 13) Invalid real_server uthreshold 'x' - ignoring",
    "(Line 14) number '0' outside range [1, 4294967295]",
    '(Line 14) retry value invalid - 0',
  ]);
  const vs = r.config.virtualServers[0]!;
  assert.deepEqual([vs.weight, vs.quorum, vs.hysteresis, vs.retry, vs.delayLoopMs, vs.connectTimeoutMs], [1, 1, 0, undefined, 60_000, 5000]);
  // 70000 is a valid IPVS weight (the limit is INT_MAX).
  assert.equal(vs.realServers[0]?.weight, 70000);
});

test("timers keep keepalived's quirks: 6 decimals (rounded), and a malformed number's leading digits", () => {
  const r = parse(conf(...vsHead, '    warmup 2x', '    delay_loop 1.0000004', '    delay_before_retry 2.5',
    '    real_server 192.0.2.1 80 { }', '}'));
  assert.deepEqual(r.lines, [
    "(Line 4) invalid number '2x'",
    "(Line 5) number '1.0000004' has too many decimal places",
    'Virtual server [192.0.2.100]:tcp:80: no forwarding method set, setting default NAT',
  ]);
  const vs = r.config.virtualServers[0]!;
  // "2x" reads as 2 µs, as keepalived's strtoull does.
  assert.deepEqual([vs.warmupMs, vs.delayLoopMs, vs.delayBeforeRetryMs], [0.002, 1000, 2500]);
});

test('timer property: any seconds value with up to 6 decimals reads as milliseconds', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 10_000_000_000 }), (us) => {
    const text = `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
    const r = parse(conf(...vsHead, `    delay_loop ${text}`, '    lvs_method DR', '    real_server 192.0.2.1 80 { }', '}'));
    return r.lines.length === 0 && r.config.virtualServers[0]?.delayLoopMs === us / 1000;
  }), { numRuns: 200 });
});

test('scheduler: unknown names are ignored with keepalived\'s message; sh/mh flags only with sh/mh', () => {
  const r = parse(conf('virtual_server 192.0.2.100 80 {', '    protocol TCP', '    lvs_method DR',
    '    lb_algo xx', '    sh-port', '    hashed', '    flag-1', '    lvs_sched sh', '    sh-port', '    mh-port', '    ops',
    '    real_server 192.0.2.1 80 { }', '}'));
  assert.deepEqual(r.lines, [
    "(Line 4) Invalid lvs_scheduler 'xx' - ignoring",
    '(Line 5) sh-port only applies to sh scheduler - ignoring',
    '(Line 6) hashed only applies to sh scheduler - ignoring',
    'Virtual server [192.0.2.100]:tcp:80: one packet scheduling requires UDP - resetting',
  ]);
  const vs = r.config.virtualServers[0]!;
  assert.equal(vs.scheduler, 'sh');
  assert.deepEqual(vs.flags, { flag1: true, flag2: false, flag3: false, shPort: true, shFallback: false, mhPort: false, mhFallback: false, onePacket: false });
});

test('lvs_method: tunnel options and their errors (the method still becomes TUN)', () => {
  const r = parse(conf('virtual_server 192.0.2.6 80 {', '  protocol UDP', '  lvs_sched rr',
    '  lvs_method TUN type gue', '  lvs_method TUN type ipip csum', '  lvs_method TUN type gre remcsum', '  lvs_method TUN port 5',
    '  lvs_method TUN bogus', '  lvs_method XX', '  lvs_method TUN type gre csum',
    '  real_server 192.0.2.7 80 { }', '}'));
  assert.deepEqual(r.lines, [
    '(Line 4) gue tunnels require port, otherwise cannot have port.',
    '(Line 5) ipip tunnels do not support checksum option.',
    '(Line 6) gre tunnels do not support remote checksum option.',
    '(Line 7) gue tunnels require port, otherwise cannot have port.',
    '(Line 8) Invalid tunnel option bogus for virtual server.',
    '(Line 9) PARSER : unknown [XX] routing method for virtual server.',
  ]);
  assert.deepEqual(r.config.virtualServers[0]?.forwarding, { method: 'TUN', tunnel: { type: 'gre', checksum: 'csum' } });
});

test('persistence, protocol, family and smtp_alert values', () => {
  const r = parse(conf('virtual_server 192.0.2.6 80 {', '  protocol UDP', '  lvs_sched rr', '  lvs_method DR',
    '  persistence_timeout 0', '  persistence_timeout 5000000', '  persistence_engine abcdefghijklmnopq',
    '  ip_family inet6', '  ip_family foo', '  protocol ICMP', '  smtp_alert maybe', '  virtualhost', '  snmp_name a b',
    '  sorry_server_inhibit', '  sorry_server_lvs_method DR',
    '  real_server 192.0.2.7 80 { }', '}'));
  assert.deepEqual(r.lines, [
    "(Line 5) number '0' outside range [1, 2678400]",
    '(Line 5) persistence_timeout invalid',
    "(Line 6) number '5000000' outside range [1, 2678400]",
    '(Line 6) persistence_timeout invalid',
    '(Line 7) persistence_name too long, truncating - abcdefghijklmnopq',
    '(Line 8) Virtual server specified family inet6 conflicts with server family',
    '(Line 9) unknown address family foo',
    '(Line 10) Unknown protocol ICMP - ignoring',
    '(Line 11) Invalid virtual_server smtp_alert parameter maybe',
    '(Line 12) virtual server virtualhost missing',
    '(Line 13) virtual server snmp_name missing or extra parameters',
    '(Line 14) Ignoring sorry_server inhibit used before or without sorry_server',
    '(Line 15) sorry_server forwarding used without sorry_server',
  ]);
  const vs = r.config.virtualServers[0]!;
  assert.deepEqual([vs.protocol, vs.family, vs.persistenceTimeoutMs, vs.persistenceEngine], ['UDP', 4, 0, 'abcdefghijklmno']);
});

test('real server keyword checks, including keepalived\'s "((null))" for a non-group service', () => {
  const r = parse(conf(...vsHead, '    lvs_method DR',
    '    real_server 192.0.2.1 80 {', '        inhibit_on_failure maybe', '        alpha no', '        notify_up /bin/true',
    '        notify_up /bin/false', '        virtualhost', '        smtp_alert x', '        lthreshold 5', '    }',
    '}'));
  assert.deepEqual(r.lines, [
    '(Line 6) Invalid inhibit_on_failure parameter maybe',
    '(Line 9) ((null)) notify_up script already specified - ignoring /bin/false',
    '(Line 10) real server virtualhost missing',
    '(Line 11) Invalid real_server smtp_alert parameter x',
    'SECURITY VIOLATION - check scripts are being executed but script_security not enabled.',
  ]);
  const rs = r.config.virtualServers[0]!.realServers[0]!;
  assert.deepEqual(rs.notifyUp?.argv, ['/bin/true']);
  assert.deepEqual([rs.lowerThreshold, rs.upperThreshold, rs.alpha], [5, 0, false]);
});

test('invalid addresses skip their block; a prefix or range suffix is dropped as keepalived does', () => {
  const r = parse(conf(
    'virtual_server 192.0.2.1 70000 {', '  protocol TCP', '}',
    'virtual_server 192.0.2.1 abc {', '  protocol TCP', '}',
    'virtual_server fwmark 99999999999 {', '}',
    'virtual_server 192.0.2.1/24 80 {', '  protocol TCP', '  lvs_sched rr', '  lvs_method DR',
    '  real_server 192.0.2.9-5 { }', '  real_server 192.0.2.01 { }', '  real_server fe80::1%eth0 { }',
    '  real_server 192.0.2.300 80 {', '     weight 2', '  }', '  sorry_server 1.2.3', '}'));
  assert.deepEqual(r.lines, [
    "(Line 1) number '70000' outside range [1, 65535]",
    '(Line 1) Invalid virtual server IP address/port 192.0.2.1/70000 - skipping',
    "(Line 4) invalid number 'abc'",
    '(Line 4) Invalid virtual server IP address/port 192.0.2.1/abc - skipping',
    "(Line 7) number '99999999999' outside unsigned integer range",
    "(Line 7) virtual server fwmark '99999999999' must be in [0, 4294967295] - ignoring",
    '(Line 14) Invalid real server ip address/port 192.0.2.01/(null) - skipping',
    '(Line 15) Invalid real server ip address/port fe80::1%eth0/(null) - skipping',
    '(Line 16) Invalid real server ip address/port 192.0.2.300/80 - skipping',
    '(Line 19) Invalid sorry server IP address 1.2.3 - skipping',
  ]);
  const vs = r.config.virtualServers[0]!;
  assert.deepEqual(vs.key, { kind: 'addr', addr: '192.0.2.1', family: 4, port: 80 });
  assert.deepEqual(vs.realServers.map((rs) => [rs.addr, rs.port]), [['192.0.2.9', 80]]);
});

test('a missing value is fatal, in keepalived\'s words (keepalived stops there; we go on)', () => {
  const r = parse(conf(...vsHead, '    lb_kind', '    real_server 192.0.2.1 80 { notify_up }', '}'));
  assert.deepEqual(r.lines.slice(0, 2), [
    'fatal: (Line 4) *** Configuration line starting `lb_kind` is missing a parameter after keyword `lb_kind` at word position 2',
    'fatal: (Line 5) *** Configuration line starting `notify_up` is missing a parameter after keyword `notify_up` at word position 2',
  ]);
  assert.equal(r.ok, false);
});

test('IPv6 addresses are kept in canonical form and labelled like keepalived', () => {
  const r = parse(conf('virtual_server 2001:DB8:0::1 80 {', '  protocol TCP', '  lvs_sched rr', '  lvs_method DR',
    '  sorry_server 2001:db8::9 81', '  real_server 2001:db8::2 { }', '  real_server 2001:db8::2 80 { }',
    '  real_server 2001:db8::4 82 { }', '  real_server 192.0.2.1 80 {', '  }', '}'));
  assert.deepEqual(r.lines, [
    "(Line 10) Address family of virtual server and real server 192.0.2.1 don't match - skipping real server.",
    "WARNING - virtual server [2001:db8::1]:tcp:80 and real server [2001:db8::4]:tcp:82 ports don't match - resetting",
    "WARNING - virtual server [2001:db8::1]:tcp:80 and sorry server ports don't match - resetting",
  ]);
  const vs = r.config.virtualServers[0]!;
  assert.equal(vs.label, '[2001:db8::1]:tcp:80');
  assert.deepEqual(vs.realServers.map((rs) => [rs.addr, rs.port]), [['2001:db8::2', 80], ['2001:db8::2', 80], ['2001:db8::4', 80]]);
  assert.deepEqual([vs.sorryServer?.addr, vs.sorryServer?.port], ['2001:db8::9', 80]);
});

test('SSL block: replaced values and contexts are reported, missing values too', () => {
  const r = parse(conf('SSL {', '  password', '  password x', '  password y', '  ca /etc/ca.pem', '  certificate /etc/c.pem',
    '  key /etc/k.pem', '  bogus 1', '}', 'SSL {', '  key /k2', '}'));
  assert.deepEqual(r.lines, [
    '(Line 2) SSL password missing',
    '(Line 4) SSL password already specified - replacing',
    "(Line 8) Unknown keyword 'bogus'",
    '(Line 10) SSL context already specified - replacing',
  ]);
  assert.deepEqual(r.config.ssl, { pos: { file: '/k.conf', line: 10 }, key: '/k2' });
});
