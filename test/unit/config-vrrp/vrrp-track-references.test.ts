import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, inst, instance, parse } from './helpers.js';

const SEC = 'global_defs {\n enable_script_security\n}\n';
const VIP = 'virtual_ipaddress {\n 192.168.1.100\n}';
const SCRIPT = 'vrrp_script chk_nginx {\n script "/usr/bin/pgrep nginx"\n interval 2\n weight -20\n fall 3\n}\n';

test('a track_script naming an undefined vrrp_script is ignored at its line', () => {
  const r = parse(SEC + inst('VI_1', `interface eth0\nvirtual_router_id 1\ntrack_script {\n chk_x\n}\n${VIP}`));
  assert.deepEqual(diags(r), ['8: (VI_1) track script chk_x not found, ignoring...']);
  assert.deepEqual(instance(r, 'VI_1').track.scripts, []);
});

test('a vrrp_script defined after the instance is not found either, as in keepalived', () => {
  const r = parse(SEC + inst('VI_1', `interface eth0\nvirtual_router_id 1\ntrack_script {\n chk_nginx\n}\n${VIP}`) + SCRIPT);
  assert.deepEqual(diags(r), ['8: (VI_1) track script chk_nginx not found, ignoring...']);
});

test('a reference takes the script\'s weight unless it gives its own; ±254 becomes ±253', () => {
  const r = parse(SEC + SCRIPT + 'vrrp_script chk_b {\n script /bin/true\n}\n'
    + inst('VI_1', `interface eth0\nvirtual_router_id 1\ntrack_script {\n chk_nginx\n chk_b weight 254 reverse\n chk_nginx\n}\n${VIP}`));
  assert.deepEqual(diags(r), [
    '18: (VI_1) weight for chk_b cannot be +/-254. Setting to +/-253',
    '19: (VI_1) duplicate track_script chk_nginx - ignoring',
  ]);
  assert.deepEqual(instance(r, 'VI_1').track.scripts.map(({ name, weight, reverse }) => ({ name, weight, reverse })), [
    { name: 'chk_nginx', weight: -20, reverse: false },
    { name: 'chk_b', weight: 253, reverse: true },
  ]);
});

test('track_interface, track_file and track_bfd lines with their weights and errors', () => {
  const r = parse(SEC + 'track_file tf {\n file /run/tf\n}\nbfd_instance b1 {\n neighbor_ip 192.168.1.2\n weight 7\n}\n'
    + inst('VI_1', 'interface eth0\nvirtual_router_id 1\n'
      + 'track_interface {\n eth1 weight 10\n eth2 weight\n eth3 bogus 1\n}\n'
      + 'track_file {\n tf weight 3 foo\n tf\n}\n'
      + `track_bfd {\n b1\n bx\n}\n${VIP}`));
  assert.deepEqual(diags(r), [
    '16: (VI_1) weight without value specified for track_interface eth2 - ignoring',
    '17: (VI_1) unknown track_interface eth3 option bogus - ignoring',
    '20: (VI_1) unknown track file tf weight option foo - ignoring',
    '25: (VI_1) track bfd bx not found, ignoring...',
  ]);
  const t = instance(r, 'VI_1').track;
  assert.deepEqual(t.interfaces.map((x) => [x.name, x.weight]), [['eth1', 10]]);
  assert.deepEqual(t.files.map((x) => [x.name, x.weight]), [['tf', 1]]);
  assert.deepEqual(t.bfds.map((x) => [x.name, x.weight]), [['b1', 7]]);
});

test('an address owner and an instance in a sync group lose their weighted trackers', () => {
  const r = parse(SEC + SCRIPT
    + 'vrrp_sync_group G {\n group {\n A\n B\n }\n}\n'
    + inst('A', `interface eth0\nvirtual_router_id 1\ntrack_script {\n chk_nginx\n}\ntrack_interface {\n eth1 weight 5\n}\n${VIP}`)
    + inst('B', `interface eth0\nvirtual_router_id 2\n${VIP}`)
    + inst('O', `interface eth0\nvirtual_router_id 3\npriority 255\ntrack_script {\n chk_nginx\n}\n${VIP}`));
  assert.deepEqual(diags(r), [
    '-: (A) ignoring eth1 tracked interface weight due to SYNC group',
    '-: (A) ignoring tracked script chk_nginx with weights due to SYNC group',
    '-: (O) ignoring tracked script chk_nginx with weights due to address_owner',
  ]);
  assert.deepEqual(instance(r, 'A').track.interfaces.map((x) => x.weight), [0]);
  assert.deepEqual(instance(r, 'A').track.scripts, []);
  assert.deepEqual(instance(r, 'O').track.scripts, []);
});
