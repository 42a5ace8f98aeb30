import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, instance, parse } from './helpers.js';

// The layout of the blog posts the product was specified from (shared/seeds 002/003):
// flush-left lines, trailing `#` comments, PASS authentication, a bare VIP.
const MASTER = `! Configuration File for keepalived
global_defs {
   notification_email {
     test@sina.com
   }
   notification_email_from admin@test.com
   smtp_server 127.0.0.1
   smtp_connect_timeout 30
   router_id LVS_MASTER
}
vrrp_instance VI_1 { # 实例名字两台路由器相同
state MASTER # 主或从状态
interface ens32 # 监控网卡
mcast_src_ip 172.16.100.21 # 心跳源ip
virtual_router_id 55 # 虚拟路由编号,主备要一致
priority 150 # 优先级
advert_int 1 # 心跳间隔
authentication { # 密钥认证 1-8位
auth_type PASS
auth_pass 123456
}
virtual_ipaddress {
172.16.100.22/24 dev ens32 # VIP
}
# track_script { # 引用脚本
# chk_nginx
# }
}
`;

test('the seed master config parses cleanly into the model with keepalived defaults', () => {
  const r = parse(MASTER);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.ok, true);
  const g = r.config.global;
  assert.equal(g.routerId, 'LVS_MASTER');
  assert.deepEqual(g.notificationEmail, ['test@sina.com']);
  assert.equal(g.notificationEmailFrom, 'admin@test.com');
  assert.deepEqual(g.smtpServer, { host: '127.0.0.1', port: 25 });
  assert.equal(g.smtpConnectTimeoutMs, 30_000);
  const v = instance(r, 'VI_1');
  assert.equal(v.state, 'MASTER');
  assert.equal(v.interface, 'ens32');
  assert.equal(v.srcIp, '172.16.100.21');
  assert.equal(v.vrid, 55);
  assert.equal(v.priority, 150);
  assert.equal(v.advertIntMs, 1000);
  assert.equal(v.version, 2);
  assert.equal(v.family, 4);
  assert.deepEqual(v.auth, { type: 'PASS', password: '123456' });
  assert.equal(v.vips.length, 1);
  assert.deepEqual(
    { address: v.vips[0]?.address, len: v.vips[0]?.prefixLength, dev: v.vips[0]?.device, line: v.vips[0]?.pos.line },
    { address: '172.16.100.22', len: 24, dev: 'ens32', line: 23 },
  );
  assert.equal(v.pos.line, 11);
  assert.deepEqual(v.track.scripts, []);
});

test('the seed backup config differs only where the post says: router_id, state, priority', () => {
  const backup = MASTER.replace('LVS_MASTER', 'LVS_BACKUP').replace('state MASTER', 'state BACKUP').replace('priority 150', 'priority 100');
  const r = parse(backup);
  assert.deepEqual(diags(r), []);
  const v = instance(r, 'VI_1');
  assert.equal(v.state, 'BACKUP');
  assert.equal(v.priority, 100);
  assert.equal(r.config.global.routerId, 'LVS_BACKUP');
});

test('the VRRP side of the model is plain JSON: a dump round-trips unchanged', () => {
  const c = parse(MASTER).config;
  const vrrpSide = {
    top: c.top, global: c.global, staticAddresses: c.staticAddresses, staticRoutes: c.staticRoutes,
    staticRules: c.staticRules, trackGroups: c.trackGroups, vrrpScripts: c.vrrpScripts, trackFiles: c.trackFiles,
    trackProcesses: c.trackProcesses, bfdInstances: c.bfdInstances, syncGroups: c.syncGroups,
    garpGroups: c.garpGroups, vrrpInstances: c.vrrpInstances,
  };
  assert.deepEqual(JSON.parse(JSON.stringify(vrrpSide)), vrrpSide);
});
