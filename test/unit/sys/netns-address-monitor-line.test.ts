import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddressMonitorLine } from '../../../src/sys/netns.js';

test('ip -o monitor address: added and deleted IPv4 and IPv6 addresses', () => {
  assert.deepEqual(parseAddressMonitorLine('2: eth0    inet 192.0.2.100/32 scope global eth0\\       valid_lft forever preferred_lft forever'),
    { deleted: false, ifname: 'eth0', address: '192.0.2.100', prefix: 32 });
  assert.deepEqual(parseAddressMonitorLine('Deleted 2: eth0    inet 192.0.2.100/32 scope global eth0\\       valid_lft forever preferred_lft forever'),
    { deleted: true, ifname: 'eth0', address: '192.0.2.100', prefix: 32 });
  assert.deepEqual(parseAddressMonitorLine('3: veth1    inet6 2001:db8::1/64 scope global \\       valid_lft forever preferred_lft forever'),
    { deleted: false, ifname: 'veth1', address: '2001:db8::1', prefix: 64 });
});

test('other monitor lines are not address events', () => {
  assert.equal(parseAddressMonitorLine(''), undefined);
  assert.equal(parseAddressMonitorLine('192.0.2.100 dev eth0 lladdr 16:56:e5:06:e3:67 REACHABLE'), undefined);
  assert.equal(parseAddressMonitorLine('2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500'), undefined);
});
