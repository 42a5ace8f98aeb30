import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SH_TABLE_SIZE, SourceHashScheduler, buildSourceHashTable, sourceHashBucket, sourceHashEffectiveTable,
} from '../../../src/dataplane/sched/sh.js';
import { clientAddr, dest, pool, req, tally } from './fixture.js';

const CLIENTS = 10000;

test('sh is sticky per client and does not depend on the order the pool is listed in', () => {
  const s = new SourceHashScheduler();
  const p = pool(1, 1, 1, 1, 1);
  const first = Array.from({ length: 2000 }, (_, i) => s.pick(p, req({ clientAddr: clientAddr(i), clientPort: i }))?.id);
  const reversed = [...p].reverse();
  const s2 = new SourceHashScheduler();
  for (let i = 0; i < 2000; i++) {
    assert.equal(s.pick(p, req({ clientAddr: clientAddr(i), clientPort: 1000 + i }))?.id, first[i], `client ${i}`);
    assert.equal(s2.pick(reversed, req({ clientAddr: clientAddr(i) }))?.id, first[i], `client ${i} (reversed pool)`);
  }
});

test('sh gives each server weight-many buckets per round and spreads clients accordingly', () => {
  const weights = [1, 2, 3, 2]; // sums to 8, so 256 buckets are exactly 32 rounds
  const p = pool(...weights);
  const table = tally([...buildSourceHashTable(p)].map((i) => p[i]!.id));
  p.forEach((d, i) => assert.equal(table.get(d.id), (SH_TABLE_SIZE / 8) * weights[i]!, d.id));
  const s = new SourceHashScheduler();
  const t = tally(Array.from({ length: CLIENTS }, (_, i) => s.pick(p, req({ clientAddr: clientAddr(i) }))?.id));
  p.forEach((d, i) => {
    const share = (t.get(d.id) ?? 0) / CLIENTS;
    assert.ok(Math.abs(share - weights[i]! / 8) < 0.03, `${d.id} share ${share} vs ${weights[i]! / 8}`);
  });
});

test('sh without sh-fallback drops clients of a quiesced server and leaves everyone else alone', () => {
  const s = new SourceHashScheduler();
  const p = pool(1, 1, 1, 1);
  const before = Array.from({ length: CLIENTS }, (_, i) => s.pick(p, req({ clientAddr: clientAddr(i) }))?.id);
  p[1]!.weight = 0;
  // ip_vs_sh_reassign(): a weight-0 server still holds one bucket per round, so the table is unchanged.
  for (let i = 0; i < CLIENTS; i++) {
    const got = s.pick(p, req({ clientAddr: clientAddr(i) }))?.id;
    assert.equal(got, before[i] === p[1]!.id ? undefined : before[i], `client ${i}`);
  }
});

test('sh-fallback moves only the quiesced server\'s clients, along IPVS\'s probe order', () => {
  const s = new SourceHashScheduler({ fallback: true });
  // One round of the table is a a a b c c d e (8 buckets, 32 rounds); b keeps its one
  // bucket per round when quiesced, so nobody else moves.
  const p = pool(3, 1, 2, 1, 1);
  const before = Array.from({ length: CLIENTS }, (_, i) => s.pick(p, req({ clientAddr: clientAddr(i) }))?.id);
  p[1]!.weight = 0;
  const table = buildSourceHashTable(p);
  const moved: string[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const r = req({ clientAddr: clientAddr(i) });
    const got = s.pick(p, r)?.id;
    if (before[i] !== p[1]!.id) {
      assert.equal(got, before[i], `client ${i} kept`);
      continue;
    }
    // ip_vs_sh_get_fallback(): buckets (ihash + roffset) & 255, roffset = ihash, ihash + 1, ...
    const ihash = sourceHashBucket(r);
    let want: string | undefined;
    for (let off = 0; off < 256 && want === undefined; off++) {
      const d = p[table[(2 * ihash + off) % 256]!]!;
      if (d.weight > 0) want = d.id;
    }
    assert.equal(got, want, `client ${i} fallback`);
    moved.push(got!);
  }
  assert.ok(moved.length > CLIENTS / 16, 'about an eighth of the clients moved');
  // b sits at 3 (mod 8), so the probe starts at 2 * 3 = 6 (mod 8), which is d: the
  // kernel sends all of b's clients to d, and so do we.
  assert.deepEqual([...tally(moved).keys()], [p[3]!.id]);
  // An overloaded server is unavailable the same way.
  p[1]!.weight = 1;
  p[2]!.overloaded = true;
  for (let i = 0; i < 500; i++) assert.notEqual(s.pick(p, req({ clientAddr: clientAddr(i) }))?.id, p[2]!.id);
});

test('sh-port hashes the source port too; without it every port of a client lands together', () => {
  const p = pool(1, 1, 1, 1);
  const plain = new SourceHashScheduler();
  const withPort = new SourceHashScheduler({ port: true });
  const ports = Array.from({ length: 1000 }, (_, i) => 1024 + i * 37);
  const a = tally(ports.map((port) => plain.pick(p, req({ clientPort: port }))?.id));
  const b = tally(ports.map((port) => withPort.pick(p, req({ clientPort: port }))?.id));
  assert.equal(a.size, 1);
  assert.equal(b.size, 4);
  for (const n of b.values()) assert.ok(n > 150, `per-port spread ${[...b.values()]}`);
  // Sticky per (client, port).
  for (const port of ports.slice(0, 100)) {
    assert.equal(withPort.pick(p, req({ clientPort: port }))?.id, withPort.pick(p, req({ clientPort: port }))?.id);
  }
});

test('sh effective table is what pick() does per bucket, for the nft engine', () => {
  const p = pool(2, 1, 3);
  p[0]!.weight = 0;
  for (const fallback of [false, true]) {
    const s = new SourceHashScheduler({ fallback });
    const eff = sourceHashEffectiveTable(p, { fallback });
    for (let i = 0; i < 3000; i++) {
      const r = req({ clientAddr: clientAddr(i) });
      const e = eff[sourceHashBucket(r)]!;
      assert.equal(s.pick(p, r)?.id, e < 0 ? undefined : p[e]!.id);
    }
  }
  assert.equal(new SourceHashScheduler().pick([], req()), undefined);
  assert.equal(new SourceHashScheduler({ fallback: true }).pick([dest('a', 0)], req()), undefined);
});
