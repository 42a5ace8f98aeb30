// The admin server in process over a recording backend: each command reaches the
// backend with the decoded names and who sent it, failures keep their HTTP status
// (AdminCommandError's, 409 for a HalbError refusal), and the event stream delivers
// hello, the admin event and a fresh status right after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { silentLogger } from '../../../src/core/log.js';
import { HalbError } from '../../../src/core/errors.js';
import { AdminServer } from '../../../src/api/admin-server.js';
import { AdminCommandError, type AdminBackend, type AdminEvent, type WeightOverride } from '../../../src/api/admin-types.js';
import { status, SVC, RS_UP } from '../../unit/api/fixtures.js';
import { http, postJson, TEST_TOKEN, until, useToken } from './harness.js';

class RecordingBackend implements AdminBackend {
  readonly calls: string[] = [];
  readonly #listeners = new Set<(ev: AdminEvent) => void>();
  statusCalls = 0;
  async status() { this.statusCalls++; return status(); }
  async setWeight(s: string, r: string, w: number, by: string): Promise<WeightOverride> {
    this.calls.push(`weight ${s} ${r} ${w} ${by}`);
    if (w > 100) throw new AdminCommandError(400, 'too heavy');
    return { service: s, realServer: r, weight: w, drained: false, at: 1, by };
  }
  async drain(s: string, r: string, by: string): Promise<WeightOverride> {
    this.calls.push(`drain ${s} ${r} ${by}`);
    throw new AdminCommandError(404, `no real server ${r} in virtual service ${s}`);
  }
  async enable(s: string, r: string, by: string) { this.calls.push(`enable ${s} ${r} ${by}`); }
  async releaseMastership(i: string, by: string) {
    this.calls.push(`release ${i} ${by}`);
    if (i === 'VI_9') throw new HalbError('HALB_ERR_USAGE', 'VRRP is not running in this daemon (-C)');
    return { instances: [i], holdMs: 3000, message: 'priority held at 1 for 3.0 s' };
  }
  async reload(by: string) { this.calls.push(`reload ${by}`); return { applied: true, summary: 'reload: 0 added, 0 removed' }; }
  onEvent(cb: (ev: AdminEvent) => void) { this.#listeners.add(cb); return () => this.#listeners.delete(cb); }
  emit(ev: AdminEvent) { for (const cb of this.#listeners) cb(ev); }
}

test('commands reach the backend with names and sender; errors keep their status', async () => {
  const be = new RecordingBackend();
  const srv = await AdminServer.start({ backend: be, listen: { host: '127.0.0.1', port: 0 }, log: silentLogger, token: TEST_TOKEN });
  useToken(srv.address.port, TEST_TOKEN);
  const P = srv.address.port;
  try {
    const rs = `/api/v1/services/${encodeURIComponent(SVC)}/real-servers/${encodeURIComponent(RS_UP)}`;
    assert.equal((await postJson(P, `${rs}/weight`, { weight: 5 })).status, 200);
    assert.equal((await postJson(P, `${rs}/weight`, { weight: 500 })).status, 400);
    assert.equal((await postJson(P, `${rs}/weight`, { weight: 'five' })).status, 400, 'a non-number never reaches the backend');
    assert.equal((await postJson(P, `${rs}/drain`)).status, 404);
    assert.equal((await postJson(P, `${rs}/enable`)).status, 200);
    const rel = await postJson(P, '/api/v1/vrrp/instances/VI_1/release');
    assert.deepEqual(JSON.parse(rel.body), { released: 'VI_1' });
    const refused = await postJson(P, '/api/v1/vrrp/instances/VI_9/release');
    assert.equal(refused.status, 409);
    assert.deepEqual(JSON.parse(refused.body), { error: { status: 409, message: 'VRRP is not running in this daemon (-C)' } });
    assert.equal((await http(P, `${rs}/drain`)).status, 405, 'GET on a command');
    assert.equal((await http(P, `${rs}/weight`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"weight":' })).status, 400);
    assert.equal((await http(P, `${rs}/weight`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(20_000) })).status, 413);
    assert.equal((await http(P, '/api/v1/services/%E0%A4%A/real-servers/x/enable', { method: 'POST', headers: { 'content-type': 'application/json' } })).status, 400);
    const by = 'api 127.0.0.1';
    assert.deepEqual(be.calls, [
      `weight ${SVC} ${RS_UP} 5 ${by}`, `weight ${SVC} ${RS_UP} 500 ${by}`, `drain ${SVC} ${RS_UP} ${by}`, `enable ${SVC} ${RS_UP} ${by}`,
      `release VI_1 ${by}`, `release VI_9 ${by}`,
    ]);
  } finally {
    await srv.close();
  }
});

test('the event stream sends hello, each admin event, and a status right after it', async () => {
  const be = new RecordingBackend();
  const srv = await AdminServer.start({ backend: be, listen: { host: '127.0.0.1', port: 0 }, log: silentLogger, statusIntervalMs: 60_000 });
  const frames: Array<{ event: string; data: unknown }> = [];
  const req = get({ host: '127.0.0.1', port: srv.address.port, path: '/api/v1/events', agent: false }, (res) => {
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      buf += c;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const f = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(f)?.[1];
        const data = /^data: (.*)$/m.exec(f)?.[1];
        if (event !== undefined && data !== undefined) frames.push({ event, data: JSON.parse(data) });
      }
    });
  });
  try {
    await until(() => (frames.some((f) => f.event === 'status') ? true : undefined), 3000);
    assert.equal(frames[0]?.event, 'hello');
    const ev: AdminEvent = { kind: 'vrrp-transition', at: 5, instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: 100, reason: 'master down' };
    const before = frames.length;
    be.emit(ev);
    await until(() => (frames.slice(before).some((f) => f.event === 'status') ? true : undefined), 3000);
    const after = frames.slice(before);
    assert.deepEqual(after[0], { event: 'admin', data: ev });
    const st = after.find((f) => f.event === 'status')?.data as { vrrp: { instances: Array<{ lastTransition: unknown }> } };
    assert.deepEqual(st.vrrp.instances[0]?.lastTransition, { at: 5, from: 'BACKUP', to: 'MASTER', reason: 'master down' }, 'the timed event is the last transition');
    const view = JSON.parse((await http(srv.address.port, '/api/v1/status')).body) as typeof st;
    assert.deepEqual(view.vrrp.instances[0]?.lastTransition, { at: 5, from: 'BACKUP', to: 'MASTER', reason: 'master down' });
  } finally {
    req.destroy();
    await srv.close();
  }
});
