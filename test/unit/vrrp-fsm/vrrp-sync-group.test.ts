// vrrp_sync_group: members change state together (keepalived's vrrp_sync.c and VRRP_TSM).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, type TimerHandle } from '../../../src/core/clock.js';
import { createInstance } from '../../../src/vrrp/fsm/instance-fsm.js';
import { instanceConfig, type InstanceConfigInput, type VrrpAction, type VrrpEvent } from '../../../src/vrrp/fsm/fsm-types.js';
import {
  createSyncGroup, startSyncGroup, stepSyncGroup, type GroupAction, type GroupStepResult, type Instances, type SyncGroupState,
} from '../../../src/vrrp/fsm/sync-group.js';

const VRID: Record<string, number> = { VI_1: 51, VI_2: 52 };

/** One keepalived node running sync group G = { VI_1, VI_2 } on a shared FakeClock. */
class Node {
  group: SyncGroupState;
  instances: Instances;
  readonly log: Array<{ t: number; instance: string; action: VrrpAction }> = [];
  readonly groupLog: Array<{ t: number; action: GroupAction }> = [];
  readonly #timers = new Map<string, TimerHandle>();

  constructor(readonly net: Net, readonly addr: string, cfg: Partial<InstanceConfigInput> = {}, perInstance: Record<string, Partial<InstanceConfigInput>> = {}) {
    const instances: Record<string, ReturnType<typeof createInstance>> = {};
    for (const name of ['VI_1', 'VI_2']) {
      instances[name] = createInstance(instanceConfig({
        name, vrid: VRID[name] ?? 0, primaryAddr: addr, ...cfg, ...perInstance[name],
      }));
    }
    this.instances = instances;
    this.group = createSyncGroup('G', ['VI_1', 'VI_2'], instances);
    net.nodes.push(this);
  }

  start(): void {
    this.#apply(startSyncGroup(this.group, this.instances, this.net.clock.now()));
  }

  send(instance: string, event: VrrpEvent): void {
    this.#apply(stepSyncGroup(this.group, this.instances, instance, event, this.net.clock.now()));
  }

  #apply(r: GroupStepResult): void {
    const t = this.net.clock.now();
    this.group = r.group;
    this.instances = r.instances;
    for (const { instance, action } of r.actions) {
      this.log.push({ t, instance, action });
      if (action.kind === 'send-advert') this.net.broadcast(this, instance, action.priority);
    }
    for (const action of r.groupActions) this.groupLog.push({ t, action });
    for (const [name, deadline] of Object.entries(r.deadlines)) {
      this.#timers.get(name)?.cancel();
      this.#timers.delete(name);
      if (deadline !== null) this.#timers.set(name, this.net.clock.setTimer(deadline - t, () => this.send(name, { kind: 'timer' })));
    }
  }

  state(name: string): string {
    return this.instances[name]?.state ?? '?';
  }

  transitions(name: string): Array<[number, string]> {
    return this.log.filter((r) => r.instance === name && r.action.kind === 'notify' && ['MASTER', 'BACKUP', 'FAULT'].includes(r.action.to))
      .map((r) => [r.t, r.action.kind === 'notify' ? r.action.to : '']);
  }

  groupNotifies(): Array<[number, string]> {
    return this.groupLog.flatMap((g) => (g.action.kind === 'notify-group' ? [[g.t, g.action.to] as [number, string]] : []));
  }
}

class Net {
  readonly clock = new FakeClock();
  readonly nodes: Node[] = [];
  broadcast(from: Node, instance: string, priority: number): void {
    for (const to of this.nodes) {
      if (to === from) continue;
      const ev: VrrpEvent = { kind: 'advert', priority, srcAddr: from.addr, advertIntCs: 100 };
      this.clock.setTimer(0, () => to.send(instance, ev));
    }
  }
  runUntil(t: number): void {
    this.clock.advance(t - this.clock.now());
  }
}

function twoNodes(): { net: Net; n1: Node; n2: Node } {
  const net = new Net();
  const n1 = new Node(net, '192.0.2.1', { priority: 200 });
  const n2 = new Node(net, '192.0.2.2', { priority: 100 });
  n1.start();
  n2.start();
  net.runUntil(10_000);
  assert.equal(n1.state('VI_1'), 'MASTER');
  assert.equal(n1.state('VI_2'), 'MASTER');
  return { net, n1, n2 };
}

