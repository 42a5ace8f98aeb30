// The checker blocks: their keywords, values and keepalived 2.2.7's messages (recorded
// with `keepalived -t`). Findings keepalived only logs (regex) are our warnings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conf, parse } from './parse-helper.js';
import type { Checker } from '../../../src/config/model/index.js';

const rsOpen = ['virtual_server 192.0.2.1 80 {', '  protocol TCP', '  lvs_sched rr', '  lvs_method DR', '  real_server 192.0.2.2 80 {'];
const rsClose = ['  }', '}'];

function checkers(text: string): { lines: string[]; checkers: Checker[] } {
  const r = parse(text);
  return { lines: r.lines, checkers: r.config.virtualServers[0]?.realServers[0]?.checkers ?? [] };
}

test('HTTP_GET url: digest and status_code checks, default and merged status ranges', () => {
  const r = checkers(conf(...rsOpen,
    '    HTTP_GET {',
    '      url {',
    '        path /',
    '        digest 1234',
    '        digest 0123456789abcdef0123456789abcdeg',
    '        digest 0123456789ABCDEF0123456789abcdef',
    '        digest 0123456789abcdef0123456789abcdef',
    '        status_code 200 300-399 99 600 301-300 2x0 204-210',
    '      }',
    '      url {',
    '        digest 0123456789abcdef0123456789abcdef',
    '      }',
    '      url { path /health }',
    '      http_protocol 2.0',
    '      http_protocol',
    '      http_protocol 1.0c',
    '      nb_get_retry 2',
    '      virtualhost',
    '      virtualhost www.example.com',
    '      fast_recovery',
    '      enable_sni yes',
    '    }',
    ...rsClose));
  assert.deepEqual(r.lines, [
    "(Line 9) digest '1234' character length should be 32 rather than 4",
    "(Line 10) Unable to interpret hex digit in '0123456789abcdef0123456789abcdeg' at offset 30/31",
    "(Line 12) Digest '0123456789abcdef0123456789abcdef' is a duplicate",
    "(Line 13) Invalid HTTP_GET status code '99'",
    "(Line 13) Invalid HTTP_GET status code '600'",
    "(Line 13) Invalid HTTP_GET status code '301-300'",
    "(Line 13) Invalid HTTP_GET status code '2x0'",
    '(Line 17) HTTP/SSL_GET checker url has no path - ignoring',
    '(Line 19) Invalid http_protocol version 2.0',
    '(Line 20) Missing http_protocol version',
    "(Line 22) nb_get_retry is deprecated - please use 'retry'",
    '(Line 23) HTTP_GET virtualhost name missing',
  ]);
  const c = r.checkers[0];
  assert.ok(c?.kind === 'HTTP_GET');
  assert.deepEqual(c.urls.map((u) => [u.path, u.digest, u.statusCodes]), [
    ['/', '0123456789abcdef0123456789abcdef', [{ min: 200, max: 200 }, { min: 204, max: 210 }, { min: 300, max: 399 }]],
    ['/health', undefined, [{ min: 200, max: 299 }]],
  ]);
  assert.deepEqual([c.httpProtocol, c.retry, c.virtualhost, c.fastRecovery, c.enableSni, c.tlsCompliant], ['1.0C', 2, 'www.example.com', true, true, false]);
});

test('HTTP_GET / SSL_GET without any url is dropped at its closing brace', () => {
  const r = checkers(conf(...rsOpen, '    SSL_GET {', '       url {', '         path /', '       }', '       enable_sni no', '    }',
    '    SSL_GET {', '    }', ...rsClose));
  assert.deepEqual(r.lines, ['(Line 13) HTTP/SSL_GET checker has no urls specified - ignoring']);
  assert.deepEqual(r.checkers.map((c) => c.kind), ['SSL_GET']);
});

