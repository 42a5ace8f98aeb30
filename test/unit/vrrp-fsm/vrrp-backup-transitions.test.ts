// RFC 5798 §6.4.2 Backup, as keepalived's vrrp_state_backup does it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInstance, step } from '../../../src/vrrp/fsm/instance-fsm.js';
import {
  instanceConfig, type InstanceConfigInput, type InstanceState, type VrrpEvent,
} from '../../../src/vrrp/fsm/fsm-types.js';

const T0 = 10_000;
function backup(cfg: Partial<InstanceConfigInput> = {}): InstanceState {
  const s = createInstance(instanceConfig({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.1', ...cfg }));
  return step(s, { kind: 'startup' }, 0).state;
}
const advert = (priority: number, srcAddr = '192.0.2.2', advertIntCs = 100): Extract<VrrpEvent, { kind: 'advert' }> =>
  ({ kind: 'advert', priority, srcAddr, advertIntCs });

test('advert table: what each advert does to a priority-100 backup at t=10 s', () => {
  const rows: Array<{ what: string; cfg?: Partial<InstanceConfigInput>; ev: VrrpEvent; deadline: number; log?: string }> = [
    // "If the Priority in the ADVERTISEMENT is zero, then: Set the Master_Down_Timer to Skew_Time"
    { what: 'priority 0', ev: advert(0), deadline: T0 + 609.375, log: '(VI_1) Backup received priority 0 advertisement' },
    // "... greater than or equal to the local Priority, then: Reset the Master_Down_Timer"
    { what: 'higher priority', ev: advert(150), deadline: T0 + 3609.375 },
    // Equal priority is accepted in BACKUP whatever the address: no tie-break here.
    { what: 'equal priority, lower address', ev: advert(100, '192.0.2.0'), deadline: T0 + 3609.375 },
    { what: 'equal priority, higher address', ev: advert(100, '192.0.2.200'), deadline: T0 + 3609.375 },
    // "else: Discard the ADVERTISEMENT": the timer armed at startup keeps running.
    {
      what: 'lower priority, preempt', ev: advert(50), deadline: 3609.375,
      log: '(VI_1) received lower priority (50) advert from 192.0.2.2 - discarding',
    },
    // "If Preempt_Mode is False ... then: Reset the Master_Down_Timer"
    { what: 'lower priority, nopreempt', cfg: { preempt: false }, ev: advert(50), deadline: T0 + 3609.375 },
    // v2 ignores the advert's interval (a mismatch is dropped by the codec before us).
    { what: 'v2 advert with another interval', ev: advert(150, '192.0.2.2', 300), deadline: T0 + 3609.375 },
    // v3: "Set Master_Adver_Interval to Adver Interval contained in the ADVERTISEMENT":
    // 3 × 2 s + (156 × 200 cs)/256 = 6 s + 1.21875 s.
    { what: 'v3 adopts the master interval', cfg: { version: 3 }, ev: advert(150, '192.0.2.2', 200), deadline: T0 + 7218.75 },
    // A zero interval (which the codec should have dropped) is not adopted.
    { what: 'v3 advert with interval 0', cfg: { version: 3 }, ev: advert(150, '192.0.2.2', 0), deadline: T0 + 3609.375 },
    // Our own advert looped back changes nothing.
    { what: 'from self', ev: { ...advert(150), fromSelf: true }, deadline: 3609.375 },
  ];
  for (const row of rows) {
    const r = step(backup(row.cfg), row.ev, T0);
    assert.equal(r.state.state, 'BACKUP', row.what);
    assert.equal(r.nextDeadline, row.deadline, row.what);
    if (row.log !== undefined) {
      assert.ok(r.actions.some((a) => a.kind === 'log' && a.message === row.log), `${row.what}: ${JSON.stringify(r.actions)}`);
    }
    assert.ok(!r.actions.some((a) => a.kind === 'send-advert' || a.kind === 'add-vips'), row.what);
  }
});

test('the v3 backup keeps the adopted interval for later adverts and its skew', () => {
  const s1 = step(backup({ version: 3, priority: 200 }), advert(250, '192.0.2.2', 50), T0).state;
  assert.equal(s1.masterAdverIntCs, 50);
  // Priority 0 from that master: Skew_Time = 56 × 50 cs / 256 = 109.375 ms.
  const r = step(s1, advert(0, '192.0.2.2', 50), T0 + 100);
  assert.equal(r.nextDeadline, T0 + 100 + 109.375);
});

test('Master_Down_Timer firing: advert, VIPs, GARP, notify, then the Adver_Timer', () => {
  const s = step(backup(), advert(150), T0).state;
  const early = step(s, { kind: 'timer' }, T0 + 3609);
  assert.equal(early.state.state, 'BACKUP', 'a timer event before the deadline does nothing');
  assert.equal(early.actions.length, 0);

  const r = step(s, { kind: 'timer' }, T0 + 3609.375);
  assert.equal(r.state.state, 'MASTER');
  assert.deepEqual(r.actions.map((a) => a.kind), ['log', 'send-advert', 'log', 'add-vips', 'garp', 'notify']);
  const [timeout, , entering] = r.actions;
  assert.ok(timeout?.kind === 'log' && timeout.message === '(VI_1) Receive advertisement timeout');
  assert.equal(timeout.reason, 'no advertisement from master 192.0.2.2 within Master_Down_Interval 3609.375 ms');
  assert.ok(entering?.kind === 'log' && entering.message === '(VI_1) Entering MASTER STATE');
  assert.deepEqual(r.actions[1], { kind: 'send-advert', priority: 100 });
  assert.equal(r.nextDeadline, T0 + 3609.375 + 1000);
});

test('shutdown in BACKUP goes to STOP without sending anything', () => {
  const r = step(backup(), { kind: 'shutdown' }, T0);
  assert.equal(r.state.state, 'STOP');
  assert.equal(r.nextDeadline, null);
  assert.deepEqual(r.actions.filter((a) => a.kind !== 'log'), [{ kind: 'notify', to: 'STOP', priority: 100, reason: 'shutdown' }]);
});

test('adverts are ignored in FAULT and STOP', () => {
  const faulty = step(backup(), { kind: 'fault-raised', source: 'interface:eth0', reason: 'track_interface eth0 down' }, T0).state;
  assert.equal(faulty.state, 'FAULT');
  const f = step(faulty, advert(0), T0 + 1);
  assert.deepEqual(f.state, faulty);
  assert.equal(f.actions.length, 0);
  const stopped = step(backup(), { kind: 'shutdown' }, T0).state;
  assert.equal(step(stopped, advert(0), T0 + 1).actions.length, 0);
  assert.equal(step(stopped, { kind: 'timer' }, T0 + 99_999).actions.length, 0);
});
