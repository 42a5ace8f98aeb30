import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, parse } from './helpers.js';

test('global_defs defaults are keepalived\'s', () => {
  const g = parse('', { hostname: 'lb' }).config.global;
  assert.equal(g.routerId, 'lb');
  assert.equal(g.vrrpMcastGroup4, '224.0.0.18');
  assert.equal(g.vrrpMcastGroup6, 'ff02::12');
  assert.equal(g.vrrpVersion, 2);
  assert.equal(g.vrrpGarpMasterRepeat, 5);
  assert.equal(g.vrrpGarpMasterDelayMs, 5000);
  assert.equal(g.vrrpGarpMasterRefreshRepeat, 1);
  assert.equal(g.vrrpDownTimerAdverts, 3);
  assert.equal(g.smtpConnectTimeoutMs, 30_000);
  assert.equal(g.enableScriptSecurity, false);
  assert.equal(g.startupScriptTimeoutS, 10);
  assert.equal(g.lvsFlushOnStop, 'none');
});

test('typed keywords: smtp_server HOST PORT, script_user, e-mail list, mcast groups, nftables, lvs globals', () => {
  const r = parse(`global_defs {
 smtp_server mail.example.com 2525
 script_user keepalived_script:nogroup
 enable_script_security
 notification_email {
  a@example.com
  b@example.com
 }
 router_id "my router"
 vrrp_mcast_group4 224.0.0.19
 vrrp_garp_interval 0.001
 vrrp_garp_lower_prio_repeat 2
 nftables
 lvs_sync_daemon eth0 VI_1 id 7 port 9000
 lvs_timeouts tcp 900 udp 30
 lvs_flush_on_stop VS
 umask IRWXG
 umask IWGRP|IWOTH
 random_seed 42
 include_check readable
 vrrp_priority -5
}
`);
  assert.deepEqual(diags(r), ['17: Unknown umask bit IRWXG']);
  const g = r.config.global;
  assert.deepEqual(g.smtpServer, { host: 'mail.example.com', port: 2525 });
  assert.deepEqual(g.scriptUser, { user: 'keepalived_script', group: 'nogroup' });
  assert.equal(g.enableScriptSecurity, true);
  assert.deepEqual(g.notificationEmail, ['a@example.com', 'b@example.com']);
  assert.equal(g.routerId, 'my router');
  assert.equal(g.vrrpMcastGroup4, '224.0.0.19');
  assert.equal(g.vrrpGarpIntervalMs, 1);
  assert.equal(g.vrrpGarpLowerPrioRepeat, 2);
  assert.equal(g.vrrpGarpLowerPrioDelayMs, 5000, 'follows the master delay');
  assert.deepEqual(g.nftables, { table: 'keepalived', priority: -1, ifindex: false });
  assert.deepEqual(g.lvsSyncDaemon, { interface: 'eth0', instance: 'VI_1', syncId: 7, port: 9000, group: '224.0.0.81' });
  assert.deepEqual(g.lvsTimeouts, { tcpS: 900, udpS: 30 });
  assert.equal(g.lvsFlushOnStop, 'vs');
  assert.equal(g.umask, 0o22);
  assert.equal(g.randomSeed, 42);
  assert.deepEqual(g.other.map((o) => [o.keyword, o.args]), [['vrrp_priority', ['-5']]]);
});

test('global_defs errors are worded and placed as keepalived places them', () => {
  const r = parse(`global_defs {
 router_id
 smtp_server bad/host
 smtp_connect_timeout 0
 notification_email {
 }
 vrrp_mcast_group4 ff02::1
 vrrp_version 4
 vrrp_garp_master_repeat 0
 vrrp_garp_interval 0
 lvs_sync_daemon eth0 VI_1 12
 max_auto_priority 200
 vrrp_iptables
}
`);
  assert.deepEqual(diags(r), [
    '2: routerid name missing - ignoring',
    '3: Invalid smtp server bad/host 25',
    '4: smtp_conect_timeout must be greater than 0, setting to 1',
    '6: Warning - empty notification_email block',
    '7: vrrp_mcast_group4 [ff02::1] is not IPv4. Skipping',
    "8: number '4' outside range [2, 3]",
    '8: VRRP Error: Version must be either 2 or 3',
    '9: vrrp_garp_master_repeat must be greater than 0, setting to 1',
    "10: number '0' outside range [0.000001, 4294.967295]",
    "10: vrrp_garp_interval '0' is invalid",
    '11: Please use keyword "id" before lvs_sync_daemon SYNCID',
    "12: number '200' outside range [-1, 99]",
    "12: max_auto_priority '200' must be in [0, 99] (or -1 to disable) - ignoring",
    "13: iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option",
  ]);
  assert.equal(r.config.global.vrrpGarpMasterRepeat, 1);
  assert.equal(r.config.global.nftables?.table, 'keepalived');
});

test('top-level facilities: namespaces, instance, child_wait_time, up/down delays, track_group', () => {
  const r = parse(`net_namespace blue
net_namespace red
net_namespace_ipvs
instance lb1
child_wait_time 7
interface_up_down_delays {
 eth0 1.5 2
 eth1 300
}
track_group TG {
 group {
  VI_1
 }
}
track_group EMPTY {
}
`);
  assert.deepEqual(diags(r), [
    '2: Duplicate net_namespace definition red - ignoring',
    "8: number '300' outside range [0.000000, 255.000000]",
  ]);
  assert.deepEqual(diags(r, 'warning'), ['8: Invalid down delay 300 for eth1']);
  const t = r.config.top;
  assert.equal(t.netNamespace, 'blue');
  assert.equal(t.netNamespaceIpvs, '');
  assert.equal(t.instance, 'lb1');
  assert.equal(t.usePidDir, true);
  assert.equal(t.childWaitTimeS, 7);
  assert.deepEqual(t.interfaceUpDownDelays.map((d) => [d.interface, d.downDelayMs, d.upDelayMs]), [['eth0', 1500, 2000]]);
  // keepalived 2.2.7 keeps a track group without members, silently.
  assert.deepEqual(r.config.trackGroups.map((g) => [g.name, g.members]), [['TG', ['VI_1']], ['EMPTY', []]]);
});