test('url regex: keepalived logs its regex problems (warnings here) and keeps the url', () => {
  const r = checkers(conf(...rsOpen, '    HTTP_GET {',
    '      url {', '        path /a', '        virtualhost', '        regex "foo  bar"', '        regex_options caseless bogus',
    '        regex_min_offset 5', '        regex_max_offset 3', '        regex_stack 10 5', '      }',
    '      url {', '        path /b', '        regex_no_match', '      }',
    '      url {', '        path /c', '        regex "a(("', '      }',
    '      url {', '        path /d', '        regex ^ok$', '        regex_no_match', '        regex_max_offset 100', '        regex_stack 8 64', '      }',
    '    }', ...rsClose));
  assert.deepEqual(r.lines, [
    '(Line 9) Missing HTTP_GET virtualhost name',
    "warning: (Line 11) regex_options: unknown option 'bogus' ignored",
    'warning: (Line 14) regex stack start cannot exceed max value',
    'warning: (Line 15) regex min offset 5 > regex_max_offset 3 - ignoring',
    'warning: (Line 19) regex parameters specified without regex',
    "warning: (Line 23) Invalid regex: 'a((': Invalid regular expression: /a((/: Unterminated group",
  ]);
  const c = r.checkers[0];
  assert.ok(c?.kind === 'HTTP_GET');
  assert.deepEqual(c.urls.map((u) => [u.path, u.regex]), [
    ['/a', { pattern: 'foo  bar', options: ['caseless'], noMatch: false, minOffset: 0 }],
    ['/b', undefined],
    ['/c', undefined],
    ['/d', { pattern: '^ok$', options: [], noMatch: true, minOffset: 0, maxOffset: 100, stack: { start: 8, max: 64 } }],
  ]);
});

test('sni_name and tls_compliant (keepalived 2.3) are accepted with a warning', () => {
  const r = checkers(conf(...rsOpen, '    SSL_GET {', '      url { path / }', '      sni_name api.example', '      tls_compliant', '    }', ...rsClose));
  assert.deepEqual(r.lines, [
    "warning: (Line 8) 'sni_name' is not known to keepalived 2.2.7 (added in 2.3)",
    "warning: (Line 9) 'tls_compliant' is not known to keepalived 2.2.7 (added in 2.3)",
  ]);
  const c = r.checkers[0];
  assert.ok(c?.kind === 'SSL_GET');
  assert.deepEqual([c.sniName, c.tlsCompliant], ['api.example', true]);
});

test('common connection keywords: their checks, and a link-local target without bind_if drops the checker', () => {
  const r = checkers(conf(...rsOpen,
    '    TCP_CHECK {', '      connect_port 0', '      bind_port 70000', '      connect_ip 1.2.3', '      bindto ::1', '      fwmark -1',
    '      alpha bad', '      log_all_failures bad', '      delay_loop 0', '      warmup -1', '      retry -2',
    '      bind_if abcdefghijklmnopq', '      connect_timeout 0', '      log_all_failures', '    }',
    '    PING_CHECK {', '      connect_ip fe80::1', '    }',
    '    PING_CHECK {', '      connect_ip fe80::1', '      bind_if eth0', '    }',
    '    TCP_CHECK {', '      connect_ip 192.0.2.7', '      bindto ::1', '    }',
    ...rsClose));
  assert.deepEqual(r.lines, [
    "(Line 7) number '0' outside range [1, 65535]",
    "(Line 7) Invalid checker connect_port '0'",
    "(Line 8) number '70000' outside range [1, 65535]",
    "(Line 8) Invalid checker bind_port '70000'",
    '(Line 9) Invalid connect_ip address 1.2.3 - ignoring',
    "(Line 11) negative number '-1'",
    "(Line 11) Invalid fwmark connection value '-1'",
    '(Line 12) Invalid alpha parameter bad',
    '(Line 13) Invalid log_all_failures parameter bad',
    "(Line 14) number '0' outside range [0.000001, 18446744073709.551614]",
    "(Line 14) delay_loop '0' is invalid - ignoring",
    "(Line 15) negative number '-1'",
    "(Line 15) Invalid warmup connection value '-1'",
    "(Line 16) negative number '-2'",
    "(Line 16) Invalid retry connection value '-2'",
    '(Line 17) Interface name abcdefghijklmnopq is too long - ignoring',
    "(Line 18) number '0' outside range [0.000001, 4294.967295]",
    '(Line 18) connect_timeout 0 invalid - ignoring',
    '(Line 23) Checker link local address fe80::1 requires a bind_if',
    '(Line 30) bindto address ::1 does not match address family of connect_ip - skipping',
  ]);
  assert.deepEqual(r.checkers.map((c) => c.kind), ['TCP_CHECK', 'PING_CHECK', 'TCP_CHECK']);
  const [first, ping, last] = r.checkers;
  assert.ok(first?.kind === 'TCP_CHECK' && ping?.kind === 'PING_CHECK' && last?.kind === 'TCP_CHECK');
  assert.equal(first.logAllFailures, true);
  assert.deepEqual(ping.connect, { addr: 'fe80::1', family: 6, port: 80, bindIf: 'eth0', timeoutMs: 5000 });
  assert.deepEqual(last.connect, { addr: '192.0.2.7', family: 4, port: 80, timeoutMs: 5000 });
});

