// The rtnetlink codec: an address request compared with bytes written out by hand from
// rtnetlink(7) (as `ip addr add 192.0.2.200/24 brd 192.0.2.255 label eth0:1 dev <2>`
// sends it), decoding of what the kernel sends back, and route/rule headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IFA_F, NLM_F, NLMSG, RTM, decodeAddress, decodeLink, encodeAddress, nla, nlaStr, nlaU32, nlMessage, parseAttrs,
  parseError, parseMessages,
} from '../../../src/sys/netlink-codec.js';
import { encodeRoute, encodeRule, RTA, FRA } from '../../../src/sys/netlink-route.js';
import type { IpRoute, IpRule } from '../../../src/config/model/ip.js';

const pos = { file: 'x.conf', line: 1, col: 1 } as never;

test('RTM_NEWADDR matches the hand-built bytes', () => {
  const got = encodeAddress(RTM.NEWADDR, NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL, 1, {
    family: 4, ifindex: 2, address: '192.0.2.200', prefixLength: 24, broadcast: '192.0.2.255', label: 'eth0:1',
  });
  const want = [
    '3c000000', '1400', '0506', '01000000', '00000000', // nlmsghdr: len 60, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE, seq 1
    '02', '18', '00', '00', '02000000', // ifaddrmsg: AF_INET, /24, flags 0, scope universe, ifindex 2
    '0800', '0200', 'c00002c8', // IFA_LOCAL
    '0800', '0100', 'c00002c8', // IFA_ADDRESS
    '0800', '0400', 'c00002ff', // IFA_BROADCAST
    '0b00', '0300', '657468303a3100', '00', // IFA_LABEL "eth0:1\0" + 1 byte of padding
  ].join('');
  assert.equal(got.toString('hex'), want);
});

test('IPv6 flags above 8 bits go in IFA_FLAGS; a preferred lifetime in IFA_CACHEINFO', () => {
  const m = parseMessages(encodeAddress(RTM.NEWADDR, NLM_F.REQUEST, 7, {
    family: 6, ifindex: 3, address: '2001:db8::1', prefixLength: 64, flags: IFA_F.NODAD | IFA_F.NOPREFIXROUTE, preferredLft: 0,
  }))[0]!;
  assert.equal(m.body[2], IFA_F.NODAD, 'the low 8 bits in ifa_flags');
  const attrs = parseAttrs(m.body, 8);
  assert.equal(attrs.find((a) => a.type === 8)!.value.readUInt32LE(0), IFA_F.NODAD | IFA_F.NOPREFIXROUTE);
  const ci = attrs.find((a) => a.type === 6)!.value;
  assert.equal(ci.readUInt32LE(0), 0);
  assert.equal(ci.readUInt32LE(4), 0xffffffff);
  const back = decodeAddress(m.body)!;
  assert.deepEqual([back.family, back.address, back.prefixLength, back.ifindex], [6, '2001:db8::1', 64, 3]);
});

test('kernel messages decode: addresses, links, errors, several messages in one datagram', () => {
  const ifa = Buffer.from([2, 24, 0x80, 0, 5, 0, 0, 0]);
  const addr = nlMessage(RTM.NEWADDR, NLM_F.MULTI, 9, ifa, [nla(2, Buffer.from([192, 0, 2, 1])), nlaStr(3, 'eth0')]);
  const ifi = Buffer.alloc(16);
  ifi.writeInt32LE(5, 4);
  ifi.writeUInt32LE(0x1 | 0x40 | 0x1000, 8);
  const link = nlMessage(RTM.NEWLINK, NLM_F.MULTI, 9, ifi, [nlaStr(3, 'eth0'), nla(1, Buffer.from([2, 0, 0, 0, 0, 1])), nlaU32(4, 1500)]);
  const err = nlMessage(NLMSG.ERROR, 0, 9, Buffer.from([0xef, 0xff, 0xff, 0xff]));
  const msgs = parseMessages(Buffer.concat([addr, link, err, Buffer.from([1, 2, 3])]));
  assert.equal(msgs.length, 3, 'a truncated tail is ignored');
  assert.deepEqual(decodeAddress(msgs[0]!.body), { family: 4, prefixLength: 24, flags: 0x80, scope: 0, ifindex: 5, address: '192.0.2.1', label: 'eth0' });
  assert.deepEqual(decodeLink(msgs[1]!.body), { ifindex: 5, name: 'eth0', flags: 0x1041, mac: '02:00:00:00:00:01', mtu: 1500, up: true });
  assert.deepEqual(parseError(msgs[2]!.body), { errno: 17, code: 'EEXIST' });
  assert.equal(decodeAddress(Buffer.from([7, 0, 0])), undefined);
});

