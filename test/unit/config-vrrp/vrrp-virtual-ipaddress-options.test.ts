import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, inst, instance, parse } from './helpers.js';

const wrap = (lines: string): string => inst('VI_1', `interface eth0\nvirtual_router_id 1\nvirtual_ipaddress {\n${lines}\n}`);

test('per-address options are read into the model', () => {
  const r = parse(wrap([
    '192.168.1.100/24 brd 192.168.1.255 dev eth1 scope link label eth1:vip',
    '192.168.1.101 peer 192.168.1.9 home -nodad noprefixroute no_track preferred_lft 30 use_vmac',
    '192.168.1.102/24 brd + autojoin mngtmpaddr',
    '192.168.1.103/28 brd -',
  ].join('\n')));
  assert.deepEqual(diags(r), []);
  const [a, b, c, d] = instance(r, 'VI_1').vips;
  assert.deepEqual(
    { addr: a?.address, len: a?.prefixLength, brd: a?.broadcast, dev: a?.device, scope: a?.scope, label: a?.label },
    { addr: '192.168.1.100', len: 24, brd: '192.168.1.255', dev: 'eth1', scope: 253, label: 'eth1:vip' },
  );
  assert.deepEqual(
    { peer: b?.peer, home: b?.home, noDad: b?.noDad, npr: b?.noPrefixRoute, noTrack: b?.noTrack, lft: b?.preferredLft, vmac: b?.useVmac },
    { peer: '192.168.1.9', home: true, noDad: true, npr: true, noTrack: true, lft: 30, vmac: true },
  );
  assert.equal(c?.broadcast, '192.168.1.255');
  assert.equal(c?.autoJoin, true);
  assert.equal(c?.manageTempAddr, true);
  assert.equal(d?.broadcast, '192.168.1.96');
});

test('the one-line form `virtual_ipaddress { a b }` makes b an unknown option of a', () => {
  const r = parse(inst('VI_1', 'interface eth0\nvirtual_router_id 1\nvirtual_ipaddress { 192.168.1.1 192.168.1.2 }'));
  assert.deepEqual(diags(r), ["4: Unknown configuration entry '192.168.1.2' for ip address - ignoring"]);
  assert.deepEqual(instance(r, 'VI_1').vips.map((v) => v.address), ['192.168.1.1']);
});

test('invalid addresses, prefixes and options are reported as keepalived reports them', () => {
  const r = parse(wrap([
    '192.168.1.300',
    '192.168.1.1/33',
    '192.168.1.2 scope bogus',
    '192.168.1.3 brd',
    '192.168.1.4/24 peer 192.168.1.9',
    'fe80::1',
    '192.168.1.5 label averyveryverylonglabel',
    '192.168.1.6 dev eth0 dev eth1',
  ].join('\n')));
  assert.deepEqual(diags(r), [
    '5: VRRP parsed invalid IP 192.168.1.300. skipping IP...',
    "6: number '33' outside range [0, 32]",
    '6: Invalid address prefix len 33 for address 192.168.1.1/33 - using 32',
    "7: Invalid scope 'bogus' specified for 192.168.1.2 - ignoring",
    '8: No brd parameter specified for 192.168.1.3',
    '9: Cannot specify address prefix when specifying peer address - ignoring',
    '10: (VI_1): address family must match VRRP instance [fe80::1] - ignoring',
    '11: Address label averyveryverylonglabel is longer than maximum length 15 - removing address',
    '12: Cannot specify ipaddress device more than once for 192.168.1.6',
  ]);
  assert.deepEqual(instance(r, 'VI_1').vips.map((v) => `${v.address}/${v.prefixLength}`), [
    '192.168.1.1/32', '192.168.1.2/32', '192.168.1.4/32',
  ]);
});

test('virtual_ipaddress_excluded may mix families; IPv6 refuses scope and label', () => {
  const r = parse(inst('VI_1', 'interface eth0\nvirtual_router_id 1\nvirtual_ipaddress {\n 192.168.1.1\n}\n'
    + 'virtual_ipaddress_excluded {\n 2001:db8::1/64 scope link label x\n 10.0.0.1\n}'));
  assert.deepEqual(diags(r), [
    '8: Cannot specify scope for IPv6 addresses (2001:db8::1/64) - ignoring scope',
    '8: Cannot specify label for IPv6 addresses (2001:db8::1/64) - ignoring label',
  ]);
  assert.deepEqual(instance(r, 'VI_1').evips.map((v) => v.address), ['2001:db8::1', '10.0.0.1']);
});
