// A host on the segment floods the MASTER with malformed VRRP packets (protocol 112, TTL
// 255, random bytes; bounded: 15 s at up to 60,000 packets/s) while VRRPv3 runs with
// advert_int 0.05 and Debian's keepalived 2.2.7 is the BACKUP. With halb as the master
// neither side may change state: the socket filter drops the flood in the kernel and the
// bounded reads keep the advert timer first. The same flood against keepalived as the
// master is measured in the same run; both figures are reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { halbSpec, keepalivedConf, type PeerInstance } from '../helpers/vrrp-configs.js';
import { VrrpNode, makeWorkDir, removeWorkDir, repoRoot, sleep, waitUntil } from '../helpers/vrrp-nodes.js';

const VIP = '192.0.2.230';
const PPS = 60_000;
const SECONDS = 15;
const inst = (priority: number): PeerInstance => ({ name: 'VI_F', vrid: 61, version: 3, priority, advertInt: 0.05, vips: [`${VIP}/24`] });

function flood(nsName: string): Promise<{ sent: number; seconds: number }> {
  const js = join(repoRoot(), 'dist', 'test', 'helpers', 'vrrp-flood.js');
  const child = spawn('ip', ['netns', 'exec', nsName, process.execPath, js, '192.0.2.1', 'eth0', String(PPS), String(SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  const killer = setTimeout(() => child.kill('SIGKILL'), (SECONDS + 15) * 1000);
  return new Promise((resolve) => child.on('exit', () => {
    clearTimeout(killer);
    resolve(JSON.parse(out.trim() || '{"sent":0,"seconds":0}') as { sent: number; seconds: number });
  }));
}

/** One run: `master` on 192.0.2.1, keepalived BACKUP on .2, the flood from .3. Returns state changes seen. */
async function run(master: 'halb' | 'keepalived'): Promise<{ backupFlaps: number; masterChanges: number; sent: number; seconds: number; snap?: unknown }> {
  const tag = master === 'halb' ? 'flh' : 'flk';
  const lan = Lan.create(tag, [{ name: 'm', addresses: ['192.0.2.1/24'] }, { name: 'b', addresses: ['192.0.2.2/24'] }, { name: 'f', addresses: ['192.0.2.3/24'] }]);
  const dir = makeWorkDir(tag);
  const nodes: VrrpNode[] = [];
  try {
    const m = master === 'halb' ? VrrpNode.halb(lan.ns('m'), dir, 'halb', halbSpec([inst(150)])) : VrrpNode.keepalived(lan.ns('m'), dir, 'kam', keepalivedConf([inst(150)]));
    nodes.push(m);
    const b = VrrpNode.keepalived(lan.ns('b'), dir, 'kab', keepalivedConf([inst(100)]));
    nodes.push(b);
    assert.ok(await waitUntil(() => lan.holds('m', VIP) && !lan.holds('b', VIP), 10_000), `${master} never became MASTER\n${m.output}\n${b.output}`);
    await sleep(1000);
    const mMark = m.output.length;
    const bMark = b.output.length;
    const f = await flood(lan.ns('f').name);
    await sleep(1000);
    const count = (n: VrrpNode, mark: number, re: RegExp): number => (n.output.slice(mark).match(new RegExp(re.source, 'g')) ?? []).length;
    const snap = master === 'halb' ? await m.snapshot() : undefined;
    return {
      backupFlaps: count(b, bMark, /\(VI_F\) Entering MASTER STATE/), masterChanges: count(m, mMark, /\(VI_F\) Entering/),
      sent: f.sent, seconds: f.seconds, ...(snap !== undefined ? { snap } : {}),
    };
  } finally {
    for (const n of nodes) await n.kill9();
    lan.destroy();
    removeWorkDir(dir);
  }
}

test('a flood of malformed VRRP packets moves nothing with halb as MASTER; keepalived as MASTER measured alongside', { timeout: 120_000 }, async (t) => {
  if (!gate(t, 'VRRP flood with keepalived', ['keepalived'])) return;
  const h = await run('halb');
  const snap = h.snap as { timers: { maxLateMs: number; late: number }; eventLoop: { maxMs: number }; unattributedDrops: Record<string, number>; instances: { counters: { drops: Record<string, number> } }[] };
  t.diagnostic(`halb MASTER: ${h.sent} packets in ${h.seconds} s (${Math.round(h.sent / h.seconds)}/s); keepalived BACKUP flaps ${h.backupFlaps}, halb state changes ${h.masterChanges}; `
    + `timer max late ${snap.timers.maxLateMs.toFixed(1)} ms, event loop max ${snap.eventLoop.maxMs} ms; drops seen by JS ${JSON.stringify(snap.unattributedDrops)} / ${JSON.stringify(snap.instances[0]!.counters.drops)}`);
  const k = await run('keepalived');
  t.diagnostic(`keepalived MASTER: ${k.sent} packets in ${k.seconds} s (${Math.round(k.sent / k.seconds)}/s); keepalived BACKUP flaps ${k.backupFlaps}, master state changes ${k.masterChanges}`);
  assert.equal(h.masterChanges, 0, 'halb stayed MASTER');
  assert.equal(h.backupFlaps, 0, 'the keepalived BACKUP never took over from halb');
  assert.ok(h.backupFlaps <= k.backupFlaps);
  assert.ok(h.sent > SECONDS * 1000, 'the flood was sent');
});
