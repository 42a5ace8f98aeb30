// --ecmp lab topology (pure): a router host on the bridge, the client in its own subnet,
// no gateway VIP, the router's namespace recognised as the lab's; options it cannot run
// are refused with a reason; the router's BIRD config installs every director's path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTopology, DEFAULT_OPTIONS, isLabNamespace, namespacesOf, validateOptions } from '../../../src/lab/topology.js';
import { ecmpDirectorConfig, routerBirdConfig } from '../../../src/lab/ecmp.js';

const ecmp = { ...DEFAULT_OPTIONS, name: 'x', directors: 3, ecmp: true, mode: 'dr' as const, dataplane: 'nft' as const };

test('an --ecmp topology has a router, a client behind it and no gateway VIP', () => {
  const t = buildTopology(ecmp);
  assert.deepEqual(t.router?.addresses, ['192.0.2.1/25', '192.0.2.129/25', '198.51.100.1/24']);
  assert.deepEqual(t.client.addresses, ['198.51.100.10/24']);
  assert.equal(t.gatewayVip, undefined);
  assert.ok(namespacesOf(t).includes('hlab-x-router'));
  assert.equal(isLabNamespace('hlab-x-router', 'x'), true);
  assert.equal(buildTopology({ ...DEFAULT_OPTIONS }).router, undefined, 'no router without --ecmp');
});

test('--ecmp refuses kernel NAT and a keepalived peer, with the reason', () => {
  assert.match(validateOptions({ ...ecmp, mode: 'nat', dataplane: 'nft' }) ?? '', /--ecmp with --mode nat needs the proxy dataplane/);
  assert.match(validateOptions({ ...ecmp, peer: 'keepalived' }) ?? '', /no VRRP/);
  assert.equal(validateOptions({ ...ecmp, mode: 'nat', dataplane: 'proxy' }), undefined);
});

test('router BIRD config: one BFD-backed session per director, multipath into the kernel; directors run mh with halb_bgp', () => {
  const t = buildTopology(ecmp);
  const r = routerBirdConfig(t);
  assert.match(r, /merge paths on;/);
  assert.equal([...r.matchAll(/protocol bgp dir\d/g)].length, 3);
  assert.match(r, /neighbor 192\.0\.2\.4 as 65001;/);
  const d = ecmpDirectorConfig(t, t.directors[1]!, 1);
  assert.match(d, /halb_bgp \{\n {4}local_as 65001\n {4}router_id 192\.0\.2\.3\n/);
  assert.match(d, /lb_algo mh\n {4}mh-port\n {4}lb_kind DR/);
  assert.doesNotMatch(d, /vrrp_instance/);
});