test('one member in FAULT drags the whole group to FAULT, and the peer group takes over together', () => {
  const { net, n1, n2 } = twoNodes();
  n1.send('VI_1', { kind: 'fault-raised', source: 'interface:eth1', reason: 'track_interface eth1 down' });
  assert.equal(n1.state('VI_1'), 'FAULT');
  assert.equal(n1.state('VI_2'), 'FAULT');
  assert.equal(n1.group.state, 'FAULT');
  assert.ok(n1.groupLog.some((g) => g.action.kind === 'log' && g.action.message === 'VRRP_Group(G) Syncing instances to FAULT state'));
  // Both members sent priority 0 and dropped their VIPs.
  const zero = n1.log.filter((r) => r.t === 10_000 && r.action.kind === 'send-advert' && r.action.priority === 0).map((r) => r.instance);
  assert.deepEqual(zero.sort(), ['VI_1', 'VI_2']);
  assert.equal(n1.log.filter((r) => r.t === 10_000 && r.action.kind === 'del-vips').length, 2);
  net.runUntil(20_000);
  // On n2 both Skew_Timers run out at 10.609375 s: the first waits for the second, which
  // then takes the group to MASTER.
  assert.deepEqual(n2.transitions('VI_1').at(-1), [10_609.375, 'MASTER']);
  assert.deepEqual(n2.transitions('VI_2').at(-1), [10_609.375, 'MASTER']);
  assert.deepEqual(n2.groupNotifies(), [[10_609.375, 'MASTER']]);
});

test('the group leaves FAULT only when the faulty member recovers, then all members leave together', () => {
  const { net, n1 } = twoNodes();
  n1.send('VI_1', { kind: 'fault-raised', source: 'interface:eth1', reason: 'track_interface eth1 down' });
  net.runUntil(15_000);
  // VI_2 has no fault of its own; a cleared fault it never had changes nothing.
  n1.send('VI_2', { kind: 'fault-cleared', source: 'interface:eth1' });
  assert.equal(n1.state('VI_2'), 'FAULT');
  n1.send('VI_1', { kind: 'fault-cleared', source: 'interface:eth1', reason: 'track_interface eth1 up' });
  assert.equal(n1.state('VI_1'), 'BACKUP');
  assert.equal(n1.state('VI_2'), 'BACKUP');
  assert.equal(n1.group.state, 'BACKUP');
  net.runUntil(30_000);
  // Priority 200 preempts n2's 100 on both VRIDs, together, 3 s + 56/256 s later.
  assert.deepEqual(n1.transitions('VI_1').at(-1), [15_000 + 3218.75, 'MASTER']);
  assert.deepEqual(n1.transitions('VI_2').at(-1), [15_000 + 3218.75, 'MASTER']);
});

test('a member that times out waits in BACKUP until every member wants MASTER (keepalived prefers backup)', () => {
  const { net, n1, n2 } = twoNodes();
  // Only VI_1 on n2 outranks n1 now; n2's VI_2 keeps accepting n1's adverts.
  n2.send('VI_1', { kind: 'priority-changed', priority: 250 });
  net.runUntil(60_000);
  assert.equal(n2.state('VI_1'), 'BACKUP');
  assert.equal(n2.instances.VI_1?.wantState, 'MASTER');
  assert.equal(n1.state('VI_1'), 'MASTER');
  assert.ok(n2.log.some((r) => r.action.kind === 'log' && r.action.message === '(VI_1) sync group G: waiting for all members to want MASTER'));
  // Once VI_2 outranks n1 too, both go MASTER in one step, and n1 follows to BACKUP together.
  n2.send('VI_2', { kind: 'priority-changed', priority: 250 });
  net.runUntil(70_000);
  assert.equal(n2.state('VI_1'), 'MASTER');
  assert.equal(n2.state('VI_2'), 'MASTER');
  const [t1] = n2.transitions('VI_1').at(-1) ?? [];
  const [t2] = n2.transitions('VI_2').at(-1) ?? [];
  assert.equal(t1, t2);
  assert.equal(n1.state('VI_1'), 'BACKUP');
  assert.equal(n1.state('VI_2'), 'BACKUP');
});

test('MASTER -> BACKUP on one member takes the others to BACKUP in the same step', () => {
  const { n1 } = twoNodes();
  n1.send('VI_1', { kind: 'advert', priority: 250, srcAddr: '192.0.2.9', advertIntCs: 100 });
  assert.equal(n1.state('VI_1'), 'BACKUP');
  assert.equal(n1.state('VI_2'), 'BACKUP');
  const vi2 = n1.log.filter((r) => r.instance === 'VI_2' && r.t === 10_000);
  assert.deepEqual(vi2.map((r) => r.action.kind), ['log', 'del-vips', 'notify']);
  const why = vi2[0]?.action;
  assert.ok(why?.kind === 'log' && why.message === '(VI_2) Entering BACKUP STATE' && why.reason === 'sync group G: a member went BACKUP');
  assert.ok(n1.groupLog.some((g) => g.action.kind === 'notify-group' && g.action.to === 'BACKUP'));
});

