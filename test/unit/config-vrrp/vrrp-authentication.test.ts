import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, inst, instance, parse } from './helpers.js';

const VIP = 'virtual_ipaddress {\n 192.168.1.100\n}';
const auth = (type: string, pass?: string): string => `authentication {\n auth_type ${type}\n${pass === undefined ? '' : ` auth_pass ${pass}\n`}}`;

test('auth_pass longer than 8 characters is truncated with keepalived\'s message at its line', () => {
  const r = parse(inst('VI_1', `interface eth0\nvirtual_router_id 1\n${auth('PASS', '123456789')}\n${VIP}`));
  assert.deepEqual(diags(r), ['6: Truncating auth_pass to 8 characters']);
  assert.deepEqual(instance(r, 'VI_1').auth, { type: 'PASS', password: '12345678' });
});

test('VRRPv3 and strict mode have no authentication; a type without password is ignored', () => {
  const r = parse(
    inst('V3', `interface eth0\nvirtual_router_id 1\nversion 3\n${auth('PASS', 'x')}\n${VIP}`)
    + inst('S', `interface eth0\nvirtual_router_id 2\nstrict_mode\n${auth('PASS', 'x')}\n${VIP}`)
    + inst('N', `interface eth0\nvirtual_router_id 3\n${auth('PASS')}\n${VIP}`),
  );
  assert.deepEqual(diags(r), [
    '-: (V3) VRRP version 3 does not support authentication. Ignoring.',
    '-: (S) Strict mode does not support authentication. Ignoring.',
    '-: (N) Authentication specified but no password given. Ignoring',
  ]);
  for (const n of ['V3', 'S', 'N']) assert.equal(instance(r, n).auth, undefined);
});

test('AH with an initial MASTER state that is not the owner starts as BACKUP; unknown types are refused', () => {
  const r = parse(
    inst('AH', `interface eth0\nvirtual_router_id 1\nstate MASTER\npriority 100\n${auth('AH', 'secret')}\n${VIP}`)
    + inst('X', `interface eth0\nvirtual_router_id 2\n${auth('MD5', 'secret')}\n${VIP}`),
  );
  assert.deepEqual(diags(r), [
    "18: (X) unknown authentication type 'MD5'",
    '-: (AH) Initial state master is incompatible with AH authentication - clearing',
  ]);
  assert.equal(instance(r, 'AH').state, 'BACKUP');
  assert.deepEqual(instance(r, 'AH').auth, { type: 'AH', password: 'secret' });
  assert.equal(instance(r, 'X').auth, undefined);
});
