// unicast_src_ip / unicast_peer written with a prefix length or a range, as published
// configs do: keepalived 2.2.7 (inet_stosockaddr) drops everything from the first '/' or
// '-' and accepts the line; so does halb. A word that is no address even then is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, instance, parse } from './helpers.js';

test('unicast_src_ip 10.0.0.1/24 and unicast_peer { 10.0.0.2/24 } are the bare addresses', () => {
  const r = parse('vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n unicast_src_ip 192.0.2.1/24\n'
    + ' unicast_peer {\n  192.0.2.2/24\n  192.0.2.3-9\n  2001:db8::4/64\n }\n virtual_ipaddress {\n  192.0.2.10\n }\n}\n');
  const v = instance(r, 'VI_1');
  assert.equal(v.srcIp, '192.0.2.1');
  assert.deepEqual(v.unicastPeers.map((p) => p.address), ['192.0.2.2', '192.0.2.3']);
  assert.deepEqual(diags(r), [
    '9: Configuration error: VRRP instance[VI_1] and unicast peer address[2001:db8::4] MUST be of the same family !!! Skipping...',
  ]);
});

test('a word that is no address once the mask is dropped is still refused', () => {
  const r = parse('vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n unicast_src_ip x/24\n virtual_ipaddress {\n  192.0.2.10\n }\n}\n');
  assert.deepEqual(diags(r).filter((d) => d.startsWith('4:')), ['4: Configuration error: VRRP instance[VI_1] malformed src address[x/24]. Skipping...']);
});