test('a master answering a lower-priority advert re-GARPs for the other members too', () => {
  const { n1 } = twoNodes();
  n1.send('VI_1', { kind: 'advert', priority: 50, srcAddr: '192.0.2.9', advertIntCs: 100 });
  const garps = n1.log.filter((r) => r.t === 10_000 && r.action.kind === 'garp' && r.action.cause === 'lower-prio').map((r) => r.instance);
  assert.deepEqual(garps, ['VI_1', 'VI_2']);
});

test('a member faulty at startup starts the whole group in FAULT', () => {
  const net = new Net();
  const n = new Node(net, '192.0.2.1');
  n.send('VI_2', { kind: 'fault-raised', source: 'script:chk', reason: 'track_script chk failed' });
  n.group = createSyncGroup('G', ['VI_1', 'VI_2'], n.instances);
  assert.equal(n.group.state, 'FAULT');
  n.start();
  assert.equal(n.state('VI_1'), 'FAULT');
  assert.equal(n.state('VI_2'), 'FAULT');
  const vi1 = n.log.find((r) => r.instance === 'VI_1' && r.action.kind === 'log');
  assert.ok(vi1?.action.kind === 'log' && vi1.action.message === '(VI_1) Entering FAULT STATE (init)');
  n.send('VI_2', { kind: 'fault-cleared', source: 'script:chk' });
  assert.equal(n.state('VI_1'), 'BACKUP');
  assert.equal(n.state('VI_2'), 'BACKUP');
});

test('an all-owner group starts MASTER; a mixed group starts BACKUP', () => {
  const owners = createInstance(instanceConfig({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.1', priority: 255 }));
  const owners2 = createInstance(instanceConfig({ name: 'VI_2', vrid: 52, primaryAddr: '192.0.2.1', priority: 255 }));
  const g = createSyncGroup('G', ['VI_1', 'VI_2'], { VI_1: owners, VI_2: owners2 });
  assert.equal(g.state, 'MASTER');
  const r = startSyncGroup(g, { VI_1: owners, VI_2: owners2 }, 0);
  assert.equal(r.instances.VI_1?.state, 'MASTER');
  assert.equal(r.instances.VI_2?.state, 'MASTER');

  const plain = createInstance(instanceConfig({ name: 'VI_2', vrid: 52, primaryAddr: '192.0.2.1', priority: 100 }));
  const mixed = createSyncGroup('G', ['VI_1', 'VI_2'], { VI_1: owners, VI_2: plain });
  assert.equal(mixed.state, 'BACKUP');
  const m = startSyncGroup(mixed, { VI_1: owners, VI_2: plain }, 0);
  // The owner waits one advert interval + minimum skew (keepalived's VRRP_TIMER_SKEW_MIN).
  assert.equal(m.instances.VI_1?.state, 'BACKUP');
  assert.equal(m.deadlines.VI_1, 1000 + 3.906);
  assert.equal(m.deadlines.VI_2, 3609.375);
});

test("a group that starts BACKUP or FAULT notifies it before its members (vrrp_init_state); one that starts MASTER does not", () => {
  const mk = (name: string, vrid: number, priority: number) => createInstance(instanceConfig({ name, vrid, primaryAddr: '192.0.2.1', priority }));
  const lead = (r: GroupStepResult) => (r.leadingGroupActions ?? []).map((a) => (a.kind === 'notify-group' ? `${a.group} ${a.to}` : a.kind));
  const backup = { VI_1: mk('VI_1', 51, 150), VI_2: mk('VI_2', 52, 120) };
  assert.deepEqual(lead(startSyncGroup(createSyncGroup('G', ['VI_1', 'VI_2'], backup), backup, 0)), ['G BACKUP']);
  const owners = { VI_1: mk('VI_1', 51, 255), VI_2: mk('VI_2', 52, 255) };
  const m = startSyncGroup(createSyncGroup('G', ['VI_1', 'VI_2'], owners), owners, 0);
  assert.deepEqual(lead(m), []);
  const net = new Net();
  const n = new Node(net, '192.0.2.1');
  n.send('VI_2', { kind: 'fault-raised', source: 'script:chk', reason: 'track_script chk failed' });
  const faulty = createSyncGroup('G', ['VI_1', 'VI_2'], n.instances);
  assert.deepEqual(lead(startSyncGroup(faulty, n.instances, 0)), ['G FAULT']);
});
