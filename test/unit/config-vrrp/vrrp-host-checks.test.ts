import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, HOST, inst, instance, parse } from './helpers.js';

const VIP = 'virtual_ipaddress {\n 192.168.1.100\n}';

test('without a host description nothing is checked against interfaces', () => {
  const r = parse(inst('VI_1', `interface nosuch\nvirtual_router_id 1\n${VIP}`));
  assert.deepEqual(r.diagnostics, []);
});

test('unknown interfaces are reported where they are named, then once without a line', () => {
  const r = parse('garp_group {\n garp_interval 0.01\n interface nosuch2\n}\n'
    + inst('VI_1', 'interface nosuch\nvirtual_router_id 1\ntrack_interface {\n nosuch3\n}\n'
      + 'virtual_ipaddress {\n 192.168.1.100 dev nosuch4\n 192.168.1.101\n}'), { host: HOST });
  assert.deepEqual(diags(r), [
    "6: WARNING - interface nosuch for vrrp_instance VI_1 doesn't exist",
    "12: WARNING - interface nosuch4 for ip address 192.168.1.100 doesn't exist",
    "9: (VI_1) tracked interface nosuch3 doesn't exist",
    "3: WARNING - interface nosuch2 specified for garp_group doesn't exist",
    '-: Non-existent interface specified in configuration',
  ]);
  assert.deepEqual(instance(r, 'VI_1').vips.map((v) => v.address), ['192.168.1.101']);
});

test('dynamic_interfaces allows interfaces that do not exist yet', () => {
  const r = parse(`global_defs {\n dynamic_interfaces\n}\n${inst('VI_1', `interface nosuch\nvirtual_router_id 1\n${VIP}`)}`, { host: HOST });
  assert.deepEqual(diags(r), []);
});

test('a loopback interface other than lo is refused when the host says it is one', () => {
  const r = parse(inst('VI_1', `interface dummy0\nvirtual_router_id 1\n${VIP}`), { host: HOST });
  assert.deepEqual(diags(r), [
    '2: (VI_1) cannot use a loopback interface (dummy0) for vrrp - ignoring',
    '-: (VI_1) Unknown interface!',
  ]);
});

test('a VIP outside every subnet of its interface is a warning', () => {
  const r = parse(inst('VI_1', 'interface eth0\nvirtual_router_id 1\nvirtual_ipaddress {\n'
    + ' 192.168.1.100/24\n 10.9.9.9\n 10.1.2.3 dev eth1\n}\nvirtual_ipaddress_excluded {\n 2001:db8::100/64\n 2001:db9::1\n}'), { host: HOST });
  assert.deepEqual(diags(r), []);
  assert.deepEqual(diags(r, 'warning'), [
    '6: (VI_1) VIP 10.9.9.9 is outside every IPv4 subnet of interface eth0 (192.168.1.10/24)',
    '11: (VI_1) VIP 2001:db9::1 is outside every IPv6 subnet of interface eth0 (2001:db8::10/64)',
  ]);
});

test('unicast without `interface` finds the interface holding unicast_src_ip', () => {
  const r = parse(inst('VI_1', `unicast_src_ip 10.1.0.10\nunicast_peer {\n 10.1.0.11\n}\nvirtual_router_id 1\n${VIP.replace('192.168.1.100', '10.1.0.100')}`), { host: HOST });
  assert.deepEqual(diags(r), []);
  assert.equal(instance(r, 'VI_1').interface, 'eth1');
});
