// A vrrp_sync_group's track_script / track_interface lines apply to every member, as in
// keepalived; a member's own line for the same tracker wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../../src/config/index.js';
import { configToVrrp } from '../../../src/daemon/config-to-vrrp.js';

const CONF = `
vrrp_script chk_web {
    script "/bin/true"
}
vrrp_sync_group G1 {
    group {
        VI_1
        VI_2
    }
    track_script {
        chk_web
    }
    track_interface {
        eth1
    }
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.200/24
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    virtual_ipaddress {
        192.0.2.201/24
    }
    track_interface {
        eth1
        eth2
    }
}
`;

test('sync group trackers reach every member, without duplicating a member\'s own line', () => {
  const r = parseConfigText(CONF);
  const { spec } = configToVrrp(r.config);
  const byName = new Map(spec.instances.map((i) => [i.fsm.name, i.io]));
  assert.deepEqual(byName.get('VI_1')?.trackScripts?.map((t) => t.script), ['chk_web']);
  assert.deepEqual(byName.get('VI_1')?.trackInterfaces?.map((t) => t.name), ['eth1']);
  assert.deepEqual(byName.get('VI_2')?.trackScripts?.map((t) => t.script), ['chk_web']);
  assert.deepEqual(byName.get('VI_2')?.trackInterfaces?.map((t) => t.name).sort(), ['eth1', 'eth2']);
  assert.deepEqual(spec.syncGroups?.map((g) => [g.name, g.members]), [['G1', ['VI_1', 'VI_2']]]);
});
