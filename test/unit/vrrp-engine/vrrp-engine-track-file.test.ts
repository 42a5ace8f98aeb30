// track_file in the engine: the integer in the file times the weight moves the priority
// (and the election); weight 0 means FAULT on a non-zero value (reverse: on zero);
// init_file writes the file at startup; a deleted file reads 0; an out-of-range number
// keeps the last value; nothing reads or watches a file no instance tracks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import type { TrackFileSpec } from '../../../src/vrrp/engine/types.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { node, runFor, stateOf, v4Instance, VIP } from './fake-host.js';

const F = '/run/halb/prio';
const file = (o: Partial<TrackFileSpec> = {}): TrackFileSpec => ({ name: 'tf', path: F, weight: 1, ...o });

function pair(clock: FakeClock, spec: TrackFileSpec, ref: { weight?: number; reverse?: boolean } = {}) {
  const lan = new MemoryLan(clock, 0);
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', {
    instances: [v4Instance({ priority: 150 }, { trackFiles: [{ file: 'tf', ...ref }] })], trackFiles: [spec],
  });
  const b = node(lan, clock, '192.0.2.2', '02:00:00:00:00:02', { instances: [v4Instance({ priority: 100 })] });
  return { a, b };
}

test('the value times the weight moves the priority; the peer preempts and is preempted back', async () => {
  const clock = new FakeClock();
  const { a, b } = pair(clock, file({ weight: 2 }));
  a.host.files.set(F, '0\n');
  await a.engine.start();
  await b.engine.start();
  await runFor(clock, 5000);
  assert.equal(stateOf(a), 'MASTER');
  a.host.writeFile(F, '-30\n');
  await runFor(clock, 5000);
  const s = a.engine.snapshot().instances[0]!;
  assert.equal(s.effectivePriority, 90, '150 + (-30 x 2)');
  assert.deepEqual(s.contributors.map((c) => [c.kind, c.name, c.status, c.delta]), [['interface', 'eth0', 'OK', 0], ['file', 'tf', -30, -60]]);
  assert.equal(stateOf(a), 'BACKUP');
  assert.equal(stateOf(b), 'MASTER');
  assert.ok(b.host.holds(VIP) && !a.host.holds(VIP));
  assert.ok(a.logs.some((l) => l.msg === 'track_file tf: /run/halb/prio now reads -30 (was 0)'));
  // A deleted file reads 0: priority 150 again, and it preempts back.
  a.host.writeFile(F, undefined);
  await runFor(clock, 5000);
  assert.equal(a.engine.snapshot().instances[0]!.effectivePriority, 150);
  assert.equal(stateOf(a), 'MASTER');
  assert.equal(stateOf(b), 'BACKUP');
  await a.engine.stop();
  await b.engine.stop();
  assert.equal(a.host.watchedFiles(), 0, 'the watch is closed on stop');
});

test('weight 0: a non-zero value is a FAULT (priority 0 sent); with reverse, zero is', async () => {
  const clock = new FakeClock();
  const { a, b } = pair(clock, file({ weight: 0 }));
  await a.engine.start();
  await b.engine.start();
  await runFor(clock, 5000);
  assert.equal(stateOf(a), 'MASTER', 'a missing file reads 0: no fault');
  a.host.writeFile(F, '1');
  await runFor(clock, 10);
  assert.equal(stateOf(a), 'FAULT');
  assert.equal(a.engine.snapshot().instances[0]!.counters.priZeroSent, 1);
  assert.deepEqual(a.engine.snapshot().instances[0]!.faults.map((f) => f.reason), ['track_file tf has value 1']);
  await runFor(clock, 1000);
  assert.equal(stateOf(b), 'MASTER', 'the backup took over after Skew_Time');
  a.host.writeFile(F, '0');
  await runFor(clock, 5000);
  assert.equal(stateOf(a), 'MASTER');
  await a.engine.stop();
  await b.engine.stop();

  const c2 = new FakeClock();
  const r = pair(c2, file({ weight: 0 }), { reverse: true });
  r.a.host.files.set(F, '7');
  await r.a.engine.start();
  await runFor(c2, 5000);
  assert.equal(stateOf(r.a), 'MASTER', 'reverse: non-zero is fine');
  r.a.host.writeFile(F, '0');
  await runFor(c2, 10);
  assert.equal(stateOf(r.a), 'FAULT', 'reverse: zero is a fault');
  await r.a.engine.stop();
});

test('init_file writes the value when the file is missing, or always with overwrite', async () => {
  const clock = new FakeClock();
  const { a } = pair(clock, file({ weight: 1, init: { value: -20, overwrite: false } }));
  await a.engine.start();
  assert.equal(a.host.files.get(F), '-20\n');
  assert.equal(a.engine.snapshot().instances[0]!.effectivePriority, 130, 'the instance starts on the initial value');
  await a.engine.stop();

  const kept = pair(new FakeClock(), file({ weight: 1, init: { value: -20, overwrite: false } }));
  kept.a.host.files.set(F, '5');
  await kept.a.engine.start();
  assert.equal(kept.a.host.files.get(F), '5', 'an existing file is left alone');
  assert.equal(kept.a.engine.snapshot().instances[0]!.effectivePriority, 155);
  await kept.a.engine.stop();

  const over = pair(new FakeClock(), file({ weight: 1, init: { value: 3, overwrite: true } }));
  over.a.host.files.set(F, '5');
  await over.a.engine.start();
  assert.equal(over.a.host.files.get(F), '3\n');
  await over.a.engine.stop();
});

test('an out-of-range number keeps the last value; hex and octal read as strtol does', async () => {
  const clock = new FakeClock();
  const { a } = pair(clock, file({ weight: 1 }));
  a.host.files.set(F, '0x10');
  await a.engine.start();
  assert.equal(a.engine.snapshot().instances[0]!.effectivePriority, 166);
  a.host.writeFile(F, '99999999999');
  await runFor(clock, 10);
  assert.equal(a.engine.snapshot().instances[0]!.effectivePriority, 166, 'kept');
  assert.ok(a.logs.some((l) => l.msg === 'Invalid number read from /run/halb/prio - ignoring'));
  a.host.writeFile(F, '-010 trailing words');
  await runFor(clock, 10);
  assert.equal(a.engine.snapshot().instances[0]!.effectivePriority, 142, 'octal 010 = 8');
  await a.engine.stop();
});

test('a file no instance tracks is neither read nor watched; an unknown reference is logged', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', {
    instances: [v4Instance({ priority: 150 }, { trackFiles: [{ file: 'nope' }] })], trackFiles: [file()],
  });
  await a.engine.start();
  assert.equal(a.host.watchedFiles(), 0);
  assert.ok(a.logs.some((l) => l.msg === '(VI_1) track file nope not found - ignoring'));
  await a.engine.stop();
});
