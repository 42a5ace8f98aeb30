import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, inst, parse } from './helpers.js';

const VIP = 'virtual_ipaddress {\n 192.168.1.100\n}';
const SCRIPT = 'global_defs {\n enable_script_security\n}\nvrrp_script chk {\n script /bin/true\n}\n';

test('a weight that cannot carry the priority across the other router of the VRID is a warning', () => {
  // 150 - 20 = 130 stays above the backup's 100: the failure never moves the VIP.
  const r = parse(SCRIPT
    + inst('M', `interface eth0\nvirtual_router_id 51\npriority 150\ntrack_script {\n chk weight -20\n}\n${VIP}`)
    // Another interface: not a rival of M.
    + inst('B', `interface eth1\nvirtual_router_id 51\npriority 100\n${VIP}`)
    + inst('C', `interface eth0\nvirtual_router_id 51\npriority 100\n${VIP}`));
  const w = diags(r, 'warning');
  assert.deepEqual(w, ['12: (M) tracker weights move the priority only within 130..150, which never crosses C (100) on VRID 51: they cannot change which router is master']);
});

test('a weight large enough to cross is not reported', () => {
  const r = parse(SCRIPT
    + inst('M', `interface eth0\nvirtual_router_id 51\npriority 150\ntrack_script {\n chk weight -60\n}\n${VIP}`)
    + inst('B', `interface eth0\nvirtual_router_id 51\npriority 100\n${VIP}`));
  assert.deepEqual(diags(r, 'warning'), []);
});

test('a weight whose effect is clamped away is a warning even with no other router in the file', () => {
  const r = parse(SCRIPT
    + inst('HI', `interface eth0\nvirtual_router_id 1\npriority 254\ntrack_script {\n chk weight 10\n}\n${VIP}`)
    + inst('LO', `interface eth0\nvirtual_router_id 2\npriority 1\ntrack_script {\n chk weight 10 reverse\n}\n${VIP}`));
  assert.deepEqual(diags(r, 'warning'), [
    '12: (HI) track_script chk weight 10 can never change the priority: 254 is already the highest priority a non-owner can have',
    '23: (LO) track_script chk weight 10 reverse can never change the priority: 1 is already the lowest priority a non-owner can have',
  ]);
});

test('an empty unicast_peer block: keepalived\'s error plus our warning; with unicast_fault_no_peer only ours', () => {
  const r = parse(
    inst('A', `interface eth0\nvirtual_router_id 1\nunicast_peer {\n}\n${VIP}`)
    + inst('B', `interface eth0\nvirtual_router_id 2\nunicast_fault_no_peer\nunicast_peer {\n}\n${VIP}`),
  );
  assert.deepEqual(diags(r), [
    '-: (A) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.',
  ]);
  assert.deepEqual(diags(r, 'warning'), [
    '4: (A) unicast_peer lists no peers: keepalived silently falls back to multicast',
    '14: (B) unicast_peer lists no peers: with unicast_fault_no_peer the instance stays in FAULT',
  ]);
});

test('keywords of keepalived newer than 2.2.7 are accepted with a warning', () => {
  const r = parse(`global_defs {\n json_version 2\n}\n${inst('VI_1', `interface eth0\nvirtual_router_id 1\nno_virtual_ipaddress\n`)}`);
  assert.deepEqual(diags(r, 'warning'), [
    "2: 'json_version' is not known to keepalived 2.2.7, which would reject this file; halb accepts it",
    "7: 'no_virtual_ipaddress' is not known to keepalived 2.2.7, which would reject this file; halb accepts it",
  ]);
  assert.deepEqual(diags(r), []);
  assert.equal(r.ok, true);
});
