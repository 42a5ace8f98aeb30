// daemon/ipvs-syncd-plan.ts: the kernel sync daemons halb runs for lvs_sync_daemon, state x
// event -> actions, as keepalived 2.x drives them (ipvs_syncd_master / ipvs_syncd_backup
// from vrrp.c, the init and reload paths of vrrp_scheduler.c / vrrp_daemon.c, the
// no-instance case of check_daemon.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../config-vrrp/helpers.js';
import { SYNCD_INITIAL, syncdStep, syncdWanted, type SyncdAction, type SyncdEvent, type SyncdState, type SyncdWanted } from '../../../src/daemon/ipvs-syncd-plan.js';

const S = { interface: 'eth0', syncId: 51 };
const FOLLOW: SyncdWanted = { settings: S, instance: 'VI_1' };
const brief = (as: readonly SyncdAction[]): string[] => as.map((a) => `${a.op} ${a.role}${a.op === 'start' ? ` ${a.settings.interface}/${a.settings.syncId}` : ''}`);

function run(events: readonly SyncdEvent[], from: SyncdState = SYNCD_INITIAL): { state: SyncdState; steps: string[][] } {
  let state = from;
  const steps: string[][] = [];
  for (const ev of events) {
    const r = syncdStep(state, ev);
    state = r.state;
    steps.push(brief(r.actions));
  }
  return { state, steps };
}

test('start: whatever an earlier run left is stopped, then the BACKUP daemon starts (the instance is not MASTER yet)', () => {
  const { steps, state } = run([{ kind: 'configure', wanted: FOLLOW, fresh: true }]);
  assert.deepEqual(steps, [['stop MASTER', 'stop BACKUP', 'start BACKUP eth0/51']]);
  assert.deepEqual(state.running, { BACKUP: S });
});

test('the followed instance: MASTER stops backup and starts master; leaving MASTER (BACKUP or FAULT) does the reverse; BACKUP <-> FAULT changes nothing', () => {
  const { steps } = run([
    { kind: 'configure', wanted: FOLLOW, fresh: true },
    { kind: 'transition', instance: 'VI_1', to: 'BACKUP' },
    { kind: 'transition', instance: 'VI_1', to: 'MASTER' },
    { kind: 'transition', instance: 'VI_1', to: 'BACKUP' },
    { kind: 'transition', instance: 'VI_1', to: 'FAULT' },
    { kind: 'transition', instance: 'VI_1', to: 'BACKUP' },
    { kind: 'transition', instance: 'VI_1', to: 'MASTER' },
    { kind: 'transition', instance: 'VI_1', to: 'FAULT' },
  ]);
  assert.deepEqual(steps.slice(1), [
    [],
    ['stop BACKUP', 'start MASTER eth0/51'],
    ['stop MASTER', 'start BACKUP eth0/51'],
    [],
    [],
    ['stop BACKUP', 'start MASTER eth0/51'],
    ['stop MASTER', 'start BACKUP eth0/51'],
  ]);
});

test('other instances move nothing, but their states are remembered for a reload that follows them', () => {
  const { steps, state } = run([
    { kind: 'configure', wanted: FOLLOW, fresh: true },
    { kind: 'transition', instance: 'VI_2', to: 'MASTER' },
    { kind: 'configure', wanted: { settings: S, instance: 'VI_2' }, fresh: false },
  ]);
  assert.deepEqual(steps.slice(1), [[], ['stop BACKUP', 'start MASTER eth0/51']]);
  assert.deepEqual(state.running, { MASTER: S });
});

