import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, inst, instance, parse } from './helpers.js';

const VIP = 'virtual_ipaddress {\n 192.168.1.100\n}';
const two = inst('VI_1', `interface eth0\nvirtual_router_id 1\n${VIP}`) + inst('VI_2', `interface eth0\nvirtual_router_id 2\n${VIP}`);

test('a sync group naming an unknown instance drops it; one member left is reported too', () => {
  const r = parse(`vrrp_sync_group G1 {\n group {\n VI_1\n VI_X\n }\n}\n${two}`);
  assert.deepEqual(diags(r), [
    "-: Virtual router VI_X specified in sync group G1 doesn't exist - ignoring",
    "-: Sync group G1 has only 1 virtual router(s) - this probably isn't what you want",
  ]);
  assert.deepEqual(r.config.syncGroups.map((g) => g.members), [['VI_1']]);
  assert.equal(instance(r, 'VI_1').syncGroup, 'G1');
  assert.equal(instance(r, 'VI_2').syncGroup, undefined);
});

test('groups without members are removed; an instance belongs to one group only', () => {
  const r = parse(`vrrp_sync_group EMPTY {\n}\nvrrp_sync_group G1 {\n group {\n VI_1 VI_2\n }\n}\n`
    + `vrrp_sync_group G2 {\n group {\n VI_1\n VI_Y\n }\n}\n${two}`);
  assert.deepEqual(diags(r), [
    '-: Sync group EMPTY has no virtual router(s). removing',
    '-: Virtual router VI_1 cannot exist in more than one sync group; ignoring G2',
    "-: Virtual router VI_Y specified in sync group G2 doesn't exist - ignoring",
    '-: Sync group G2, no matching virtual router found in group declaration - removing',
  ]);
  assert.deepEqual(r.config.syncGroups.map((g) => [g.name, g.members]), [['G1', ['VI_1', 'VI_2']]]);
});

test('sync group keywords: notify scripts, smtp_alert, tracking weight, duplicate names, empty group block', () => {
  const r = parse('global_defs {\n enable_script_security\n smtp_alert\n}\n'
    + 'vrrp_sync_group G1 {\n group {\n VI_1\n VI_2\n }\n notify_master "/bin/notify master"\n notify_master /bin/other\n sync_group_tracking_weight\n}\n'
    + `vrrp_sync_group G1 {\n}\nvrrp_sync_group G3 {\n group {\n }\n}\n${two}`);
  assert.deepEqual(diags(r), [
    '11: vrrp group G1: notify_master script already specified - ignoring /bin/other',
    '14: vrrp sync group G1 already defined',
    '18: Warning - sync group G3 has empty group block',
    '-: Sync group G3 has no virtual router(s). removing',
  ]);
  const g = r.config.syncGroups[0];
  assert.deepEqual(g?.notify.master?.argv, ['/bin/notify', 'master']);
  assert.equal(g?.trackingWeight, true);
  assert.equal(g?.smtpAlert, true, 'inherits global smtp_alert');
});
