// halb's own halb_bgp block: read into the model, its mistakes named by file:line, and a
// configuration without it unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic, parseConfigText } from '../../../src/config/index.js';

const VS = `virtual_server 192.0.2.100 80 {
    lb_algo mh
    lb_kind DR
    protocol TCP
    real_server 192.0.2.141 80 {
        weight 1
    }
}
`;

const msgs = (text: string): string[] => parseConfigText(text, '/k.conf').diagnostics.map(formatDiagnostic);

test('a full halb_bgp block is read into the model', () => {
  const r = parseConfigText(`halb_bgp {
    local_as 65001
    router_id 192.0.2.2
    neighbor 192.0.2.1 as 65000 bfd
    neighbor 2001:db8::1 as 4200000000 port 1179 source 2001:db8::2 password s3cret multihop 2
    hold_time 9
    keepalive_time 3
    bfd_interval 50
    bfd_multiplier 4
    announce 192.0.2.100
}
${VS}`, '/k.conf');
  assert.deepEqual(r.diagnostics, []);
  const b = r.config.bgp;
  assert.ok(b !== undefined);
  assert.equal(b.daemon, 'bird');
  assert.equal(b.localAs, 65001);
  assert.equal(b.routerId, '192.0.2.2');
  assert.equal(b.holdTimeS, 9);
  assert.equal(b.keepaliveS, 3);
  assert.equal(b.bfdIntervalMs, 50);
  assert.equal(b.bfdMultiplier, 4);
  assert.deepEqual(b.neighbors.map((n) => [n.address, n.remoteAs, n.port, n.bfd, n.source, n.password, n.multihop]), [
    ['192.0.2.1', 65000, 179, true, undefined, undefined, undefined],
    ['2001:db8::1', 4200000000, 1179, false, '2001:db8::2', 's3cret', 2],
  ]);
  assert.deepEqual(b.announces.map((a) => [a.address, a.require]), [['192.0.2.100', 'all']]);
});

test('no halb_bgp block: no BGP, and nothing else in the model changes', () => {
  const r = parseConfigText(VS, '/k.conf');
  assert.equal(r.config.bgp, undefined);
  assert.deepEqual(r.diagnostics, []);
});

test('malformed lines are named by file and line, and the block is dropped so the rest runs without BGP', () => {
  const text = `halb_bgp {
    local_as 70000000000
    router_id 2001:db8::1
    neighbor 192.0.2.1 65000
    neighbor nowhere as 1
    neighbor 192.0.2.9 as 1 colour blue
    hold_time 2
    announce 192.0.2.100 most
    daemon gobgp
}
${VS}`;
  const r = parseConfigText(text, '/k.conf');
  assert.deepEqual(r.diagnostics.map(formatDiagnostic), [
    "error: (/k.conf: Line 2) number '70000000000' outside range [1, 4294967295]",
    "error: (/k.conf: Line 3) router_id: expected an IPv4 address (BGP identifier), got '2001:db8::1'",
    "error: (/k.conf: Line 4) neighbor 192.0.2.1: unknown option '65000' (expected as, port, source, bfd, password, multihop)",
    "error: (/k.conf: Line 5) neighbor: expected the neighbour address (an IPv4 or IPv6 address), got 'nowhere'",
    "error: (/k.conf: Line 6) neighbor 192.0.2.9: unknown option 'colour' (expected as, port, source, bfd, password, multihop)",
    'error: (/k.conf: Line 7) hold_time 2: must be 0 or at least 3 seconds (RFC 4271)',
    "error: (/k.conf: Line 8) announce 192.0.2.100: expected 'all' or 'any' after the address, got 'most'",
    "error: (/k.conf: Line 9) daemon 'gobgp': expected bird (halb starts BIRD 2) or attach (a BIRD already running)",
    'error: (/k.conf: Line 1) halb_bgp: local_as is required',
    'error: (/k.conf: Line 1) halb_bgp: router_id is required (an IPv4 address)',
    'error: (/k.conf: Line 1) halb_bgp: no neighbor: give at least one `neighbor ADDR as N`',
    'error: (/k.conf: Line 1) halb_bgp: nothing to announce: give at least one `announce VIP`',
  ]);
  assert.equal(r.config.bgp, undefined);
  assert.equal(r.config.virtualServers.length, 1, 'the virtual server still runs');
});

test('an announced address needs a virtual_server; a non-consistent scheduler is warned about', () => {
  const base = 'halb_bgp {\n local_as 1\n router_id 192.0.2.2\n neighbor 192.0.2.1 as 2\n announce 192.0.2.7\n}\n';
  assert.deepEqual(msgs(base + VS), [
    'error: (/k.conf: Line 5) announce 192.0.2.7: no virtual_server on this address (its quorum decides the announcement) - ignoring',
  ]);
  assert.equal(parseConfigText(base + VS, '/k.conf').config.bgp, undefined);
  const rr = msgs(base.replace('192.0.2.7', '192.0.2.100') + VS.replace('lb_algo mh', 'lb_algo rr'));
  assert.equal(rr.length, 1);
  assert.match(rr[0] as string, /Line 7\) virtual server \[192\.0\.2\.100\]:tcp:80 is announced over BGP with lb_algo rr/);
});

test('attach mode needs the running daemon\'s socket and the include file; a second block is refused', () => {
  const attach = 'halb_bgp {\n daemon attach\n local_as 1\n router_id 192.0.2.2\n announce 192.0.2.100\n}\n';
  assert.deepEqual(msgs(attach + VS), [
    "error: (/k.conf: Line 1) halb_bgp: daemon attach needs control_socket (the running BIRD's) and include_file (included by its bird.conf)",
  ]);
  const ok = attach.replace(' daemon attach\n', ' daemon attach\n control_socket /run/bird/bird.ctl\n include_file /etc/bird/halb.conf\n');
  const r = parseConfigText(ok + ok + VS, '/k.conf');
  assert.deepEqual(r.diagnostics.map(formatDiagnostic), ['error: (/k.conf: Line 9) halb_bgp given twice - ignoring the second block']);
  assert.equal(r.config.bgp?.daemon, 'attach');
  assert.equal(r.config.bgp?.neighbors.length, 0);
});
