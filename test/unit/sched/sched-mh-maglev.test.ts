import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MH_DEFAULT_TABLE_SIZE, MaglevScheduler, buildMaglevLookup, buildMaglevTable, maglevBucket,
} from '../../../src/dataplane/sched/mh.js';
import { clientAddr, dest, pool, req, tally, type MutableDest } from './fixture.js';

const CLIENTS = 10000;

function pickAll(s: MaglevScheduler, p: readonly MutableDest[]): (string | undefined)[] {
  return Array.from({ length: CLIENTS }, (_, i) => s.pick(p, req({ clientAddr: clientAddr(i) }))?.id);
}

test('mh default table is the kernel default prime, 4093 entries', () => {
  assert.equal(MH_DEFAULT_TABLE_SIZE, 4093);
  assert.equal(new MaglevScheduler().tableSize, 4093);
});

test('mh with equal weights gives every server floor(M/N) or ceil(M/N) table entries', () => {
  for (const n of [1, 2, 3, 7, 10]) {
    const lookup = buildMaglevLookup(pool(...Array<number>(n).fill(1)), 4093);
    const counts = [...tally([...lookup].map(String)).values()];
    assert.equal(counts.length, n);
    for (const c of counts) assert.ok(c === Math.floor(4093 / n) || c === Math.ceil(4093 / n), `n=${n}: ${counts}`);
  }
});

test('mh shares the table in proportion to weight (gcd-scaled turns)', () => {
  for (const weights of [[1, 2, 3], [100, 200, 300], [5, 5, 10, 20]]) {
    const p = pool(...weights);
    const counts = tally([...buildMaglevLookup(p, 4093)].map((i) => p[i]!.id));
    const total = weights.reduce((a, b) => a + b, 0);
    p.forEach((d, i) => {
      const want = (4093 * weights[i]!) / total;
      assert.ok(Math.abs(counts.get(d.id)! - want) <= weights.length * 4, `${weights}: ${d.id} ${counts.get(d.id)} vs ${want}`);
    });
  }
  // Weights too large for 6 bits are shifted down, yet still fill the table by share.
  const p = pool(1, 1000);
  const counts = tally([...buildMaglevLookup(p, 4093)].map((i) => p[i]!.id));
  assert.equal(counts.get(p[0]!.id)! + counts.get(p[1]!.id)!, 4093);
  assert.ok(counts.get(p[1]!.id)! > 40 * counts.get(p[0]!.id)!, `${[...counts.values()]}`);
});

test('mh spreads 10000 clients evenly and keeps each on its server', () => {
  const s = new MaglevScheduler();
  const p = pool(1, 1, 1, 1, 1);
  const first = pickAll(s, p);
  for (const n of tally(first).values()) assert.ok(Math.abs(n / CLIENTS - 0.2) < 0.02, `${[...tally(first).values()]}`);
  assert.deepEqual(pickAll(s, p), first);
  // Listing the pool in another order changes nothing.
  assert.deepEqual(pickAll(new MaglevScheduler(), [...p].reverse()), first);
});

test('mh moves only ~1/N of 10000 clients when one of N servers leaves', () => {
  for (const n of [5, 10]) {
    const s = new MaglevScheduler();
    const p = pool(...Array<number>(n).fill(1));
    const before = pickAll(s, p);
    const gone = p[3]!.id;
    const after = pickAll(s, p.filter((d) => d.id !== gone));
    let moved = 0;
    let movedInnocent = 0;
    for (let i = 0; i < CLIENTS; i++) {
      if (before[i] === after[i]) continue;
      moved++;
      if (before[i] !== gone) movedInnocent++;
    }
    const lost = before.filter((id) => id === gone).length;
    // Every client of the removed server moves; Maglev disturbs only a few others.
    assert.ok(Math.abs(moved / CLIENTS - 1 / n) < 0.35 / n, `n=${n}: moved ${moved}`);
    assert.ok(movedInnocent / CLIENTS < 0.02, `n=${n}: ${movedInnocent} clients of surviving servers moved`);
    assert.ok(moved >= lost);
  }
});