test('reload: unchanged settings touch nothing; changed ones restart the daemon of the current state; removal stops it', () => {
  const master = run([{ kind: 'configure', wanted: FOLLOW, fresh: true }, { kind: 'transition', instance: 'VI_1', to: 'MASTER' }]).state;
  assert.deepEqual(run([{ kind: 'configure', wanted: FOLLOW, fresh: false }], master).steps, [[]]);
  const changed: SyncdWanted = { settings: { ...S, syncId: 7, port: 8849 }, instance: 'VI_1' };
  assert.deepEqual(run([{ kind: 'configure', wanted: changed, fresh: false }], master).steps, [['stop MASTER', 'start MASTER eth0/7']]);
  assert.deepEqual(run([{ kind: 'configure', wanted: undefined, fresh: false }], master).steps, [['stop MASTER']]);
});

test('lvs_sync_daemon added by a reload starts the daemon of the instance\'s current state', () => {
  const { steps } = run([
    { kind: 'configure', wanted: undefined, fresh: true },
    { kind: 'transition', instance: 'VI_1', to: 'MASTER' },
    { kind: 'configure', wanted: FOLLOW, fresh: false },
  ]);
  assert.deepEqual(steps, [[], [], ['start MASTER eth0/51']]);
});

test('without lvs_sync_daemon nothing reaches the kernel, not even at start', () => {
  assert.deepEqual(run([{ kind: 'configure', wanted: undefined, fresh: true }, { kind: 'transition', instance: 'VI_1', to: 'MASTER' }, { kind: 'stop' }]).steps, [[], [], []]);
});

test('no instance named: both daemons run from start to stop, and no transition moves them', () => {
  const both: SyncdWanted = { settings: { interface: 'eth1', syncId: 0 } };
  const { steps } = run([
    { kind: 'configure', wanted: both, fresh: true },
    { kind: 'transition', instance: 'VI_1', to: 'MASTER' },
    { kind: 'stop' },
  ]);
  assert.deepEqual(steps, [['stop MASTER', 'stop BACKUP', 'start MASTER eth1/0', 'start BACKUP eth1/0'], [], ['stop MASTER', 'stop BACKUP']]);
});

test('stop: only what halb started is stopped', () => {
  const master = run([{ kind: 'configure', wanted: FOLLOW, fresh: true }, { kind: 'transition', instance: 'VI_1', to: 'MASTER' }]).state;
  const r = syncdStep(master, { kind: 'stop' });
  assert.deepEqual(brief(r.actions), ['stop MASTER']);
  assert.deepEqual(r.state.running, {});
  assert.deepEqual(brief(syncdStep(r.state, { kind: 'stop' }).actions), []);
  // VRRP shutting down reports STOP first: no backup daemon in between, the master is stopped as it is.
  const { steps } = run([{ kind: 'transition', instance: 'VI_1', to: 'STOP' }, { kind: 'stop' }], master);
  assert.deepEqual(steps, [[], ['stop MASTER']]);
});

const BASE = `
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.0.2.200
  }
}
`;

test('from the config: syncid defaults to the instance\'s vrid, kernel defaults are not sent, a missing instance is refused in keepalived\'s words', () => {
  const w = (g: string): ReturnType<typeof syncdWanted> => syncdWanted(parse(`global_defs {\n  ${g}\n}\n${BASE}`).config);
  assert.deepEqual(w('lvs_sync_daemon eth0 VI_1'), { wanted: { settings: { interface: 'eth0', syncId: 51 }, instance: 'VI_1' } });
  assert.deepEqual(w('lvs_sync_daemon eth1 VI_1 id 9 maxlen 1400 port 8849 ttl 2 group 239.1.2.3'), {
    wanted: { settings: { interface: 'eth1', syncId: 9, maxLen: 1400, group: '239.1.2.3', port: 8849, ttl: 2 }, instance: 'VI_1' },
  });
  assert.deepEqual(w('lvs_sync_daemon eth0'), { wanted: { settings: { interface: 'eth0', syncId: 0 } } });
  assert.deepEqual(w('lvs_sync_daemon eth0 VI_9'), { error: 'Unable to find vrrp instance VI_9 for lvs_syncd - clearing lvs_syncd config' });
  assert.deepEqual(w('router_id x'), {});
});
