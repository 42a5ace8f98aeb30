import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProxyEngine } from '../../../src/dataplane/proxy/engine.js';
import type { DesiredState } from '../../../src/dataplane/model.js';
import { freePort, openSession, rs, service, startBackend, whoAnswers, type Backend } from './helpers.js';

let engine: ProxyEngine;
let a: Backend;
let b: Backend;
let vport = 0;
let other = 0;

/** The inode of the socket listening on 127.0.0.1:port, from /proc/net/tcp: the same inode is the same socket. */
function listenerInode(port: number): string | undefined {
  const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === want && f[3] === '0A') return f[9];
  }
  return undefined;
}

before(async () => {
  [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
  [vport, other] = [await freePort(), await freePort()];
  engine = new ProxyEngine({ tickMs: 50 });
});

after(async () => {
  await engine.close();
  await Promise.all([a.close(), b.close()]);
});

test('re-applying the same state keeps the listening socket and established connections', async () => {
  const state: DesiredState = { services: [service(vport, [rs(a), rs(b)]), service(other, [rs(b)])] };
  const first = await engine.apply(state);
  assert.equal(first.added.length, 2);
  const inode = listenerInode(vport);
  assert.ok(inode);
  const s = await openSession(vport);

  const again = await engine.apply(structuredClone(state));
  assert.deepEqual([again.added, again.removed, again.updated], [[], [], []]);
  assert.equal(again.unchanged.length, 2);
  assert.equal(listenerInode(vport), inode);
  assert.equal(await s.echo('same state'), 'same state');

  // An edited service (a weight changed, a server added) keeps its socket too.
  const edited = await engine.apply({ services: [service(vport, [rs(a, 3), rs(b)]), service(other, [rs(b)])] });
  assert.deepEqual(edited.updated, [`TCP:127.0.0.1:${vport}`]);
  assert.equal(listenerInode(vport), inode);
  assert.equal(await s.echo('edited state'), 'edited state');

  // Removing the other service closes its listener only.
  const removed = await engine.apply({ services: [service(vport, [rs(a, 3), rs(b)])] });
  assert.deepEqual(removed.removed, [`TCP:127.0.0.1:${other}`]);
  assert.equal(listenerInode(other), undefined);
  assert.equal(listenerInode(vport), inode);
  assert.ok(['a', 'b'].includes(await whoAnswers(vport)));
  assert.equal(await s.echo('after removal'), 'after removal');
  s.socket.destroy();
});
