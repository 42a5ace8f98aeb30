// RFC 5798 §6.4.3 Master, as keepalived's vrrp_state_master_rx / vrrp_state_master_tx do it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInstance, step } from '../../../src/vrrp/fsm/instance-fsm.js';
import {
  instanceConfig, type InstanceConfigInput, type InstanceState, type VrrpAction, type VrrpEvent,
} from '../../../src/vrrp/fsm/fsm-types.js';

/** A priority-100 master takes over at 3609.375 ms; its next advert is due at 4609.375. */
const T0 = 4000;
function master(cfg: Partial<InstanceConfigInput> = {}): InstanceState {
  const s0 = createInstance(instanceConfig({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.10', ...cfg }));
  const b = step(s0, { kind: 'startup' }, 0);
  assert.ok(b.nextDeadline !== null);
  const m = step(b.state, { kind: 'timer' }, b.nextDeadline);
  assert.equal(m.state.state, 'MASTER');
  return m.state;
}
const advert = (priority: number, srcAddr = '192.0.2.20', advertIntCs = 100): Extract<VrrpEvent, { kind: 'advert' }> =>
  ({ kind: 'advert', priority, srcAddr, advertIntCs });
const shape = (actions: readonly VrrpAction[]): string[] => actions.map((a) =>
  a.kind === 'send-advert' ? `advert:${a.priority}` : a.kind === 'notify' ? `notify:${a.to}`
    : a.kind === 'garp' ? `garp:${a.cause}x${a.repeat}` : a.kind);

test('advert table: what each advert does to a priority-100 master at 192.0.2.10', () => {
  const rows: Array<{ what: string; cfg?: Partial<InstanceConfigInput>; ev: VrrpEvent; state: string; actions: string[]; deadline: number }> = [
    // "If the Priority in the ADVERTISEMENT is zero, then: Send an ADVERTISEMENT, Reset the Adver_Timer"
    { what: 'priority 0', ev: advert(0), state: 'MASTER', actions: ['advert:100', 'log'], deadline: T0 + 1000 },
    // "... greater than the local Priority ... Transition to the {Backup} state"
    {
      what: 'higher priority', ev: advert(150), state: 'BACKUP',
      actions: ['log', 'log', 'del-vips', 'notify:BACKUP'], deadline: T0 + 3609.375,
    },
    // "... equal to the local Priority and the primary IPvX Address of the sender is greater"
    {
      what: 'equal priority, higher address', ev: advert(100, '192.0.2.200'), state: 'BACKUP',
      actions: ['log', 'log', 'del-vips', 'notify:BACKUP'], deadline: T0 + 3609.375,
    },
    // Numeric, not textual, comparison: 192.0.2.9 < 192.0.2.10 although "9" > "1".
    {
      what: 'equal priority, lower address', ev: advert(100, '192.0.2.9'), state: 'MASTER',
      actions: ['log', 'advert:100', 'garp:lower-priox5', 'notify:MASTER_RX_LOWER_PRI'], deadline: T0 + 1000,
    },
    // keepalived answers a lower-priority master and re-GARPs so a split brain heals.
    {
      what: 'lower priority', ev: advert(50), state: 'MASTER',
      actions: ['log', 'advert:100', 'garp:lower-priox5', 'notify:MASTER_RX_LOWER_PRI'], deadline: T0 + 1000,
    },
    {
      what: 'lower priority, lower_prio_no_advert, garp_lower_prio_repeat 0', cfg: { lowerPrioNoAdvert: true, garpLowerPrioRepeat: 0 },
      ev: advert(50), state: 'MASTER', actions: ['log', 'notify:MASTER_RX_LOWER_PRI'], deadline: 3609.375 + 1000,
    },
    {
      what: 'higher priority, higher_prio_send_advert', cfg: { higherPrioSendAdvert: true }, ev: advert(150), state: 'BACKUP',
      actions: ['advert:100', 'log', 'log', 'del-vips', 'notify:BACKUP'], deadline: T0 + 3609.375,
    },
    // v3: the new master's interval is adopted on the way to BACKUP: 3 × 0.5 s + 78 × 50/256 cs.
    {
      what: 'v3 higher priority with 50 cs adverts', cfg: { version: 3 }, ev: advert(150, '192.0.2.20', 50), state: 'BACKUP',
      actions: ['log', 'log', 'del-vips', 'notify:BACKUP'], deadline: T0 + 1804.687,
    },
    { what: 'from self', ev: { ...advert(150), fromSelf: true }, state: 'MASTER', actions: [], deadline: 3609.375 + 1000 },
  ];
  for (const row of rows) {
    const r = step(master(row.cfg), row.ev, T0);
    assert.equal(r.state.state, row.state, row.what);
    assert.deepEqual(shape(r.actions), row.actions, row.what);
    assert.equal(r.nextDeadline, row.deadline, row.what);
  }
});

test('keepalived wording of the master-side election logs', () => {
  const lower = step(master(), advert(50), T0).actions;
  assert.ok(lower.some((a) => a.kind === 'log'
    && a.message === '(VI_1) Received advert from 192.0.2.20 with lower priority 50, ours 100, forcing new election'));
  const higher = step(master(), advert(150), T0).actions;
  assert.deepEqual(higher.filter((a) => a.kind === 'log').map((a) => a.kind === 'log' && a.message), [
    '(VI_1) Master received advert from 192.0.2.20 with higher priority 150, ours 100',
    '(VI_1) Entering BACKUP STATE',
  ]);
  const same = step(master(), advert(100, '192.0.2.200'), T0).actions;
  assert.ok(same.some((a) => a.kind === 'log'
    && a.message === '(VI_1) Master received advert from 192.0.2.200 with same priority 100 but higher IP address than ours'));
});

test('Adver_Timer: one advert per interval, and the delayed GARP burst after garp_master_delay', () => {
  let s = master();
  const became = 3609.375;
  assert.equal(s.garpDelayedAt, became + 5000);
  const sent: number[] = [];
  const garps: string[] = [];
  let t = became;
  for (let i = 0; i < 6; i++) {
    const next = [s.sands, s.garpDelayedAt].filter((x): x is number => x !== null).sort((x, y) => x - y)[0];
    assert.ok(next !== undefined);
    t = next;
    const r = step(s, { kind: 'timer' }, t);
    s = r.state;
    for (const a of r.actions) {
      if (a.kind === 'send-advert') sent.push(t - became);
      if (a.kind === 'garp') garps.push(`${t - became}:${a.cause}:${a.delayed}`);
    }
  }
  assert.deepEqual(sent, [1000, 2000, 3000, 4000, 5000, 6000]);
  assert.deepEqual(garps, ['5000:master-delay:true']);
});

test('garp_master_refresh re-GARPs with the advert once the refresh interval has passed', () => {
  let s = master({ garpMasterRefreshMs: 2000, garpMasterRefreshRepeat: 2, garpMasterDelayMs: 0 });
  const garps: string[] = [];
  for (let i = 1; i <= 6; i++) {
    const r = step(s, { kind: 'timer' }, 3609.375 + i * 1000);
    s = r.state;
    for (const a of r.actions) if (a.kind === 'garp') garps.push(`${i} s after: ${a.cause} x${a.repeat}`);
  }
  assert.deepEqual(garps, ['2 s after: refresh x2', '4 s after: refresh x2', '6 s after: refresh x2']);
});

test('the lower-priority re-GARP has its own delayed second burst', () => {
  const r = step(master({ garpLowerPrioDelayMs: 2000, garpLowerPrioRepeat: 3 }), advert(50), T0);
  assert.equal(r.state.garpLowerPrioAt, T0 + 2000);
  const d = step(r.state, { kind: 'timer' }, T0 + 2000);
  assert.ok(d.actions.some((a) => a.kind === 'garp' && a.cause === 'lower-prio-delay' && a.repeat === 3 && a.delayed));
});

test('shutdown as master: priority-0 advert, VIPs removed, STOP', () => {
  const r = step(master(), { kind: 'shutdown' }, T0);
  assert.deepEqual(shape(r.actions), ['advert:0', 'log', 'del-vips', 'log', 'notify:STOP']);
  assert.equal(r.state.state, 'STOP');
  assert.equal(r.state.vipSet, false);
  assert.equal(r.nextDeadline, null);
  assert.equal(r.state.stats.priZeroSent, 1);
});

test('two owners on one VRID: keepalived drops the local one to 254 and yields on the tie-break', () => {
  const owner = step(createInstance(instanceConfig({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.10', priority: 255 })),
    { kind: 'startup' }, 0).state;
  // The other owner has the lower address: without the demotion we would stay MASTER.
  const r = step(owner, advert(255, '192.0.2.9'), T0);
  assert.equal(r.state.effectivePriority, 254);
  assert.equal(r.state.ownerDemoted, true);
  assert.equal(r.state.state, 'BACKUP');
  assert.ok(r.actions.some((a) => a.kind === 'log' && a.level === 'warning' && a.message.includes('CONFIGURATION ERROR')));
  // Demoted, it now follows tracker priorities like any non-owner (and is capped at 254).
  assert.equal(step(r.state, { kind: 'priority-changed', priority: 255 }, T0 + 1).state.effectivePriority, 254);
});
