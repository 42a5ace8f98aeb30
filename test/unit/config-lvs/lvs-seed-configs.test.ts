// The virtual_server blocks of the blog posts the product was specified from
// (/work/shared/seeds/), as written there. Expected diagnostics are what Debian's
// keepalived 2.2.7 printed for the same text with `keepalived -t`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conf, parse } from './parse-helper.js';

// seeds/000 (CentOS 7, keepalived-1.3.4 layout): DR, persistence 60 s, TCP_CHECK with nb_get_retry.
const SEED_000 = conf(
  'virtual_server 192.168.243.100 80 {',
  '    #(每隔10秒查询realserver状态)',
  '    delay_loop 10',
  '    #(lvs 算法)',
  '    lb_algo rr',
  '    #(DR模式)',
  '    lb_kind DR',
  '    #(同一IP的连接60秒内被分配到同一台realserver)',
  '    persistence_timeout 60',
  '    #(用TCP协议检查realserver状态)',
  '    protocol TCP',
  '    ',
  '    #真实服务器(nginx) ',
  '    real_server 192.168.243.135 80 {',
  '        #(权重)',
  '        weight 100',
  '        TCP_CHECK {',
  '        #(10秒无响应超时)',
  '        connect_timeout 10',
  '        nb_get_retry 3',
  '        delay_before_retry 3',
  '        connect_port 80',
  '        }',
  '    }',
  '    ',
  '    #真实服务器(nginx) ',
  '    real_server 192.168.243.136 80 {',
  '        weight 100',
  '        TCP_CHECK {',
  '        connect_timeout 10',
  '        nb_get_retry 3',
  '        delay_before_retry 3',
  '        connect_port 80',
  '        }',
  '     }',
  '}',
);

// seeds/002: trailing comments on keyword lines, no indentation.
const SEED_002 = conf(
  'virtual_server 172.16.100.22 80 { # LVS配置',
  'delay_loop 3 # 服务轮询的时间间隔',
  'lb_algo rr # LVS调度算法',
  'lb_kind DR # LVS集群模式',
  'protocol TCP',
  'real_server 172.16.100.14 80 {',
  'weight 1',
  'TCP_CHECK {',
  'connect_timeout 3 # 健康检查方式,连接超时时间',
  '}',
  '}',
  'real_server 172.16.100.15 80 {',
  'weight 1',
  'TCP_CHECK {',
  'connect_timeout 3',
  '}',
  '}',
  '}',
);

// seeds/003: nat_mask, and the second real_server's closing brace is missing in the post,
// so the markdown that follows lands inside the virtual server.
const SEED_003 = conf(
  'virtual_server 192.168.203.107 8080 {',
  '    delay_loop 6',
  '    lb_algo rr',
  '    lb_kind DR',
  '    nat_mask 255.255.255.0',
  '    persistence_timeout 50',
  '    protocol TCP',
  '',
  '    real_server 192.168.203.93 8080 {',
  '        weight 1',
  '        TCP_CHECK {',
  '            connect_timeout 3',
  '            nb_get_retry 3',
  '            delay_before_retry 3',
  '        }',
  '    }',
  '',
  '    real_server 192.168.203.94 8080 {',
  '        weight 1',
  '        TCP_CHECK {',
  '            connect_timeout 3',
  '            nb_get_retry 3',
  '            delay_before_retry 3',
  '',
  '    }',
  '}',
  '```',
);

test('seed 000: DR service with persistence; nb_get_retry is unknown inside TCP_CHECK (keepalived 2.2.7)', () => {
  const r = parse(SEED_000);
  assert.deepEqual(r.lines, [
    "(Line 20) Unknown keyword 'nb_get_retry'",
    "(Line 31) Unknown keyword 'nb_get_retry'",
  ]);
  assert.equal(r.config.virtualServers.length, 1);
  const vs = r.config.virtualServers[0]!;
  assert.deepEqual(vs.key, { kind: 'addr', addr: '192.168.243.100', family: 4, port: 80 });
  assert.equal(vs.label, '[192.168.243.100]:tcp:80');
  assert.equal(vs.scheduler, 'rr');
  assert.deepEqual(vs.forwarding, { method: 'DR' });
  assert.equal(vs.protocol, 'TCP');
  assert.equal(vs.persistenceTimeoutMs, 60_000);
  assert.equal(vs.delayLoopMs, 10_000);
  assert.deepEqual(vs.defaulted, []);
  assert.deepEqual(vs.realServers.map((rs) => [rs.addr, rs.port, rs.weight, rs.forwarding.method]), [
    ['192.168.243.135', 80, 100, 'DR'],
    ['192.168.243.136', 80, 100, 'DR'],
  ]);
  const c = vs.realServers[0]!.checkers[0]!;
  assert.equal(c.kind, 'TCP_CHECK');
  assert.ok(c.kind === 'TCP_CHECK');
  // retry stays at TCP_CHECK's default: the nb_get_retry line was rejected.
  assert.deepEqual(
    { retry: c.retry, delayLoopMs: c.delayLoopMs, delayBeforeRetryMs: c.delayBeforeRetryMs, warmupMs: c.warmupMs, alpha: c.alpha },
    { retry: 1, delayLoopMs: 10_000, delayBeforeRetryMs: 3000, warmupMs: 10_000, alpha: false },
  );
  assert.deepEqual(c.connect, { addr: '192.168.243.135', family: 4, port: 80, timeoutMs: 10_000 });
});

test('seed 002: end-of-line comments inside the blocks are accepted without a diagnostic', () => {
  const r = parse(SEED_002);
  assert.deepEqual(r.lines, []);
  assert.ok(r.ok);
  const vs = r.config.virtualServers[0]!;
  assert.equal(vs.delayLoopMs, 3000);
  assert.equal(vs.persistenceTimeoutMs, 0);
  assert.deepEqual(vs.realServers.map((rs) => rs.addr), ['172.16.100.14', '172.16.100.15']);
  for (const rs of vs.realServers) {
    const c = rs.checkers[0]!;
    assert.ok(c.kind === 'TCP_CHECK');
    assert.equal(c.connect.timeoutMs, 3000);
    assert.equal(c.delayBeforeRetryMs, 1000);
    assert.equal(c.warmupMs, 3000);
  }
});

test('seed 003: nat_mask is unknown to keepalived 2.2.7; the unclosed block still yields both real servers', () => {
  const r = parse(SEED_003);
  assert.deepEqual(r.lines, [
    "(Line 5) Unknown keyword 'nat_mask'",
    "(Line 13) Unknown keyword 'nb_get_retry'",
    "(Line 22) Unknown keyword 'nb_get_retry'",
    "(Line 27) Unknown keyword '```'",
    "There are 1 missing '}'s or extra '{'s",
  ]);
  const vs = r.config.virtualServers[0]!;
  assert.equal(vs.persistenceTimeoutMs, 50_000);
  assert.equal(vs.delayLoopMs, 6000);
  assert.deepEqual(vs.realServers.map((rs) => [rs.addr, rs.port, rs.checkers.length]), [
    ['192.168.203.93', 8080, 1],
    ['192.168.203.94', 8080, 1],
  ]);
  const c = vs.realServers[1]!.checkers[0]!;
  assert.ok(c.kind === 'TCP_CHECK');
  assert.deepEqual([c.connect.timeoutMs, c.delayBeforeRetryMs, c.retry], [3000, 3000, 1]);
});