test('routes: on-link scope without a gateway, table in RTA_TABLE, multipath; rules: selectors and action', () => {
  const route: IpRoute = {
    pos, family: 4, type: 'unicast', destination: '198.51.100.0/24', via: '192.0.2.254', table: 100, metric: 10,
    metrics: { mtu: '1400' }, locked: [], nexthops: [], onlink: false, noTrack: false,
  };
  const r = parseMessages(encodeRoute(RTM.NEWROUTE, NLM_F.REQUEST, 1, route, () => 4))[0]!;
  assert.deepEqual([...r.body.subarray(0, 8)], [2, 24, 0, 0, 100, 3, 0, 1]);
  const attrs = new Map(parseAttrs(r.body, 12).map((a) => [a.type, a.value]));
  assert.equal(attrs.get(RTA.GATEWAY)!.toString('hex'), 'c00002fe');
  assert.equal(attrs.get(RTA.TABLE)!.readUInt32LE(0), 100);
  assert.equal(attrs.get(RTA.PRIORITY)!.readUInt32LE(0), 10);
  const onlink = parseMessages(encodeRoute(RTM.NEWROUTE, NLM_F.REQUEST, 1, { ...route, via: undefined, device: 'eth0', table: 254 }, () => 4))[0]!;
  assert.equal(onlink.body[6], 253, 'scope link without a gateway');
  assert.equal(new Map(parseAttrs(onlink.body, 12).map((a) => [a.type, a.value])).get(RTA.OIF)!.readUInt32LE(0), 4);
  const mp = parseMessages(encodeRoute(RTM.NEWROUTE, NLM_F.REQUEST, 1, { ...route, via: undefined, nexthops: [
    { via: '192.0.2.1', weight: 2, onlink: false }, { via: '192.0.2.2', onlink: true },
  ] }, () => 4))[0]!;
  const hops = new Map(parseAttrs(mp.body, 12).map((a) => [a.type, a.value])).get(RTA.MULTIPATH)!;
  assert.equal(hops.readUInt16LE(0), 16);
  assert.equal(hops[3], 1, 'weight 2 is stored as 1');
  assert.equal(hops[16 + 2], 4, 'RTNH_F_ONLINK');

  const rule: IpRule = { pos, family: 4, from: '192.0.2.240/32', invert: true, priority: 100, action: 'table', table: 100, fwmark: 7, l3mdev: false, noTrack: false };
  const m = parseMessages(encodeRule(RTM.NEWRULE, NLM_F.REQUEST, 1, rule))[0]!;
  assert.deepEqual([...m.body.subarray(0, 8)], [2, 0, 32, 0, 100, 0, 0, 1]);
  assert.equal(m.body.readUInt32LE(8), 2, 'FIB_RULE_INVERT');
  const ra = new Map(parseAttrs(m.body, 12).map((a) => [a.type, a.value]));
  assert.equal(ra.get(FRA.SRC)!.toString('hex'), 'c00002f0');
  assert.equal(ra.get(FRA.PRIORITY)!.readUInt32LE(0), 100);
  assert.equal(ra.get(FRA.FWMARK)!.readUInt32LE(0), 7);
  assert.throws(() => encodeRule(RTM.NEWRULE, 0, 1, { ...rule, ipProto: 'tcp' }), /not supported/);
});
