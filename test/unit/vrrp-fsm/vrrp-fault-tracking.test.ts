// FAULT entered and left from tracker events (keepalived's down_instance / try_up_instance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pair, Lan } from './lan-harness.js';

const down = { kind: 'fault-raised', source: 'interface:eth1', reason: 'track_interface eth1 down' } as const;
const up = { kind: 'fault-cleared', source: 'interface:eth1', reason: 'track_interface eth1 up' } as const;

test('a master that faults sends priority 0, drops its VIPs and the backup takes over after Skew_Time', () => {
  const { lan, a, b } = pair({ priority: 200 }, { priority: 100 });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(10_000);
  a.send(down);
  const at = a.log.filter((r) => r.t === 10_000).map((r) => r.action);
  assert.deepEqual(at.map((x) => (x.kind === 'send-advert' ? `advert:${x.priority}` : x.kind === 'notify' ? `notify:${x.to}` : x.kind)),
    ['log', 'advert:0', 'del-vips', 'notify:FAULT']);
  const entering = at[0];
  assert.ok(entering?.kind === 'log' && entering.message === '(VI_1) Entering FAULT STATE');
  assert.equal(entering.reason, 'track_interface eth1 down');
  assert.equal(a.nextDeadline, null);
  lan.runUntil(20_000);
  assert.deepEqual(b.transitions().at(-1), [10_000 + 609.375, 'MASTER']);
  assert.equal(a.advertsAt().filter((t) => t > 10_000).length, 0, 'nothing is sent from FAULT');
});

test('leaving FAULT: a non-owner comes back as BACKUP and preempts the lower master a Master_Down_Interval later', () => {
  const { lan, a, b } = pair({ priority: 200 }, { priority: 100 });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(10_000);
  a.send(down);
  lan.runUntil(20_000);
  a.send(up);
  assert.equal(a.state.state, 'BACKUP');
  assert.ok(a.messages().includes('(VI_1) Entering BACKUP STATE'));
  lan.runUntil(40_000);
  // MD of priority 200: 3 s + 56/256 s.
  assert.deepEqual(a.transitions().slice(-2), [[20_000, 'BACKUP'], [20_000 + 3218.75, 'MASTER']]);
  assert.equal(b.state.state, 'BACKUP');
});

test('leaving FAULT: the address owner goes MASTER at once', () => {
  const { lan, a, b } = pair({ priority: 255 }, { priority: 100 });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(10_000);
  a.send(down);
  lan.runUntil(20_000);
  a.send(up);
  assert.equal(a.state.state, 'MASTER');
  lan.runUntil(20_001);
  assert.deepEqual(b.transitions().at(-1), [20_000, 'BACKUP']);
});

test('every fault must clear before the instance leaves FAULT; repeats are idempotent', () => {
  const lan = new Lan();
  const r = lan.add({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.1' });
  r.send({ kind: 'startup' });
  r.send(down);
  r.send(down);
  r.send({ kind: 'fault-raised', source: 'script:chk', reason: 'track_script chk failed' });
  assert.equal(r.state.faults.length, 2);
  assert.equal(r.transitions().filter(([, s]) => s === 'FAULT').length, 1);
  r.send(up);
  assert.equal(r.state.state, 'FAULT');
  r.send(up);
  r.send({ kind: 'fault-cleared', source: 'script:chk' });
  assert.equal(r.state.state, 'BACKUP');
  const back = r.log.find((x) => x.action.kind === 'log' && x.action.message === '(VI_1) Entering BACKUP STATE');
  assert.ok(back?.action.kind === 'log' && back.action.reason === 'script:chk recovered');
});

test('faults reported before startup put the instance in FAULT at startup', () => {
  const lan = new Lan();
  const r = lan.add({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.1' });
  r.send(down);
  assert.equal(r.state.state, 'INIT');
  r.send({ kind: 'startup' });
  assert.equal(r.state.state, 'FAULT');
  r.send(up);
  assert.equal(r.state.state, 'BACKUP');
});

test('a fault in STOP is ignored', () => {
  const lan = new Lan();
  const r = lan.add({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.1' });
  r.send({ kind: 'startup' });
  r.send({ kind: 'shutdown' });
  r.send(down);
  assert.equal(r.state.state, 'STOP');
  assert.equal(r.state.faults.length, 0);
});