test('mh quiescing keeps the table (last_weight): clients get none, or mh-fallback, then come back', () => {
  const plain = new MaglevScheduler();
  const fb = new MaglevScheduler({ fallback: true });
  const p = pool(1, 1, 1, 1);
  const before = pickAll(plain, p);
  assert.deepEqual(pickAll(fb, p), before);
  p[2]!.weight = 0;
  const off = p[2]!.id;
  const lookup = buildMaglevLookup(pool(1, 1, 1, 1), MH_DEFAULT_TABLE_SIZE);
  const noFallback = pickAll(plain, p);
  const withFallback = pickAll(fb, p);
  const movedTo: string[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    if (before[i] !== off) {
      assert.equal(noFallback[i], before[i]);
      assert.equal(withFallback[i], before[i]);
      continue;
    }
    assert.equal(noFallback[i], undefined);
    // Fallback: the next table position (forward, wrapping) that holds an available server.
    let pos = maglevBucket(req({ clientAddr: clientAddr(i) }));
    do pos = (pos + 1) % lookup.length; while (p[lookup[pos]!]!.id === off);
    assert.equal(withFallback[i], p[lookup[pos]!]!.id);
    movedTo.push(withFallback[i]!);
  }
  assert.equal(tally(movedTo).size, 3, 'the quiesced server\'s clients spread over all three others');
  p[2]!.weight = 1;
  assert.deepEqual(pickAll(fb, p), before);
  // Overloaded is unavailable too.
  p[0]!.overloaded = true;
  assert.ok(!pickAll(fb, p).includes(p[0]!.id));
  assert.ok(!pickAll(plain, p).includes(p[0]!.id));
});

test('mh-port hashes the source port too', () => {
  const p = pool(1, 1, 1);
  const ports = Array.from({ length: 1000 }, (_, i) => 2000 + i);
  const plain = tally(ports.map((port) => new MaglevScheduler().pick(p, req({ clientPort: port }))?.id));
  const withPort = tally(ports.map((port) => new MaglevScheduler({ port: true }).pick(p, req({ clientPort: port }))?.id));
  assert.equal(plain.size, 1);
  assert.equal(withPort.size, 3);
  for (const n of withPort.values()) assert.ok(n > 250, `${[...withPort.values()]}`);
});

test('buildMaglevTable and MaglevScheduler#table are exactly what pick() does per position', () => {
  const p = [dest('192.0.2.10:80', 3), dest('192.0.2.11:80', 1), dest('192.0.2.12:80', 2), dest('192.0.2.13:80', 2)];
  for (const fallback of [false, true]) {
    const s = new MaglevScheduler({ fallback }, { tableSize: 251 });
    s.pick(p, req());
    p[0]!.weight = 0;
    p[3]!.overloaded = true;
    const own = s.table(p);
    const pure = buildMaglevTable(p, 251, { fallback }, s.lastWeights());
    assert.deepEqual([...pure], [...own]);
    assert.equal(s.lastWeights().get('192.0.2.10:80'), 3);
    for (let i = 0; i < 3000; i++) {
      const r = req({ clientAddr: clientAddr(i) });
      const e = own[maglevBucket(r, 251)]!;
      assert.equal(s.pick(p, r)?.id, e < 0 ? undefined : p[e]!.id);
    }
    p[0]!.weight = 3;
    p[3]!.overloaded = false;
  }
  // Without a weight history the current weights build the table.
  const fresh = buildMaglevTable(pool(1, 1), 251);
  assert.equal(fresh.length, 251);
  assert.ok(fresh.every((i) => i === 0 || i === 1));
});

test('mh edge cases: empty pool, all quiesced, a server added with weight 0, bad table size', () => {
  assert.equal(new MaglevScheduler().pick([], req()), undefined);
  assert.ok(buildMaglevLookup([], 251).every((i) => i === -1));
  assert.equal(new MaglevScheduler({ fallback: true }).pick(pool(0, 0), req()), undefined);
  // Added with weight 0: last_weight 0, so it holds no entries until given a weight.
  const s = new MaglevScheduler();
  const p = pool(1, 0);
  assert.ok(pickAll(s, p).every((id) => id === p[0]!.id));
  p[1]!.weight = 1;
  assert.equal(tally(pickAll(s, p)).size, 2);
  assert.throws(() => buildMaglevLookup(pool(1), 250));
});
