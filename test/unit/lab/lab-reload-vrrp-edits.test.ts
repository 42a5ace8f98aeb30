// The reload-vrrp drill's edits of a lab director's keepalived.conf: each loads without
// errors and changes what it says, in VI_1 (or adds one instance) and nowhere else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/index.js';
import { directorConfig } from '../../../src/lab/config-writer.js';
import { vrrpEdit } from '../../../src/lab/drill-reload-vrrp.js';
import { DEFAULT_OPTIONS, buildTopology } from '../../../src/lab/topology.js';

function load(text: string): ReturnType<typeof loadConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'halb-lab-edit-'));
  try {
    const f = join(dir, 'keepalived.conf');
    writeFileSync(f, text);
    return loadConfig(f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every edit of the drill loads and changes only what it names', () => {
  for (const o of [{}, { dataplane: 'nft' as const, mode: 'nat' as const }, { vrrpVersion: 2 as const }]) {
    const t = buildTopology({ ...DEFAULT_OPTIONS, ...o });
    const base = directorConfig(t, t.directors[0]!);
    const vi = (text: string) => {
      const r = load(text);
      assert.deepEqual(r.diagnostics.filter((x) => x.severity === 'error').map((x) => x.message), []);
      return r.config;
    };
    const b = vi(base).vrrpInstances.find((i) => i.name === 'VI_1')!;
    assert.deepEqual(vi(vrrpEdit(base, { extraVip: '192.0.2.101' })).vrrpInstances.find((i) => i.name === 'VI_1')!.vips.map((v) => v.address), [t.vip, '192.0.2.101']);
    assert.equal(vi(vrrpEdit(base, { priorityDelta: 5 })).vrrpInstances.find((i) => i.name === 'VI_1')!.priority, b.priority + 5);
    const tracked = vi(vrrpEdit(base, { trackScript: true }));
    assert.deepEqual(tracked.vrrpInstances.find((i) => i.name === 'VI_1')!.track.scripts.map((s) => s.name), ['chk_lab_true']);
    assert.deepEqual(tracked.vrrpScripts.map((s) => s.name), ['chk_lab_true']);
    const two = vi(vrrpEdit(base, { secondInstance: { vrid: 151, vip: '192.0.2.102' } }));
    const extra = two.vrrpInstances.find((i) => i.name === 'VI_RELOAD')!;
    assert.equal(extra.vrid, 151);
    assert.equal(extra.interface, b.interface);
    assert.equal(extra.advertIntMs, b.advertIntMs);
    const garp = vi(vrrpEdit(base, { garp: true })).vrrpInstances.find((i) => i.name === 'VI_1')!;
    assert.equal(garp.garp.masterRepeat, 2);
    assert.equal(vrrpEdit(base, {}), base, 'no edit: the file as the lab writes it');
    assert.equal(vi(base).virtualServers.length, vi(vrrpEdit(base, { garp: true, trackScript: true })).virtualServers.length);
  }
});
