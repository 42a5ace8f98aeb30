import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, inst, instance, only, parse } from './helpers.js';

const VIP = 'virtual_ipaddress {\n 192.168.1.100\n}';

test('VRID outside 1..255 is refused at its line, and an instance without VRID cannot run', () => {
  const r = parse(inst('VI_1', `interface eth0\nvirtual_router_id 300\n${VIP}`));
  assert.deepEqual(diags(r), [
    "3: number '300' outside range [1, 255]",
    "3: (VI_1): VRID '300' not valid - must be between 1 & 255",
    '-: (VI_1) the virtual router id must be set',
  ]);
  assert.equal(r.ok, false);
  assert.equal(instance(r, 'VI_1').vrid, 0);
});

test('priority outside 1..255 is reported and replaced by 100', () => {
  const r = parse(inst('VI_1', `interface eth0\nvirtual_router_id 1\npriority 0\n${VIP}`));
  assert.deepEqual(diags(r), [
    "4: number '0' outside range [1, 255]",
    '4: (VI_1) Priority not valid! must be between 1 & 255. Using default 100',
  ]);
  assert.equal(instance(r, 'VI_1').priority, 100);
});

test('advert_int must be a positive number up to 255 s', () => {
  const r = parse(inst('VI_1', `interface eth0\nvirtual_router_id 1\nadvert_int 0\nadvert_int x\n${VIP}`));
  assert.deepEqual(diags(r), [
    "4: number '0' outside range [0.010000, 255.000000]",
    '4: (VI_1) Advert interval (0) not valid! Must be > 0 - ignoring',
    "5: invalid number 'x'",
    '5: (VI_1) Advert interval (x) not valid! Must be > 0 - ignoring',
  ]);
  assert.equal(instance(r, 'VI_1').advertIntMs, 1000);
});

test('a keyword missing its parameter stops keepalived: fatal, with its message', () => {
  const r = parse(inst('VI_1', 'interface eth0\nvirtual_router_id\n'));
  const d = only(r, '*** Configuration line starting `virtual_router_id` is missing a parameter after keyword `virtual_router_id` at word position 2');
  assert.equal(d.severity, 'fatal');
  assert.equal(d.line, 3);
});

test('`interface lo` is refused without looking at the host, then the instance has no interface', () => {
  const r = parse(inst('VI_1', `interface lo\nvirtual_router_id 1\n${VIP}`));
  assert.deepEqual(diags(r), [
    '2: (VI_1) cannot use a loopback interface (lo) for vrrp - ignoring',
    '-: (VI_1) Unknown interface!',
  ]);
  assert.equal(instance(r, 'VI_1').interface, undefined);
});

test('unknown state, duplicate instance, nameless instance', () => {
  const r = parse(inst('VI_1', `interface eth0\nvirtual_router_id 1\nstate FOO\n${VIP}`) + inst('VI_1', 'interface eth0') + 'vrrp_instance {\n}\n');
  assert.deepEqual(diags(r), [
    "4: (VI_1) unknown state 'FOO', defaulting to BACKUP",
    '9: vrrp instance VI_1 already defined',
    '12: vrrp_instance must have a name',
  ]);
  assert.equal(r.config.vrrpInstances.length, 1);
});

test('nopreempt with priority 255 and with state MASTER are reset with keepalived\'s messages', () => {
  const r = parse(
    inst('A', `interface eth0\nvirtual_router_id 1\nstate MASTER\nnopreempt\n${VIP}`)
    + inst('B', `interface eth0\nvirtual_router_id 2\nstate MASTER\npriority 100\nnopreempt\npreempt_delay 3\n${VIP}`)
    + inst('C', `interface eth0\nvirtual_router_id 3\nstate BACKUP\nnopreempt\npreempt_delay 3\n${VIP}`),
  );
  assert.deepEqual(diags(r), [
    '-: (A) nopreempt is incompatible with priority 255. resetting nopreempt',
    '-: (B) Warning - nopreempt will not work with initial state MASTER - clearing',
    '-: (B) Warning - preempt delay will not work with initial state MASTER - clearing',
    '-: (C) preempt_delay is incompatible with nopreempt mode - resetting',
  ]);
  assert.equal(instance(r, 'A').nopreempt, false);
  assert.equal(instance(r, 'B').nopreempt, false);
  assert.equal(instance(r, 'C').nopreempt, true);
  assert.equal(instance(r, 'C').preemptDelayMs, 0);
});

test('an instance without VIPs is sensible to fix in VRRPv2 and impossible in VRRPv3', () => {
  const r = parse(inst('A', 'interface eth0\nvirtual_router_id 1') + inst('B', 'interface eth0\nvirtual_router_id 2\nversion 3'));
  assert.deepEqual(diags(r), [
    '-: (A) No VIP specified; at least one is sensible',
    '-: (B) No VIP specified; at least one is required',
  ]);
});
