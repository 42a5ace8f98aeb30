// The dump files keep keepalived's layouts and field names: vrrp_print_stats for
// SIGUSR2, vrrp_json.c for SIGJSON (json_version 1 and 2), dump_vrrp for SIGUSR1, and
// keepalived's _check file name for the checker side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDataPath, ctimeUs, keepalivedStats, renderCheckData, renderJson, renderStats, renderVrrpData } from '../../../src/api/dumps.js';
import { statusView } from '../../../src/api/status-view.js';
import { instance, status, vrrpWith } from './fixtures.js';

test('SIGUSR2 stats: keepalived\'s block per instance, drop reasons mapped to its counters', () => {
  assert.equal(renderStats(statusView(status())), [
    'VRRP Instance: VI_1',
    '  Advertisements:', '    Received: 30', '    Sent: 12',
    '  Became master: 1', '  Released master: 0',
    '  Packet Errors:', '    Length: 4', '    TTL: 2', '    Invalid Type: 0', '    Advertisement Interval: 0', '    Address List: 4',
    '  Authentication Errors:', '    Invalid Type: 0', '    Type Mismatch: 0', '    Failure: 1',
    '  Priority Zero:', '    Received: 1', '    Sent: 0', '',
  ].join('\n'));
  assert.equal(renderStats(statusView(status({ vrrp: undefined }))), '');
});

test('SIGJSON: [{data, stats}] with keepalived\'s names and numeric states; v2 wraps it in {vrrp}', () => {
  const v = statusView(status());
  const v1 = JSON.parse(renderJson(v, 1)) as Array<{ data: Record<string, unknown>; stats: Record<string, unknown> }>;
  assert.equal(v1.length, 1);
  assert.deepEqual(v1[0]?.data, {
    iname: 'VI_1', ifp_ifname: 'eth0', master_priority: 0, last_transition: 1_700_000_000.25, vrid: 51,
    base_priority: 100, effective_priority: 90, vipset: true, state: 2, wantstate: 2, version: 2,
    vips: ['192.0.2.50/24'], track_script: ['chk_web'],
  });
  assert.deepEqual(v1[0]?.stats, keepalivedStats(v.vrrp?.instances[0] ?? assert.fail()));
  assert.equal(v1[0]?.stats.advert_rcvd, 30);
  assert.equal(v1[0]?.stats.addr_list_err, 4);
  const v2 = JSON.parse(renderJson(v, 2)) as { vrrp: unknown[] };
  assert.deepEqual(v2.vrrp, v1);
  const backup = statusView(status({ vrrp: vrrpWith(instance({ state: 'BACKUP', wantState: 'BACKUP', masterPriority: 150, masterAddr: '192.0.2.2' })) }));
  const b = JSON.parse(renderJson(backup)) as Array<{ data: Record<string, unknown> }>;
  assert.equal(b[0]?.data.state, 1);
  assert.equal(b[0]?.data.master_priority, 150);
});

test('SIGUSR1 data: keepalived\'s VRRP topology lines, and the LVS side in the _check file', () => {
  const v = statusView(status());
  const data = renderVrrpData(v);
  assert.equal(data, [
    '------< VRRP Topology >------',
    ' VRRP Instance = VI_1', '   VRRP Version = 2', '   State = MASTER', '   Wantstate = MASTER',
    `   Last transition = 1700000000.250000 (${ctimeUs(1_700_000_000_250)})`,
    '   Interface = eth0', '   Using src_ip = 192.0.2.1', '   Multicast address 224.0.0.18',
    '   Virtual Router ID = 51', '   Priority = 100', '   Effective priority = 90',
    '   Virtual IP (1):', '     192.0.2.50/24 dev eth0 scope global set',
    '   Tracked scripts :', '     chk_web weight 10 reverse', '',
  ].join('\n'));
  assert.match(ctimeUs(1_700_000_000_250), /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d\.250000 \d{4}$/);
  assert.equal(renderVrrpData(statusView(status({ vrrp: undefined }))), '');
  const check = renderCheckData(v);
  assert.match(check, /^ VS = \[192\.0\.2\.10\]:tcp:80\n {3}lb_algo = wrr$/m);
  assert.match(check, /^ {3}RS = \[192\.0\.2\.12\]:tcp:8080\n {5}weight = 0\n {5}alive = no\n {5}state = down$/m);
  assert.match(check, /^ {5}weight override = 0 \(drained\) by api 127\.0\.0\.1$/m);
  assert.match(check, /Checker = TCP_CHECK \[192\.0\.2\.12\]:tcp:8080, DOWN, runs 9, failures 4, last failed in 0 ms: connect ECONNREFUSED/);
});

test('the checker file is named as keepalived names it', () => {
  assert.equal(checkDataPath('/tmp/keepalived.data'), '/tmp/keepalived_check.data');
  assert.equal(checkDataPath('/var/run/ka/dump'), '/var/run/ka/dump_check');
  assert.equal(checkDataPath('/var/run/ka.d/dump'), '/var/run/ka.d/dump_check');
});
