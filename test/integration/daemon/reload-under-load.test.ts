// 100 reloads while clients keep connecting: not one request may fail. Configs alternate
// between two pools (a server added and removed, weights changed), so every reload
// really changes the dataplane; unchanged services must keep their listener.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlRequest } from '../../../src/api/control-client.js';
import type { ReloadResult } from '../../../src/api/control-protocol.js';
import { freePort, httpGet, startBackend, startDaemon, type Backend } from '../../helpers/daemon-process.js';

const dir = mkdtempSync(join(tmpdir(), 'halb-reload-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function config(vport: number, pool: ReadonlyArray<[Backend, number]>): string {
  return [
    `virtual_server 127.0.0.1 ${vport} {`, '    lb_algo wrr', '    lb_kind NAT', '    protocol TCP',
    ...pool.flatMap(([b, w]) => [`    real_server 127.0.0.1 ${b.port} {`, `        weight ${w}`, '    }']),
    '}', '',
  ].join('\n');
}

test('100 reloads during a bounded load fail 0 requests', async () => {
  const bs = await Promise.all(['web1', 'web2', 'web3', 'web4'].map((n) => startBackend(n)));
  const [w1, w2, w3, w4] = bs as [Backend, Backend, Backend, Backend];
  const vport = await freePort();
  const file = join(dir, 'keepalived.conf');
  const confA = config(vport, [[w1, 1], [w2, 1], [w3, 1]]);
  const confB = config(vport, [[w1, 1], [w2, 3], [w4, 2]]);
  writeFileSync(file, confA);
  const d = await startDaemon(file);
  let stop = false;
  let sent = 0;
  const failures: string[] = [];
  const seen = new Set<string>();
  const deadline = Date.now() + 30_000; // the bound on the load
  const client = async (): Promise<void> => {
    while (!stop && Date.now() < deadline && sent < 20_000) {
      sent++;
      try {
        seen.add(await httpGet('127.0.0.1', vport, 5000));
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
    }
  };
  try {
    const clients = Array.from({ length: 6 }, () => client());
    let applied = 0;
    for (let i = 0; i < 100; i++) {
      writeFileSync(file, i % 2 === 0 ? confB : confA);
      const r = await controlRequest(d.socket, { cmd: 'reload' }, 10_000);
      assert.ok(r.ok, JSON.stringify(r));
      if ((r.result as ReloadResult).applied) applied++;
      await new Promise((res) => setTimeout(res, 30)); // spread the reloads over the load
    }
    stop = true;
    await Promise.all(clients);
    assert.equal(applied, 100, 'every reload was applied');
    assert.deepEqual(failures, [], `${failures.length} of ${sent} requests failed`);
    assert.ok(sent >= 200, `the load ran alongside the reloads (${sent} requests)`);
    assert.deepEqual([...seen].sort(), ['web1', 'web2', 'web3', 'web4'], 'both pools served');
    console.log(`100 reloads under load: ${sent} requests, 0 failed`);
  } finally {
    stop = true;
    await d.stop();
    for (const b of bs) b.server.close();
  }
});
