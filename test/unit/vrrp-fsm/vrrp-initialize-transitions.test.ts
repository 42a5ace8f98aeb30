// RFC 5798 §6.4.1 Initialize, as keepalived 2.2's vrrp_init_state does it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInstance, step } from '../../../src/vrrp/fsm/instance-fsm.js';
import { instanceConfig, type InstanceConfigInput, type VrrpAction } from '../../../src/vrrp/fsm/fsm-types.js';

const base: InstanceConfigInput = { name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.1' };
const kinds = (actions: readonly VrrpAction[]): string[] =>
  actions.map((a) => (a.kind === 'log' ? `log:${a.message}` : a.kind === 'notify' ? `notify:${a.to}` : a.kind));

test('startup table: where each kind of instance goes and when its timer runs out', () => {
  const rows: Array<{ what: string; cfg: Partial<InstanceConfigInput>; state: string; deadline: number | null }> = [
    { what: 'backup, priority 100', cfg: {}, state: 'BACKUP', deadline: 1000 + 3609.375 },
    // keepalived 2.2: a non-owner configured `state MASTER` still starts as a backup and waits
    // a full Master_Down_Interval ("(VI_1) Entering BACKUP STATE (init)").
    { what: 'non-owner with state MASTER', cfg: { initialState: 'MASTER', priority: 150 }, state: 'BACKUP', deadline: 1000 + 3414.062 },
    { what: 'owner (priority 255)', cfg: { priority: 255 }, state: 'MASTER', deadline: 1000 + 1000 },
    { what: 'owner with nopreempt', cfg: { priority: 255, preempt: false }, state: 'BACKUP', deadline: 1000 + 3003.906 },
    { what: 'v3, 50 cs adverts', cfg: { version: 3, advertIntCs: 50, priority: 200 }, state: 'BACKUP', deadline: 1000 + 1609.375 },
    { what: 'down_timer_adverts 5', cfg: { downTimerAdverts: 5 }, state: 'BACKUP', deadline: 1000 + 5609.375 },
  ];
  for (const row of rows) {
    const s0 = createInstance(instanceConfig({ ...base, ...row.cfg }));
    assert.equal(s0.state, 'INIT', row.what);
    const r = step(s0, { kind: 'startup' }, 1000);
    assert.equal(r.state.state, row.state, row.what);
    assert.equal(r.nextDeadline, row.deadline, row.what);
  }
});

test('a backup logs and notifies like keepalived on startup', () => {
  const r = step(createInstance(instanceConfig(base)), { kind: 'startup' }, 0);
  assert.deepEqual(kinds(r.actions), ['log:(VI_1) Entering BACKUP STATE (init)', 'notify:BACKUP']);
  assert.equal(r.state.wantState, 'BACKUP');
});

test('the owner sends an advert, takes the VIPs, GARPs and notifies, in that order', () => {
  const r = step(createInstance(instanceConfig({ ...base, priority: 255 })), { kind: 'startup' }, 0);
  assert.deepEqual(kinds(r.actions), [
    'send-advert', 'log:(VI_1) Entering MASTER STATE', 'add-vips', 'garp', 'notify:MASTER',
  ]);
  assert.deepEqual(r.actions[0], { kind: 'send-advert', priority: 255 });
  assert.deepEqual(r.actions[3], { kind: 'garp', repeat: 5, delayed: false, cause: 'become-master' });
  const entering = r.actions[1];
  assert.ok(entering?.kind === 'log' && entering.reason === 'address owner (priority 255) at startup');
  // Next wake-up: the Adver_Timer (1 s) before the delayed GARP burst (5 s).
  assert.equal(r.nextDeadline, 1000);
  assert.equal(r.state.garpDelayedAt, 5000);
  assert.equal(r.state.vipSet, true);
  assert.equal(r.state.stats.becomeMaster, 1);
});

test('a faulty instance starts in FAULT, with no timer; a pending tracker does not notify', () => {
  const faulty = createInstance(instanceConfig(base), {
    faults: [{ source: 'interface:eth0', reason: 'track_interface eth0 down', pending: false }],
  });
  const r = step(faulty, { kind: 'startup' }, 0);
  assert.equal(r.state.state, 'FAULT');
  assert.equal(r.nextDeadline, null);
  assert.deepEqual(kinds(r.actions), ['log:(VI_1) Entering FAULT STATE (init)', 'notify:FAULT']);

  const waiting = createInstance(instanceConfig(base), {
    faults: [{ source: 'script:chk', reason: 'track_script chk has not reported yet', pending: true }],
  });
  const w = step(waiting, { kind: 'startup' }, 0);
  assert.equal(w.state.state, 'FAULT');
  assert.deepEqual(kinds(w.actions), ['log:(VI_1) Entering FAULT STATE (init)']);
  // Its first result is a failure: now the FAULT notify is due.
  const f = step(w.state, { kind: 'fault-raised', source: 'script:chk', reason: 'track_script chk failed' }, 500);
  assert.deepEqual(kinds(f.actions), ['notify:FAULT']);
  // Or a success: the instance comes up as a backup.
  const ok = step(w.state, { kind: 'fault-cleared', source: 'script:chk' }, 500);
  assert.equal(ok.state.state, 'BACKUP');
  assert.equal(ok.nextDeadline, 500 + 3609.375);
});

test('vrrp_startup_delay holds the first timeout back, for backups and owners alike', () => {
  const b = step(createInstance(instanceConfig({ ...base, startupDelayMs: 10_000 })), { kind: 'startup' }, 0);
  assert.equal(b.state.state, 'BACKUP');
  assert.equal(b.nextDeadline, 10_000 + 3609.375);

  const o = step(createInstance(instanceConfig({ ...base, priority: 255, startupDelayMs: 10_000 })), { kind: 'startup' }, 0);
  assert.equal(o.state.state, 'BACKUP');
  assert.equal(o.actions.length, 0);
  assert.equal(o.nextDeadline, 10_000 + 0.001);
  const m = step(o.state, { kind: 'timer' }, 10_000 + 0.001);
  assert.equal(m.state.state, 'MASTER');
  assert.deepEqual(kinds(m.actions).slice(0, 3), [
    'log:(VI_1) Receive advertisement timeout', 'send-advert', 'log:(VI_1) Entering MASTER STATE',
  ]);

  // An advert during the delay restarts the timer from the end of the delay, not from now.
  const adv = step(b.state, { kind: 'advert', priority: 200, srcAddr: '192.0.2.9', advertIntCs: 100 }, 2000);
  assert.equal(adv.nextDeadline, 10_000 + 3609.375);
});

test('startup is ignored once started, and INIT ignores adverts and timers', () => {
  const s0 = createInstance(instanceConfig(base));
  const idle = step(s0, { kind: 'advert', priority: 200, srcAddr: '192.0.2.9', advertIntCs: 100 }, 0);
  assert.equal(idle.state.state, 'INIT');
  assert.equal(idle.actions.length, 0);
  assert.equal(step(s0, { kind: 'timer' }, 0).actions.length, 0);
  const started = step(s0, { kind: 'startup' }, 0).state;
  const again = step(started, { kind: 'startup' }, 5);
  assert.equal(again.actions.length, 0);
  assert.deepEqual(again.state, started);
  assert.equal(again.nextDeadline, 3609.375);
});