test('SMTP_CHECK: helo_name, and each legacy host block becomes one more checker', () => {
  const r = checkers(conf(...rsOpen, '    SMTP_CHECK {', '      helo_name', '      helo_name mail.example',
    '      connect_timeout 4', '      host {', '        connect_ip 192.0.2.7', '        connect_port 25', '        retry 2', '      }', '    }', ...rsClose));
  assert.deepEqual(r.lines, [
    '(Line 7) SMTP_CHECK helo name missing',
    'warning: (Line 10) The SMTP_CHECK host block is deprecated. Please define additional checkers.',
  ]);
  const [main, host] = r.checkers;
  assert.ok(main?.kind === 'SMTP_CHECK' && host?.kind === 'SMTP_CHECK');
  assert.deepEqual([main.heloName, main.fromHostBlock, main.connect, main.retry],
    ['mail.example', false, { addr: '192.0.2.2', family: 4, port: 80, timeoutMs: 4000 }, 2]);
  assert.deepEqual([host.heloName, host.fromHostBlock, host.connect, host.retry],
    ['mail.example', true, { addr: '192.0.2.7', family: 4, port: 25, timeoutMs: 4000 }, 2]);
});

test('DNS_CHECK: type (case-insensitive) and name checks', () => {
  const r = checkers(conf(...rsOpen, '    DNS_CHECK {', '      type XX', '      type aaaa', '      name a..b', '      name .x',
    '      name example.com', '      name again', '    }', ...rsClose));
  assert.deepEqual(r.lines, [
    '(Line 7) Unknown DNS check type XX - ignoring',
    "(Line 9) DNS_CHECK name 'a..b' has empty label - ignoring",
    "(Line 10) DNS_CHECK name '.x' has empty label - ignoring",
    '(Line 12) DNS_CHECK name already specified - ignoring',
  ]);
  const c = r.checkers[0];
  assert.ok(c?.kind === 'DNS_CHECK');
  assert.deepEqual([c.type, c.name], ['AAAA', 'example.com']);
});

test('MISC_CHECK: only the first word of misc_path is the command; no path drops the checker', () => {
  const r = checkers(conf(...rsOpen,
    '    MISC_CHECK {', '      misc_timeout -1', '      misc_dynamic', '      user', '      connect_timeout 3', '    }',
    '    MISC_CHECK {', '      misc_path "/usr/bin/check \'a b\' c"', '      misc_timeout 7', '      user nobody nogroup', '      retry 2', '    }',
    '    MISC_CHECK {', '      misc_path /bin/check extra', '    }',
    ...rsClose));
  assert.deepEqual(r.lines, [
    "(Line 7) negative number '-1'",
    "(Line 7) Invalid misc_timeout value '-1'",
    '(Line 9) No user specified for misc checker script ',
    "(Line 10) Unknown keyword 'connect_timeout'",
    '(Line 11) No script path has been specified for MISC_CHECKER - skipping',
    "warning: (Line 19) misc_path: 'extra' ignored (quote the command with its arguments)",
    'SECURITY VIOLATION - check scripts are being executed but script_security not enabled.',
  ]);
  const [quoted, plain] = r.checkers;
  assert.ok(quoted?.kind === 'MISC_CHECK' && plain?.kind === 'MISC_CHECK');
  assert.deepEqual({ ...quoted.script, run: undefined }, { run: undefined, argv: ['/usr/bin/check', 'a b', 'c'], text: "/usr/bin/check 'a b' c", user: 'nobody', group: 'nogroup' });
  assert.deepEqual([quoted.timeoutMs, quoted.retry, quoted.dynamic], [7000, 2, false]);
  assert.deepEqual(plain.script.argv, ['/bin/check']);
});

