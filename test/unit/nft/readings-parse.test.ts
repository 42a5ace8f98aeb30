// readings.ts and observe.ts: conntrack lines and `nft -j list` output as the kernel
// prints them (captured on this kernel), and the ipvsadm numbers made from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionsOf, ipvsState, observe } from '../../../src/dataplane/nft/observe.js';
import { planNft } from '../../../src/dataplane/nft/plan.js';
import { parseConntrack, parseListing } from '../../../src/dataplane/nft/readings.js';
import { ROUTES, rs, state, svc } from './fixture.js';

const CONNTRACK = `ipv4     2 tcp      6 117 TIME_WAIT src=198.51.100.10 dst=203.0.113.10 sport=41607 dport=80 src=192.0.2.11 dst=198.51.100.10 sport=80 dport=41607 [ASSURED] mark=0 zone=0 use=2
ipv4     2 tcp      6 431999 ESTABLISHED src=198.51.100.10 dst=203.0.113.10 sport=41610 dport=80 src=192.0.2.12 dst=198.51.100.10 sport=80 dport=41610 [ASSURED] mark=0 zone=0 use=2
ipv4     2 tcp      6 431998 ESTABLISHED src=198.51.100.11 dst=203.0.113.10 sport=41611 dport=80 src=192.0.2.12 dst=198.51.100.11 sport=80 dport=41611 [ASSURED] mark=0 zone=0 use=2
ipv4     2 tcp      6 59 SYN_SENT src=198.51.100.10 dst=192.0.2.11 sport=5000 dport=80 [UNREPLIED] src=192.0.2.11 dst=198.51.100.10 sport=80 dport=5000 mark=0 zone=0 use=2
ipv6     10 udp      17 29 src=2001:0db8:0000:0000:0000:0000:0000:0100 dst=2001:0db8:0000:0000:0000:0000:0000:0050 sport=5353 dport=53 [UNREPLIED] src=2001:0db8:0000:0000:0000:0000:0000:0011 dst=2001:0db8:0000:0000:0000:0000:0000:0100 sport=53 dport=5353 mark=0 zone=0 use=2
ipv4     2 icmp     1 29 src=192.0.2.1 dst=192.0.2.11 type=8 code=0 id=7 src=192.0.2.11 dst=192.0.2.1 type=0 code=0 id=7 mark=0 use=1
`;

test('conntrack lines: tuples, states, canonical IPv6; lines without ports skipped', () => {
  const e = parseConntrack(CONNTRACK);
  assert.equal(e.length, 5);
  assert.deepEqual(e[0], {
    family: 4, protocol: 'TCP', timeoutS: 117, state: 'TIME_WAIT',
    original: { src: '198.51.100.10', dst: '203.0.113.10', sport: 41607, dport: 80 },
    reply: { src: '192.0.2.11', dst: '198.51.100.10', sport: 80, dport: 41607 },
  });
  assert.deepEqual([e[4]!.family, e[4]!.protocol, e[4]!.state, e[4]!.original.dst, e[4]!.reply.src], [6, 'UDP', undefined, '2001:db8::50', '2001:db8::11']);
  assert.deepEqual(e.map(ipvsState), ['CLOSE', 'ESTABLISHED', 'ESTABLISHED', 'SYN_RECV', 'UDP']);
});

const LISTING = JSON.parse(`{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
 {"counter": {"family": "netdev", "name": "conn_s1_r1", "table": "halb", "handle": 2, "packets": 6, "bytes": 360}},
 {"counter": {"family": "netdev", "name": "in_s1_r1", "table": "halb", "handle": 3, "packets": 40, "bytes": 2480}},
 {"counter": {"family": "netdev", "name": "out_s1", "table": "halb", "handle": 1, "packets": 0, "bytes": 0}},
 {"set": {"family": "netdev", "name": "f_s1_r1", "table": "halb", "type": ["ipv4_addr", "inet_service"], "handle": 10, "size": 262144, "flags": ["timeout"], "timeout": 900,
   "elem": [{"elem": {"val": {"concat": ["192.0.2.100", 5555]}, "timeout": 120, "expires": 99}}, {"elem": {"val": {"concat": ["192.0.2.100", 5556]}, "expires": 880}}]}},
 {"set": {"family": "netdev", "name": "c_s1", "table": "halb", "type": ["ipv4_addr", "inet_service"], "handle": 12, "size": 262144, "flags": ["timeout"], "timeout": 120,
   "elem": [{"elem": {"val": {"concat": ["192.0.2.100", 5555]}, "expires": 99}}]}},
 {"set": {"family": "netdev", "name": "p_s1_r1", "table": "halb", "type": "ipv4_addr", "handle": 11, "size": 65536, "flags": ["timeout"], "timeout": 60, "elem": [{"elem": {"val": "192.0.2.100", "expires": 59}}]}}]}`) as { nftables: Record<string, unknown>[] };

test('nft listing: named counters and set elements with their expiry', () => {
  const r = parseListing(LISTING.nftables);
  assert.deepEqual(r.counters.get('in_s1_r1'), { packets: 40, bytes: 2480 });
  assert.deepEqual(r.sets.get('f_s1_r1'), [{ key: ['192.0.2.100', 5555], expiresS: 99 }, { key: ['192.0.2.100', 5556], expiresS: 880 }]);
  assert.deepEqual(r.sets.get('p_s1_r1'), [{ key: '192.0.2.100', expiresS: 59 }]);
});

test('observe: NAT counts from conntrack (ESTABLISHED active, the rest inactive); DR from the flow sets', () => {
  const nat = planNft(undefined, state(svc()), { now: 0 });
  const o = observe(nat.services, { counters: new Map(), sets: new Map() }, parseConntrack(CONNTRACK)).get('TCP:203.0.113.10:80')!;
  assert.deepEqual([o.rs.get('192.0.2.11:80')!.active, o.rs.get('192.0.2.11:80')!.inactive], [0, 1]);
  assert.deepEqual([o.rs.get('192.0.2.12:80')!.active, o.rs.get('192.0.2.12:80')!.inactive], [2, 0]);

  const drPlan = planNft(undefined, state(svc({ address: '192.0.2.50', forwarding: 'DR', persistence: { timeoutMs: 60_000 }, realServers: [rs('192.0.2.11')] })), { now: 0, routes: ROUTES });
  const reading = parseListing(LISTING.nftables);
  const d = observe(drPlan.services, reading).get('TCP:192.0.2.50:80')!;
  assert.deepEqual(d.rs.get('192.0.2.11:80'), { active: 1, inactive: 1, persist: 1, conns: 6, inPkts: 40, inBytes: 2480, outPkts: 0, outBytes: 0 });
  assert.deepEqual(d.repliesSeen, { packets: 0, bytes: 0 });
  const conns = connectionsOf(drPlan.services, reading);
  assert.deepEqual(conns.map((c) => [c.state, c.clientPort, c.expiresInMs]), [['FIN_WAIT', 5555, 99_000], ['ESTABLISHED', 5556, 880_000], ['NONE', 0, 59_000]]);
});
