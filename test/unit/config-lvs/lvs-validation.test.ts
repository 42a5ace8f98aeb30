// validateLvs: keepalived 2.2.7's validate_check_config findings (no line number, in its
// order) and the corrections it makes, plus the group links it checks at start-up.
// Expected lines were printed by `keepalived -t` for the same text unless noted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conf, parse } from './parse-helper.js';
import { Diagnostics } from '../../../src/config/diagnostics.js';
import { auditScripts } from '../../../src/config/validate-scripts.js';

test('no protocol defaults to UDP; no scheduler to wlc; both reported without a line', () => {
  const r = parse(conf('virtual_server 192.0.2.100 80 {', '    delay_loop 10', '    lb_kind DR',
    '    real_server 192.0.2.1 80 { TCP_CHECK { } }', '}'));
  assert.deepEqual(r.lines, [
    'Virtual server [192.0.2.100]:none:80: no protocol set - defaulting to UDP',
    "Virtual server [192.0.2.100]:udp:80: no scheduler set, setting default 'wlc'",
  ]);
  assert.equal(r.ok, false);
  const vs = r.config.virtualServers[0]!;
  assert.deepEqual([vs.protocol, vs.scheduler, vs.label, vs.defaulted], ['UDP', 'wlc', '[192.0.2.100]:udp:80', ['scheduler', 'protocol']]);
});

test('a service without real servers is dropped', () => {
  const r = parse(conf('virtual_server 192.0.2.5 80 {', '  protocol TCP', '  lvs_sched rr', '}'));
  assert.deepEqual(r.lines, ['Virtual server [192.0.2.5]:tcp:80 has no real servers - ignoring']);
  assert.deepEqual(r.config.virtualServers, []);
});

test('fwmark service: protocol ignored (keepalived\'s "Warning:"), ha_suspend cleared, ports cleared, quorum bounded', () => {
  const r = parse(conf('virtual_server fwmark 3 {', '  protocol TCP', '  lvs_sched sh', '  sh-port', '  mh-port', '  ha_suspend',
    '  lvs_method DR', '  quorum 3', '  hysteresis 3', '  real_server 192.0.2.1 80 {', '    inhibit_on_failure', '  }',
    '  sorry_server 192.0.2.1 80', '}'));
  assert.deepEqual(r.lines, [
    'Virtual server FWM 3: cannot use ha_suspend with fwmarks - clearing ha_suspend',
    'Warning: Virtual server FWM 3: protocol specified for fwmark - protocol will be ignored',
    'Virtual server FWM 3: real server [192.0.2.1]:none:80 matches sorry server, but inhibit setting differs, setting on sorry server',
    'Warning - quorum 3 for FWM 3 exceeds total weight of real servers 1, reducing quorum to 1',
    'Virtual server FWM 3: hysteresis 3 >= quorum 1; setting hysteresis to 0',
    'WARNING - fwmark virtual server FWM 3, real server [192.0.2.1]:none:80 has port specified - clearing',
    'WARNING - virtual server FWM 3, sorry server has port specified - clearing',
  ]);
  const vs = r.config.virtualServers[0]!;
  assert.deepEqual([vs.protocol, vs.haSuspend, vs.quorum, vs.hysteresis, vs.family, vs.label], [undefined, false, 1, 0, 4, 'FWM 3']);
  assert.deepEqual([vs.realServers[0]?.port, vs.sorryServer?.port, vs.sorryServer?.inhibitOnFailure], [0, 0, true]);
  assert.deepEqual([vs.flags.shPort, vs.flags.mhPort], [true, false]);
});

test('duplicate real servers: the second is removed', () => {
  const r = parse(conf('virtual_server 192.0.2.100 80 {', '  protocol TCP', '  lvs_sched rr', '  lvs_method DR',
    '  real_server 192.0.2.1 80 { weight 2 }', '  real_server 192.0.2.1 80 { weight 3 }', '}'));
  assert.deepEqual(r.lines, ['VS [192.0.2.100]:tcp:80: real server [192.0.2.1]:tcp:80 is duplicated - removing second rs']);
  assert.deepEqual(r.config.virtualServers[0]?.realServers.map((rs) => rs.weight), [2]);
});

