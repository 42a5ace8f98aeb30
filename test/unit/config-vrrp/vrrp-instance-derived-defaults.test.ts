import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, inst, instance, parse } from './helpers.js';

const VIP = 'virtual_ipaddress {\n 192.168.1.100\n}';

test('state MASTER without priority makes the address owner (255); BACKUP without priority gets 100', () => {
  const r = parse(
    inst('M', `interface eth0\nstate MASTER\nvirtual_router_id 1\n${VIP}`)
    + inst('B', `interface eth0\nstate BACKUP\nvirtual_router_id 2\n${VIP}`),
  );
  assert.deepEqual(diags(r), []);
  assert.equal(instance(r, 'M').priority, 255);
  assert.equal(instance(r, 'B').priority, 100);
});

test('without state, priority 255 starts as MASTER and anything lower as BACKUP', () => {
  const r = parse(
    inst('O', `interface eth0\npriority 255\nvirtual_router_id 1\n${VIP}`)
    + inst('N', `interface eth0\npriority 254\nvirtual_router_id 2\n${VIP}`),
  );
  assert.equal(instance(r, 'O').state, 'MASTER');
  assert.equal(instance(r, 'N').state, 'BACKUP');
});

test('an IPv6 VIP makes the instance IPv6 and VRRPv3; global vrrp_version applies to IPv4', () => {
  const r = parse(`global_defs {\n vrrp_version 3\n}\n`
    + inst('V6', 'interface eth0\nvirtual_router_id 1\nvirtual_ipaddress {\n fe80::1\n 2001:db8::100/64\n}')
    + inst('V4', `interface eth0\nvirtual_router_id 2\n${VIP}`));
  assert.deepEqual(diags(r), []);
  const v6 = instance(r, 'V6');
  assert.equal(v6.family, 6);
  assert.equal(v6.version, 3);
  assert.equal(v6.vips[0]?.preferredLft, 0, 'a /128 is deprecated, as keepalived does');
  assert.equal(v6.vips[1]?.preferredLft, 'forever');
  assert.equal(instance(r, 'V4').version, 3);
});

test('instance defaults: advert 1 s, preempt on, accept on, 3 down-timer adverts, GARP 5 x after 5 s', () => {
  const r = parse(inst('VI_1', `interface eth0\nvirtual_router_id 51\n${VIP}`));
  const v = instance(r, 'VI_1');
  assert.equal(v.advertIntMs, 1000);
  assert.equal(v.nopreempt, false);
  assert.equal(v.preemptDelayMs, 0);
  assert.equal(v.accept, true);
  assert.equal(v.downTimerAdverts, 3);
  assert.equal(v.strictMode, false);
  assert.deepEqual(v.garp, {
    masterDelayMs: 5000, masterRepeat: 5, masterRefreshMs: 0, masterRefreshRepeat: 1,
    lowerPrioDelayMs: 5000, lowerPrioRepeat: 5, extraIfAll: false,
  });
  assert.equal(v.smtpAlert, false);
});

test('global GARP settings before the instance are copied into it; lower-priority ones follow the master ones', () => {
  const r = parse(`global_defs {\n vrrp_garp_master_delay 2\n vrrp_garp_master_repeat 3\n smtp_alert\n vrrp_down_timer_adverts 5\n}\n`
    + inst('VI_1', `interface eth0\nvirtual_router_id 51\n${VIP}`));
  const v = instance(r, 'VI_1');
  assert.equal(v.garp.masterDelayMs, 2000);
  assert.equal(v.garp.masterRepeat, 3);
  assert.equal(v.garp.lowerPrioDelayMs, 2000);
  assert.equal(v.garp.lowerPrioRepeat, 3);
  assert.equal(v.smtpAlert, true);
  assert.equal(v.downTimerAdverts, 5);
});

test('strict mode: accept off, no lower-priority GARPs, lower_prio_no_advert on; MASTER must be the owner', () => {
  const r = parse(inst('VI_1', `interface eth0\nstrict_mode\nstate MASTER\npriority 200\nvirtual_router_id 51\n${VIP}`));
  const v = instance(r, 'VI_1');
  assert.deepEqual(diags(r), ['-: (VI_1) State MASTER must match being address owner']);
  assert.equal(v.state, 'BACKUP');
  assert.equal(v.accept, false);
  assert.equal(v.garp.lowerPrioRepeat, 0);
  assert.equal(v.lowerPrioNoAdvert, true);
});

test('advert_int: VRRPv2 rounds fractions to whole seconds, VRRPv3 to centiseconds, with keepalived\'s message', () => {
  const r = parse(
    inst('A', `interface eth0\nvirtual_router_id 1\nadvert_int 1.5\n${VIP}`)
    + inst('B', `interface eth0\nvirtual_router_id 2\nversion 3\nadvert_int 0.015\n${VIP}`)
    + inst('C', `interface eth0\nvirtual_router_id 3\nversion 3\nadvert_int 50\n${VIP}`)
    + inst('D', `interface eth0\nvirtual_router_id 4\nadvert_int 0.2\n${VIP}`),
  );
  assert.deepEqual(diags(r), [
    '-: (A) VRRPv2 advertisement interval 1.500000s must be an integer. rounding',
    '-: (B) VRRPv3 advertisement interval 0.015000s must be in units of 10ms - rounding',
    '-: (C) VRRPv3 advertisement interval 50.00s is out of range. Must be less than 40.96s. Setting to 40.95s',
    '-: (D) VRRPv2 advertisement interval 0.200000s must be an integer. rounding',
  ]);
  assert.equal(instance(r, 'A').advertIntMs, 2000);
  assert.equal(instance(r, 'B').advertIntMs, 20);
  assert.equal(instance(r, 'C').advertIntMs, 40950);
  assert.equal(instance(r, 'D').advertIntMs, 1000, 'rounding to 0 s becomes 1 s');
});

test('router_id defaults to the host name from LoadOptions, then $HOSTNAME', () => {
  assert.equal(parse('', { hostname: 'lb-01' }).config.global.routerId, 'lb-01');
  assert.equal(parse('', { env: { HOSTNAME: 'lb-02' } }).config.global.routerId, 'lb-02');
  assert.equal(parse('global_defs {\n router_id R1\n}\n', { hostname: 'lb-01' }).config.global.routerId, 'R1');
});
