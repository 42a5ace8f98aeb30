import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/index.js';
import { directorConfig, formatAdvertInt } from '../../../src/lab/config-writer.js';
import { DEFAULT_OPTIONS, buildTopology, type LabOptions } from '../../../src/lab/topology.js';

function load(text: string): ReturnType<typeof loadConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'halb-lab-conf-'));
  try {
    const f = join(dir, 'keepalived.conf');
    writeFileSync(f, text);
    return loadConfig(f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const topo = (o: Partial<LabOptions> = {}) => buildTopology({ ...DEFAULT_OPTIONS, ...o });

test('each director\'s config loads without errors and says what the seeds\' configs say', () => {
  const t = topo();
  for (const d of t.directors) {
    const text = directorConfig(t, d);
    const r = load(text);
    assert.equal(r.ok, true, r.diagnostics.map((x) => x.message).join('; '));
    const vi = r.config.vrrpInstances[0];
    assert.ok(vi !== undefined);
    assert.equal(vi.name, 'VI_1');
    assert.equal(vi.priority, d.priority);
    assert.equal(vi.state, d.state);
    assert.equal(vi.advertIntMs, 1000);
    assert.equal(vi.version, 2);
    assert.ok(vi.auth !== undefined, 'VRRPv2 carries auth_type PASS as the seeds do');
    const vs = r.config.virtualServers[0];
    assert.ok(vs !== undefined);
    assert.deepEqual(vs.realServers.map((rs) => `${rs.addr}:${rs.port}`), ['192.0.2.141:80', '192.0.2.142:80']);
    assert.equal(vs.persistenceTimeoutMs, 0, 'no persistence: one client would stick to one real server');
    assert.match(text, /^global_defs \{\n {3}router_id LVS_DIR\d\n\}$/m);
    assert.match(text, /lb_kind NAT/);
  }
});

test('VRRPv3 sets vrrp_version 3, drops authentication, and keeps a fractional advert_int', () => {
  const t = topo({ vrrpVersion: 3, advertInt: 0.5 });
  const text = directorConfig(t, t.directors[0]!);
  assert.match(text, /vrrp_version 3/);
  assert.doesNotMatch(text, /authentication/);
  const r = load(text);
  assert.equal(r.ok, true, r.diagnostics.map((x) => x.message).join('; '));
  assert.equal(r.config.vrrpInstances[0]?.version, 3);
  assert.equal(r.config.vrrpInstances[0]?.advertIntMs, 500);
});

test('kernel NAT adds the real servers\' gateway VIP in a sync group with VI_1', () => {
  const t = topo({ dataplane: 'nft' });
  const r = load(directorConfig(t, t.directors[1]!));
  assert.equal(r.ok, true, r.diagnostics.map((x) => x.message).join('; '));
  assert.deepEqual(r.config.vrrpInstances.map((i) => i.name), ['VI_1', 'VI_2']);
  assert.deepEqual(r.config.syncGroups[0]?.members, ['VI_1', 'VI_2']);
});

test('DR writes lb_kind DR; the weight variant is what the reload drill changes', () => {
  const t = topo({ mode: 'dr', dataplane: 'nft' });
  const text = directorConfig(t, t.directors[0]!, { weight: 2 });
  assert.match(text, /lb_kind DR/);
  const r = load(text);
  assert.equal(r.ok, true, r.diagnostics.map((x) => x.message).join('; '));
  assert.deepEqual(r.config.virtualServers[0]?.realServers.map((rs) => rs.weight), [2, 2]);
});

test('advert_int is written as keepalived reads it', () => {
  assert.equal(formatAdvertInt(1), '1');
  assert.equal(formatAdvertInt(0.5), '0.5');
  assert.equal(formatAdvertInt(1.25), '1.25');
  assert.equal(formatAdvertInt(0.1), '0.1');
});

test('garp_master_refresh only when asked for', () => {
  const plain = topo();
  assert.doesNotMatch(directorConfig(plain, plain.directors[0]!), /garp_master_refresh/);
  const t = topo({ garpMasterRefresh: 2 });
  const text = directorConfig(t, t.directors[0]!);
  assert.match(text, /^ {4}garp_master_refresh 2$/m);
  assert.equal(load(text).ok, true);
});
