// virtual_server_group entries: addresses, last-octet / last-group ranges, full ranges,
// CIDR blocks and fwmarks, with keepalived 2.2.7's messages for each bad form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conf, parse } from './parse-helper.js';

test('entry forms and their expansion', () => {
  const r = parse(conf('virtual_server_group G {',
    '   192.0.2.1-10 80',
    '   192.0.2.0/24 80',
    '   2001:db8::1-1f 443',
    '   2001:db8::/120 443',
    '   192.0.2.1-192.0.2.5 81',
    '   192.0.2.4',
    '   192.0.2.4 0',
    '   fwmark 7 inet6',
    '   fwmark 9 inet',
    '}'));
  assert.deepEqual(r.lines, []);
  const g = r.config.virtualServerGroups[0]!;
  assert.equal(g.name, 'G');
  assert.deepEqual(g.entries.map((e) => (e.kind === 'range' ? [e.family, e.start, e.end, e.port] : [e.fwmark, e.family])), [
    [4, '192.0.2.1', '192.0.2.10', 80],
    [4, '192.0.2.0', '192.0.2.255', 80],
    [6, '2001:db8::1', '2001:db8::1f', 443],
    [6, '2001:db8::', '2001:db8::ff', 443],
    [4, '192.0.2.1', '192.0.2.5', 81],
    [4, '192.0.2.4', '192.0.2.4', 0],
    [4, '192.0.2.4', '192.0.2.4', 0],
    [7, 6],
    [9, 4],
  ]);
});

test('bad entries are skipped with keepalived\'s messages', () => {
  const r = parse(conf('virtual_server_group G1 {',
    '   192.0.2.20-19 80',
    '   192.0.2.1/24 80',
    '   2001:db8::10-f 443',
    '   192.0.2.9-192.0.2.5 81',
    '   fwmark 8 foo',
    '   fwmark -1',
    '   192.0.2.300 80',
    '   192.0.2.3 70000',
    '   192.0.2.1-300 80',
    '   192.0.2.1-x 80',
    '   2001:db8::1-10000 80',
    '   192.0.2.1/0 80',
    '   192.0.2.1/33 80',
    '   192.0.2.5-5 80',
    '   1.2.3',
    '}',
    'virtual_server_group EMPTY {',
    '}'));
  assert.deepEqual(r.lines, [
    '(Line 2) Address range end is not greater than address range start - 192.0.2.20-19 - skipping',
    '(Line 3) Address mask bits not empty - 192.0.2.1/24 - skipping',
    '(Line 4) Address range end is not greater than address range start - 2001:db8::10-f - skipping',
    '(Line 5) Address range end is less than address range start - 192.0.2.9-192.0.2.5 - skipping',
    "(Line 6) (G1): fwmark '8' family foo unknown - ignoring",
    "(Line 7) negative number '-1'",
    "(Line 7) (G1): fwmark '-1' must be in [0, 4294967295] - ignoring",
    '(Line 8) Invalid virtual server group IP address 192.0.2.300 /port/80 - skipping',
    "(Line 9) number '70000' outside range [1, 65535]",
    '(Line 9) Invalid virtual server group IP address 192.0.2.3 /port/70000 - skipping',
    "(Line 10) Virtual server group range '192.0.2.1-300' end '300' too large",
    "(Line 11) Virtual server group range '192.0.2.1-x' has extra characters at end 'x'",
    "(Line 12) Virtual server group range '2001:db8::1-10000' end '10000' too large",
    '(Line 13) Invalid netmask - 192.0.2.1/0 - skipping',
    '(Line 14) Invalid netmask - 192.0.2.1/33 - skipping',
    '(Line 15) Address range end is not greater than address range start - 192.0.2.5-5 - skipping',
    '(Line 16) Invalid virtual server group IP address 1.2.3  - skipping',
    '(Line 17) virtual server group G1 has no entries - removing',
    '(Line 19) virtual server group EMPTY has no entries - removing',
  ]);
  assert.deepEqual(r.config.virtualServerGroups, []);
});

test('a group with IPv4, IPv6 and a fwmark without family is removed', () => {
  const r = parse(conf('virtual_server_group MIX {', '  192.0.2.1 80', '  2001:db8::1 80', '  fwmark 3', '}'));
  assert.deepEqual(r.lines, ['(Line 5) virtual server group MIX cannot have IPv4, IPv6 and fwmark without family - removing']);
  assert.deepEqual(r.config.virtualServerGroups, []);
});
