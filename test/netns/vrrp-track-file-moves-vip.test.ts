// The real daemon (`halb -n -l -P -f keepalived.conf`) as MASTER with Debian's keepalived
// as BACKUP. A track_file (init_file 0, weight -60) moves the VIP to keepalived when 1 is
// written to it and back when 0 is; a track_interface on a veth whose peer is set down
// puts halb in FAULT (the link change arrives through rtnetlink) and keepalived takes
// over after Skew_Time; the link coming back brings the VIP back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { keepalivedConf } from '../helpers/vrrp-configs.js';
import { VrrpNode, makeWorkDir, removeWorkDir, waitUntil } from '../helpers/vrrp-nodes.js';

const VIP = '192.0.2.230';

function halbConf(file: string): string {
  return `global_defs {
    router_id halb_track_file
}
vrrp_track_file tf {
    file ${file}
    init_file 0 overwrite
}
vrrp_instance VI_F {
    state BACKUP
    interface eth0
    virtual_router_id 81
    version 3
    priority 150
    advert_int 0.2
    virtual_ipaddress {
        ${VIP}/24 dev eth0
    }
    track_file {
        tf weight -60
    }
    track_interface {
        t0
    }
}
`;
}

test('track_file and track_interface move the VIP between halb and keepalived', { timeout: 60_000 }, async (t) => {
  if (!gate(t, 'VRRP track_file with keepalived', ['keepalived'])) return;
  const lan = Lan.create('tfile', [{ name: 'h', addresses: ['192.0.2.1/24'] }, { name: 'k', addresses: ['192.0.2.2/24'] }, { name: 'c', addresses: ['192.0.2.100/24'] }]);
  const dir = makeWorkDir('tfile');
  const nodes: VrrpNode[] = [];
  try {
    const h = lan.ns('h');
    for (const args of [['link', 'add', 't0', 'type', 'veth', 'peer', 'name', 't1'], ['link', 'set', 't0', 'up'], ['link', 'set', 't1', 'up']]) {
      const r = h.run('ip', args);
      assert.equal(r.status, 0, r.stderr);
    }
    const file = join(dir, 'prio');
    writeFileSync(file, '7\n');
    const halb = VrrpNode.halbDaemon(h, dir, 'halb', halbConf(file), ['-P']);
    nodes.push(halb);
    nodes.push(VrrpNode.keepalived(lan.ns('k'), dir, 'ka', keepalivedConf([
      { name: 'VI_F', vrid: 81, version: 3, priority: 100, advertInt: 0.2, vips: [`${VIP}/24`] },
    ])));
    const halbHolds = (): boolean => lan.holds('h', VIP) && !lan.holds('k', VIP);
    const kaHolds = (): boolean => lan.holds('k', VIP) && !lan.holds('h', VIP);
    assert.ok(await waitUntil(halbHolds, 8000), `halb never became MASTER\n${halb.output}`);
    assert.equal(readFileSync(file, 'utf8'), '0\n', 'init_file 0 overwrite');

    let at = Date.now();
    writeFileSync(file, '1\n');
    assert.ok(await waitUntil(kaHolds, 5000), `the VIP did not move to keepalived\n${halb.output}`);
    t.diagnostic(`track_file 1 -> keepalived holds the VIP after ${Date.now() - at} ms`);
    assert.ok(await halb.waitFor(/Changing effective priority from 150 to 90/, 1000), halb.output);

    at = Date.now();
    writeFileSync(file, '0\n');
    assert.ok(await waitUntil(halbHolds, 5000), `halb did not preempt back\n${halb.output}`);
    t.diagnostic(`track_file 0 -> halb holds the VIP after ${Date.now() - at} ms`);

    at = Date.now();
    assert.equal(h.run('ip', ['link', 'set', 't1', 'down']).status, 0);
    assert.ok(await waitUntil(kaHolds, 5000), `track_interface t0 down did not move the VIP\n${halb.output}`);
    t.diagnostic(`t0 carrier lost -> keepalived holds the VIP after ${Date.now() - at} ms`);
    assert.ok(await halb.waitFor(/Entering FAULT STATE/, 1000), halb.output);

    assert.equal(h.run('ip', ['link', 'set', 't1', 'up']).status, 0);
    assert.ok(await waitUntil(halbHolds, 6000), `halb did not come back after t0 came up\n${halb.output}`);
    assert.equal(lan.whoAnswers('c', VIP), 'h', 'halb answers ARP for the VIP again');
  } finally {
    for (const n of nodes) await n.kill9();
    lan.destroy();
    removeWorkDir(dir);
  }
});
