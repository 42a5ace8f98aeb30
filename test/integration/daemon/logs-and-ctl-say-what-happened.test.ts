// An operator's first hour with `halb -C` (checkers and dataplane only, keepalived.conf
// with a vrrp_instance left to another process): the start line says what runs; a
// service whose VIP this node does not hold waits (INFO), it has not failed; a config
// error is logged once as an error, not `ERROR error:`; `halb ctl release` on a daemon
// without VRRP fails and nothing is logged as released; `halb ctl drain` shows in
// `halb ctl list`; `halb ctl status` has the shape of GET /api/v1/status.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { HALB, freePort, startBackend, startDaemon } from '../../helpers/daemon-process.js';

const dir = mkdtempSync(join(tmpdir(), 'halb-first-hour-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function getJson(port: number, path: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { b += c; });
      res.on('end', () => resolve(JSON.parse(b) as Record<string, unknown>));
    }).on('error', reject);
  });
}

const keys = (o: unknown): string[] => Object.keys(o as object).sort();

test('-C: start line, a waiting VIP, one error word, release refused without a false log, overrides listed, one status shape', async () => {
  const web = await startBackend('web1');
  const vport = await freePort();
  const admin = await freePort();
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(conf, [
    'vrrp_instance VI_1 {', '    state BACKUP', '    interface eth0', '    virtual_router_id 51', '    priority 100',
    '    virtual_ipaddress {', '        198.51.100.50/24', '    }', '}',
    // The VIP this node does not hold: its service waits for the address.
    'virtual_server 198.51.100.50 80 {', '    lb_algo rr', '    lb_kind NAT', '    protocol TCP',
    `    real_server 127.0.0.1 ${web.port} {`, '        weight 1', '    }', '}',
    `virtual_server 127.0.0.1 ${vport} {`, '    lb_algo rr', '    lb_kind NAT', '    protocol TCP',
    `    real_server 127.0.0.1 ${web.port} {`, '        weight 1',
    // An old keyword keepalived 2.2.7 no longer knows: an error that does not stop the daemon.
    '        TCP_CHECK {', '            connect_timeout 3', '            nb_get_retry 3', '        }', '    }', '}', '',
  ].join('\n'));
  const d = await startDaemon(conf, ['-C', '--workers', '0', '--admin-listen', `127.0.0.1:${admin}`]);
  try {
    const log = d.output();
    assert.match(log, /INFO Starting halb: 1 config file\(s\); VRRP not running \(-C\): 1 vrrp instance\(s\) left to another process; checkers and dataplane: 2 virtual server\(s\)/);
    assert.doesNotMatch(log, /VRRP: 1 vrrp instance/);

    assert.match(log, /INFO TCP:198\.51\.100\.50:80: waiting for 198\.51\.100\.50 to be added to this host/);
    assert.doesNotMatch(log, /cannot listen on TCP 198\.51\.100\.50/);
    assert.match(log, /INFO start: 2 added, 0 removed, 0 updated, 0 unchanged, 1 waiting for their address, 0 failed/);

    assert.match(log, new RegExp(`ERROR \\(${conf.replaceAll('.', '\\.')}: Line 26\\) Unknown keyword .nb_get_retry.$`, 'm'));
    assert.doesNotMatch(log, /ERROR error:/);
    // The daemon runs this config (as keepalived does); `halb -t` still reports the error
    // (exit 5), the separate check the systemd unit no longer forces on every start.
    const check = spawnSync(process.execPath, [HALB, '-t', '--no-host-checks', '-f', conf], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(check.status, 5, check.stderr);
    assert.match(check.stderr, /nb_get_retry/);

    const rel = d.ctl('release', 'VI_1');
    assert.notEqual(rel.status, 0);
    assert.match(rel.stderr, /VRRP is not running in this daemon \(-C\)/);
    await new Promise((r) => setTimeout(r, 200));
    assert.doesNotMatch(d.output(), /releas(ed|ing) mastership/, 'a refused release is not logged as done');

    const svc = `TCP:127.0.0.1:${vport}`;
    const rs = `127.0.0.1:${web.port}`;
    assert.equal(d.ctl('list', '-n').stdout.includes('Run-time overrides'), false, 'no override, no note');
    assert.equal(d.ctl('drain', svc, rs).status, 0);
    assert.equal(d.ctl('weight', 'TCP:198.51.100.50:80', rs, '5').status, 0);
    const list = d.ctl('list', '-n').stdout;
    assert.match(list, new RegExp(`^  -> ${rs.replaceAll('.', '\\.')} +Masq +0 `, 'm'), 'the table keeps ipvsadm\'s columns');
    assert.match(list, /^Run-time overrides \(kept across reloads; `halb ctl enable SERVICE REAL-SERVER` drops one\):$/m);
    assert.match(list, new RegExp(`^  ${svc} -> ${rs}: drained \\(weight 0\\) by halb ctl since \\d{4}-`, 'm'));
    assert.match(list, new RegExp(`^  TCP:198\\.51\\.100\\.50:80 -> ${rs}: weight 5 by halb ctl since `, 'm'));

    const ctlStatus = JSON.parse(d.ctl('status').stdout) as Record<string, unknown>;
    const apiStatus = await getJson(admin, '/api/v1/status');
    assert.deepEqual(keys(ctlStatus), keys(apiStatus));
    assert.equal(ctlStatus.vrrp, null, 'no VRRP under -C, in both');
    const cs = ctlStatus.services as Array<Record<string, unknown>>;
    const as = apiStatus.services as Array<Record<string, unknown>>;
    assert.deepEqual(cs.map((s) => s.key), as.map((s) => s.key));
    assert.deepEqual(keys(cs[0]), keys(as[0]));
    assert.deepEqual((ctlStatus.overrides as unknown[]).length, 2);
  } finally {
    await d.stop();
    web.server.close();
  }
});