test('UDP_CHECK: hex payload and reply (x wildcards), length bounds', () => {
  const r = checkers(conf(...rsOpen, '    UDP_CHECK {', '      payload', '      payload 0a0b zz', '      payload de ad b',
    '      require_reply 0a xX 1', '      min_reply_length 70000', '      max_reply_length 3', '      min_reply_length 5', '    }', ...rsClose));
  assert.deepEqual(r.lines, [
    '(Line 7) UDP_CHECK payload requires a payload',
    '(Line 8) Invalid hex string for UDP_CHECK payload',
    "(Line 11) number '70000' outside range [0, 65535]",
    '(Line 11) UDP_CHECK min length 70000 not valid - must be between 0 & 65535',
    '(Line 14) UDP_CHECK min_reply length 5 > max_reply_length 3 - will always fail',
  ]);
  const c = r.checkers[0];
  assert.ok(c?.kind === 'UDP_CHECK');
  assert.deepEqual([c.payload, c.requireReply, c.replyData, c.replyMask, c.minReplyLength, c.maxReplyLength],
    ['dead0b', true, '0a0001', '00ff00', 5, 3]);
});

test('BFD_CHECK: an unknown instance drops the checker and silences the rest of its block', () => {
  const r = checkers(conf(...rsOpen, '    BFD_CHECK {', '      name b2', '      name b1 b3', '    }', '    BFD_CHECK {', '    }', ...rsClose));
  assert.deepEqual(r.lines, [
    '(Line 7) ([192.0.2.2]:tcp:80) BFD_CHECK - BFD b2 not configured',
    '(Line 11) ([192.0.2.2]:tcp:80) No name has been specified for BFD_CHECKER - skipping',
  ]);
  assert.deepEqual(r.checkers, []);
});

test('FILE_CHECK: weight options and a missing track_file', () => {
  const r = checkers(conf(...rsOpen, '    FILE_CHECK {', '      track_file nope', '      weight 3 bogus', '      weight',
    '      weight 3000000000', '      dynamic', '      retry 2', '    }', ...rsClose));
  assert.deepEqual(r.lines, [
    '(Line 7) track_file nope not found',
    '(Line 8) unknown track file weight option bogus - ignoring',
    '(Line 9) track file weight missing',
    "(Line 10) number '3000000000' outside integer range",
    '(Line 10) weight for track file must be in [-2147483647..2147483647] inclusive. Ignoring...',
    "(Line 11) Unknown keyword 'dynamic'",
    "(Line 12) Unknown keyword 'retry'",
    '(Line 13) FILE_CHECK has no track_file specified - ignoring',
  ]);
  assert.deepEqual(r.checkers, []);
});

test('FILE_CHECK takes the track_file\'s weight unless it sets its own; BFD_CHECK follows a bfd_instance once per real server', () => {
  const r = parse(conf('track_file tf1 {', '   file /run/tf1', '   weight 5 reverse', '}',
    'bfd_instance b1 {', '   neighbor_ip 192.0.2.2', '}',
    ...rsOpen,
    '    FILE_CHECK {', '      track_file tf1', '    }',
    '    FILE_CHECK {', '      track_file tf1', '      weight -3', '    }',
    '    BFD_CHECK {', '      name b1', '      alpha', '    }',
    '    BFD_CHECK {', '      name b1', '    }',
    ...rsClose));
  assert.deepEqual(r.lines, ['(Line 25) ([192.0.2.2]:tcp:80) BFD_CHECK - RS already monitoring b1']);
  const cs = r.config.virtualServers[0]!.realServers[0]!.checkers;
  assert.deepEqual(cs.map((c) => ({ ...c, pos: c.pos.line })), [
    { kind: 'FILE_CHECK', pos: 13, trackFile: 'tf1', weight: 5, reverse: true },
    { kind: 'FILE_CHECK', pos: 16, trackFile: 'tf1', weight: -3, reverse: false },
    { kind: 'BFD_CHECK', pos: 20, name: 'b1', alpha: true },
  ]);
});
