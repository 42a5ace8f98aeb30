import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ProxyEngine } from '../../../src/dataplane/proxy/engine.js';
import { AddressNotAvailableError } from '../../../src/dataplane/dataplane.js';
import { DesiredStateError } from '../../../src/dataplane/model.js';
import { SysError } from '../../../src/core/errors.js';
import { freePort, rs, service, startBackend, whoAnswers, type Backend } from './helpers.js';

let engine: ProxyEngine;
let a: Backend;

before(async () => {
  a = await startBackend('a');
  engine = new ProxyEngine({ tickMs: 50 });
});

after(async () => {
  await engine.close();
  await a.close();
});

test('a VIP that is not local yet is a typed EADDRNOTAVAIL error and the service waits for it', async () => {
  // Binding only: nothing is sent to the documentation address.
  const vip = '2001:db8::7';
  const r = await engine.apply({ services: [service(8080, [rs(a, 1, {}, '2001:db8::10')], { address: vip })] });
  assert.equal(r.failed.length, 1);
  const err = r.failed[0]!.error;
  assert.ok(err instanceof AddressNotAvailableError);
  assert.equal(err.errno, 'EADDRNOTAVAIL');
  assert.equal(err.code, 'HALB_ERR_SYS');
  assert.match(err.message, /ip_nonlocal_bind/);
  const svc = engine.snapshot().services[0]!;
  assert.equal(svc.listener, 'waiting-for-address');
  // Still not there: addressAvailable() retries and reports it again.
  const again = await engine.addressAvailable('2001:0db8::7');
  assert.ok(again.failed[0]?.error instanceof AddressNotAvailableError);
  await engine.apply({ services: [] });
});

test('a busy port fails, and addressAvailable() or the next apply() retries it', async () => {
  const port = await freePort();
  const squatter = net.createServer();
  await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
  const state = { services: [service(port, [rs(a)])] };
  const r = await engine.apply(state);
  assert.ok(r.failed[0]?.error instanceof SysError);
  assert.equal((r.failed[0]!.error as SysError).errno, 'EADDRINUSE');
  assert.equal(engine.snapshot().services[0]!.listener, 'failed');
  await new Promise<void>((res) => squatter.close(() => res()));
  const retried = await engine.addressAvailable('127.0.0.1');
  assert.deepEqual(retried.failed, []);
  assert.equal(engine.snapshot().services[0]!.listener, 'listening');
  assert.equal(await whoAnswers(port), 'a');
});

test('an invalid desired state is refused whole and the running state stays', async () => {
  const before = engine.snapshot().services.map((s) => s.key);
  await assert.rejects(engine.apply({ services: [service(1, [rs(a, -3)])] }), DesiredStateError);
  assert.deepEqual(engine.snapshot().services.map((s) => s.key), before);
});
