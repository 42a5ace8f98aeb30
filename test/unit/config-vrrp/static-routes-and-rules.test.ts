import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, inst, instance, parse } from './helpers.js';

test('static addresses, routes and rules are read into the model', () => {
  const r = parse(`track_group TG {
 group {
  VI_1
 }
}
static_ipaddress {
 10.9.1.1/24 dev eth0 scope link track_group TG
}
static_routes {
 10.9.2.0/24 via 10.9.0.2 dev eth0 table 100 metric 5 mtu lock 1400
 default via 10.9.0.1 dev eth0 protocol keepalived
 10.9.3.0/24 no_track nexthop via 10.9.0.2 dev eth0 weight 2 nexthop via 10.9.0.3 dev eth1
}
static_rules {
 from 10.9.0.0/24 table 100 preference 10
 to 2001:db8::/32 lookup main priority 20 no_track
}
`);
  assert.deepEqual(diags(r), []);
  const [a] = r.config.staticAddresses;
  assert.deepEqual({ addr: a?.address, len: a?.prefixLength, dev: a?.device, scope: a?.scope, tg: a?.trackGroup }, { addr: '10.9.1.1', len: 24, dev: 'eth0', scope: 253, tg: 'TG' });
  const [r1, r2, r3] = r.config.staticRoutes;
  assert.deepEqual(
    { dst: r1?.destination, via: r1?.via, dev: r1?.device, table: r1?.table, metric: r1?.metric, mtu: r1?.metrics['mtu'], locked: r1?.locked, proto: r1?.protocol },
    { dst: '10.9.2.0/24', via: '10.9.0.2', dev: 'eth0', table: 100, metric: 5, mtu: '1400', locked: ['mtu'], proto: 18 },
  );
  assert.equal(r2?.destination, 'default');
  assert.equal(r2?.table, 254);
  assert.deepEqual(r3?.nexthops, [{ via: '10.9.0.2', device: 'eth0', weight: 2, onlink: false }, { via: '10.9.0.3', device: 'eth1', onlink: false }]);
  const [u1, u2] = r.config.staticRules;
  assert.deepEqual({ from: u1?.from, table: u1?.table, prio: u1?.priority, action: u1?.action, fam: u1?.family }, { from: '10.9.0.0/24', table: 100, prio: 10, action: 'table', fam: 4 });
  assert.deepEqual({ to: u2?.to, table: u2?.table, prio: u2?.priority, fam: u2?.family, noTrack: u2?.noTrack }, { to: '2001:db8::/32', table: 254, prio: 20, fam: 6, noTrack: true });
});

test('route and rule errors are keepalived\'s; rules without preference count down from 16384 per family', () => {
  const r = parse(`static_routes {
 blackhole 10.9.4.0/24
 10.9.5.0/24 bogus 3
 10.9.6.0/24 via 2001:db8::1 dev eth0
}
static_rules {
 to 10.9.7.0/24 table 100
 from 1.2.3 table 5
 from 10.0.0.0/8 goto 5
}
${inst('VI_1', 'interface eth0\nvirtual_router_id 1\nvirtual_ipaddress {\n 10.0.0.1\n}\nvirtual_rules {\n from 10.0.0.1 table 200 no_track\n}')}`);
  assert.deepEqual(diags(r), [
    '2: Warning - cannot track route 10.9.4.0/24 with no interface specified, not tracking',
    '3: VRRP parsed invalid IP bogus. skipping IP...',
    '3: unknown route keyword bogus',
    '4: Cannot mix IPv4 and IPv6 addresses for route',
    '7: Rule has no preference specified - setting to 16384. This is probably not what you want.',
    '8: VRRP parsed invalid IP 1.2.3. skipping IP...',
    '8: Invalid rule from address 1.2.3',
    '9: Invalid rule - goto target 5 specified without preference',
    '18: Rule has no preference specified - setting to 16383. This is probably not what you want.',
  ]);
  assert.equal(r.config.staticRoutes.length, 1);
  assert.equal(r.config.staticRoutes[0]?.type, 'blackhole');
  assert.equal(r.config.staticRoutes[0]?.noTrack, true);
  assert.equal(instance(r, 'VI_1').virtualRules[0]?.priority, 16383);
});
