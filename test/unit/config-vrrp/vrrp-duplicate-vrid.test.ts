import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, inst, only, parse } from './helpers.js';

const v4 = 'virtual_ipaddress {\n 192.168.1.100\n}';
const v6 = 'virtual_ipaddress {\n fe80::100\n}';

test('two instances with one VRID on one interface and family are reported, without a line as keepalived does', () => {
  const r = parse(inst('VI_1', `interface eth0\nvirtual_router_id 51\n${v4}`) + inst('VI_2', `interface eth0\nvirtual_router_id 51\n${v4}`));
  const d = only(r, 'VI_1 and VI_2 both use VRID 51 with IPv4 on interface eth0');
  assert.equal(d.severity, 'error');
  assert.equal(d.line, undefined);
  assert.equal(d.file, undefined);
});

test('the same VRID is fine on another interface or in the other family', () => {
  const r = parse(
    inst('A', `interface eth0\nvirtual_router_id 51\n${v4}`)
    + inst('B', `interface eth1\nvirtual_router_id 51\n${v4}`)
    + inst('C', `interface eth0\nvirtual_router_id 51\n${v6}`),
  );
  assert.deepEqual(diags(r), []);
});

test('unicast instances with disjoint peers may share a VRID; overlapping peers may not', () => {
  const peers = (...a: string[]): string => `unicast_src_ip 192.168.1.10\nunicast_peer {\n${a.join('\n')}\n}`;
  const r = parse(
    inst('A', `interface eth0\nvirtual_router_id 9\n${peers('192.168.1.11')}\n${v4}`)
    + inst('B', `interface eth0\nvirtual_router_id 9\n${peers('192.168.1.12')}\n${v4}`)
    + inst('C', `interface eth0\nvirtual_router_id 9\n${peers('192.168.1.12', '192.168.1.13')}\n${v4}`),
  );
  assert.deepEqual(diags(r), ['-: B and C both use VRID 9 with IPv4 on interface eth0']);
});