test('ports: a service without port becomes persistent; DR real servers take the service port', () => {
  const r = parse(conf('virtual_server 192.0.2.1 {', '  lvs_sched rr', '  lvs_method DR', '  protocol TCP',
    '  real_server 192.0.2.1 80 {', '  }', '}',
    'virtual_server 192.0.2.2 0 {', '  lvs_sched rr', '  protocol TCP', '  persistence_timeout 600',
    '  real_server 192.0.2.3 {', '    TCP_CHECK { }', '  }', '}'));
  assert.deepEqual(r.lines, [
    'Virtual server [192.0.2.1]:tcp:0: zero port only valid for persistent services - setting',
    "WARNING - virtual server [192.0.2.1]:tcp:0 and real server [192.0.2.1]:tcp:80 ports don't match - resetting",
    'Virtual server [192.0.2.2]:tcp:0: no forwarding method set, setting default NAT',
  ]);
  const [a, b] = r.config.virtualServers;
  assert.deepEqual([a?.persistenceTimeoutMs, a?.realServers[0]?.port], [360_000, 0]);
  assert.deepEqual([b?.persistenceTimeoutMs, b?.realServers[0]?.port], [600_000, 0]);
});

test('a checker without connect_port probes the port the real server ends up with', () => {
  const r = parse(conf('virtual_server 192.0.2.1 8080 {', '  lvs_sched rr', '  lvs_method DR', '  protocol TCP',
    '  real_server 192.0.2.2 {', '    TCP_CHECK { }', '    TCP_CHECK { connect_port 9000 }', '  }', '}'));
  assert.deepEqual(r.lines, []);
  const rs = r.config.virtualServers[0]!.realServers[0]!;
  assert.equal(rs.port, 8080);
  assert.deepEqual(rs.checkers.map((c) => ('connect' in c ? c.connect.port : -1)), [8080, 9000]);
});

test('group service: the group\'s entries decide protocol default, zero ports and port mismatches', () => {
  const r = parse(conf('virtual_server_group G1 {', '   192.0.2.1 80', '   192.0.2.2', '}',
    'virtual_server group G1 {', '  lvs_sched rr', '  lvs_method DR', '  ha_suspend', '  real_server 192.0.2.1 81 {', '  }', '}'));
  assert.deepEqual(r.lines, [
    'Virtual server [G1]:0: no protocol set - defaulting to UDP',
    'Virtual server [G1]:0: zero port only valid for persistent services - setting',
    "virtual server [G1]:0:[192.0.2.1,80] and real server [192.0.2.1]:udp:81 ports don't match",
    "virtual server [G1]:0:[192.0.2.2,0] and real server [192.0.2.1]:udp:81 ports don't match",
  ]);
  const vs = r.config.virtualServers[0]!;
  assert.deepEqual([vs.key, vs.protocol, vs.persistenceTimeoutMs, vs.haSuspend, vs.family],
    [{ kind: 'group', group: 'G1' }, 'UDP', 360_000, true, 4]);
});

test('group links (keepalived only logs these at start-up and drops the service): unknown group, family mismatch', () => {
  const r = parse(conf('virtual_server_group V6 {', '  2001:db8::1-1f 443', '}',
    'virtual_server group NOPE {', '  lvs_sched rr', '  protocol TCP', '  real_server 192.0.2.1 80 { }', '}',
    'virtual_server group V6 {', '  lvs_sched rr', '  protocol TCP', '  lvs_method DR', '  real_server 192.0.2.1 443 { }', '}',
    'virtual_server group V6 {', '  lvs_sched rr', '  protocol TCP', '  lvs_method DR', '  real_server 2001:db8::9 443 { }', '}'));
  assert.deepEqual(r.lines, [
    '(Line 4) Virtual server group NOPE specified but not configured - ignoring virtual server [NOPE]:0',
    "(Line 9) V6: address family doesn't match virtual server [V6]:0 - ignoring",
  ]);
  assert.deepEqual(r.config.virtualServers.map((vs) => [vs.pos.line, vs.family]), [[15, 6]]);
});

test('check scripts without script_security are a security violation (global_defs enable_script_security)', () => {
  const r = parse(conf('virtual_server 192.0.2.1 80 {', '  lvs_sched rr', '  lvs_method DR', '  protocol TCP',
    '  quorum_up /bin/true', '  real_server 192.0.2.2 80 { }', '}'));
  assert.deepEqual(r.lines, ['SECURITY VIOLATION - check scripts are being executed but script_security not enabled.']);
  // The same model audited again, once with script security on: nothing else to report.
  const secured = new Diagnostics();
  auditScripts({ ...r.config, global: { ...r.config.global, enableScriptSecurity: true } }, secured, undefined);
  assert.deepEqual(secured.items, []);
  const unsecured = new Diagnostics();
  auditScripts({ ...r.config, global: { ...r.config.global, enableScriptSecurity: false } }, unsecured, undefined);
  assert.deepEqual(unsecured.items.map((d) => [d.message, d.security]), [['SECURITY VIOLATION - check scripts are being executed but script_security not enabled.', true]]);
});
