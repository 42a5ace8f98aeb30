// keepalived's vrrp_set_effective_priority: what a priority change does to each state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInstance, step } from '../../../src/vrrp/fsm/instance-fsm.js';
import { instanceConfig, type InstanceConfigInput, type InstanceState } from '../../../src/vrrp/fsm/fsm-types.js';

function started(cfg: Partial<InstanceConfigInput> = {}): InstanceState {
  return step(createInstance(instanceConfig({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.1', ...cfg })), { kind: 'startup' }, 0).state;
}

test('in BACKUP the running Master_Down_Timer moves by the change in Skew_Time', () => {
  const s = started();
  assert.equal(s.sands, 3609.375);
  const r = step(s, { kind: 'priority-changed', priority: 200 }, 1000);
  // Skew 156/256 s -> 56/256 s: 390.625 ms earlier.
  assert.equal(r.nextDeadline, 3218.75);
  assert.deepEqual(r.actions, [{ kind: 'log', level: 'info', message: '(VI_1) Changing effective priority from 100 to 200' }]);
  // After a priority-0 advert the timer is Skew_Time only, and stays so.
  const z = step(s, { kind: 'advert', priority: 0, srcAddr: '192.0.2.9', advertIntCs: 100 }, 2000);
  assert.equal(z.nextDeadline, 2609.375);
  assert.equal(step(z.state, { kind: 'priority-changed', priority: 200 }, 2100).nextDeadline, 2218.75);
});

test('clamping and the owner rule', () => {
  assert.equal(step(started(), { kind: 'priority-changed', priority: 300 }, 1).state.effectivePriority, 254);
  assert.equal(step(started(), { kind: 'priority-changed', priority: -20 }, 1).state.effectivePriority, 1);
  const owner = started({ priority: 255 });
  const r = step(owner, { kind: 'priority-changed', priority: 100 }, 1);
  assert.equal(r.state.effectivePriority, 255);
  assert.equal(r.actions.length, 0);
  const same = step(started(), { kind: 'priority-changed', priority: 100 }, 1);
  assert.equal(same.actions.length, 0);
});

test('a master advertises its new priority from the next advert on, and notifies if asked to', () => {
  const b = started({ notifyPriorityChanges: true });
  const m = step(b, { kind: 'timer' }, 3609.375).state;
  const r = step(m, { kind: 'priority-changed', priority: 80 }, 4000);
  assert.ok(r.actions.some((a) => a.kind === 'notify' && a.to === 'MASTER_PRIORITY' && a.priority === 80));
  assert.equal(r.nextDeadline, 4609.375);
  const next = step(r.state, { kind: 'timer' }, 4609.375);
  assert.deepEqual(next.actions[0], { kind: 'send-advert', priority: 80 });
  const bp = step(b, { kind: 'priority-changed', priority: 90 }, 10);
  assert.ok(bp.actions.some((a) => a.kind === 'notify' && a.to === 'BACKUP_PRIORITY'));
});

test('the initial effective priority comes from the trackers and is clamped', () => {
  const cfg = instanceConfig({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.1' });
  assert.equal(createInstance(cfg, { effectivePriority: 130 }).effectivePriority, 130);
  assert.equal(createInstance(cfg, { effectivePriority: 999 }).effectivePriority, 254);
  const owner = instanceConfig({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.1', priority: 255 });
  assert.equal(createInstance(owner, { effectivePriority: 100 }).effectivePriority, 255);
});
