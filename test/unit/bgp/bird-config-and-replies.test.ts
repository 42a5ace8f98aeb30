// BIRD 2 as halb drives it: the generated bird.conf, and the control socket's replies
// (captured from BIRD 2.0.12) parsed into protocol rows; the router's next hops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../../src/config/index.js';
import { renderBirdConfig, renderStatic } from '../../../src/bgp/bird-config.js';
import { parseProtocols, parseReply } from '../../../src/bgp/bird-socket.js';
import { parseNextHops } from '../../../src/lab/ecmp.js';

test('bird.conf: static VIP routes, one session per neighbour exporting only them, BFD when asked, no kernel protocol', () => {
  const r = parseConfigText(`halb_bgp {
 local_as 65001
 router_id 192.0.2.2
 neighbor 192.0.2.1 as 65000 bfd password "p w"
 hold_time 6
 announce 192.0.2.100
}
virtual_server 192.0.2.100 80 {
 lb_algo mh
 protocol TCP
 real_server 192.0.2.141 80 {
 }
}`, '/k.conf');
  assert.ok(r.config.bgp !== undefined, JSON.stringify(r.diagnostics));
  const conf = renderBirdConfig(r.config.bgp, ['192.0.2.100/32']);
  assert.match(conf, /router id 192\.0\.2\.2;/);
  assert.match(conf, /protocol static halb_vips \{\n {2}ipv4;\n {2}route 192\.0\.2\.100\/32 blackhole;\n\}/);
  assert.match(conf, /protocol bgp halb_n_192_0_2_1 \{\n {2}local as 65001;\n {2}neighbor 192\.0\.2\.1 as 65000;\n {2}hold time 6;\n {2}keepalive time 1;/);
  assert.match(conf, /bfd on;/);
  assert.match(conf, /protocol bfd halb_bfd/);
  assert.match(conf, /password "p w";/);
  assert.match(conf, /export where proto = "halb_vips";/);
  assert.doesNotMatch(conf, /protocol kernel/);
  assert.doesNotMatch(renderStatic([]), /route/);
});

test('control socket replies: continuation lines, the final line, errors', () => {
  const text = '2002-Name       Proto      Table      State  Since         Info\n' +
    '1002-device1    Device     ---        up     2026-12-07 03:27:51  \n' +
    ' halb_vips  Static     master4    up     2026-12-07 03:27:51  \n' +
    ' halb_n_192_0_2_1 BGP        ---        start  2026-12-07 03:27:51  Active        Socket: Connection refused\n' +
    ' halb_n_192_0_2_9 BGP        ---        up     2026-12-07 03:27:56  Established   \n' +
    '0000 \n';
  const r = parseReply(text);
  assert.equal(r.done, true);
  assert.deepEqual(parseProtocols(r.reply).map((p) => [p.name, p.proto, p.state, p.info]), [
    ['device1', 'Device', 'up', ''],
    ['halb_vips', 'Static', 'up', ''],
    ['halb_n_192_0_2_1', 'BGP', 'start', 'Active Socket: Connection refused'],
    ['halb_n_192_0_2_9', 'BGP', 'up', 'Established'],
  ]);
  assert.equal(parseReply('0002-Reading configuration from /x\n').done, false);
  assert.equal(parseReply('0002-Reading configuration from /x\n8002 /x:3:1 syntax error\n').reply.code, 8002);
});

test('router next hops from ip -j route: multipath and single', () => {
  assert.deepEqual(parseNextHops('[{"dst":"192.0.2.100","nexthops":[{"gateway":"192.0.2.2","dev":"eth0"},{"gateway":"192.0.2.3","dev":"eth0"}]}]'),
    [{ via: '192.0.2.2', dev: 'eth0' }, { via: '192.0.2.3', dev: 'eth0' }]);
  assert.deepEqual(parseNextHops('[{"dst":"192.0.2.100","gateway":"192.0.2.4","dev":"eth0"}]'), [{ via: '192.0.2.4', dev: 'eth0' }]);
  assert.deepEqual(parseNextHops(''), []);
});
