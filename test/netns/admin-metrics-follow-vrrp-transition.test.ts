// A real VRRP transition seen through halb's admin API, dumps and JSON logs: Debian's
// keepalived is MASTER (priority 150), the halb daemon BACKUP (100) with its admin API
// on the default loopback address inside its namespace. kill -9 of keepalived makes
// halb MASTER; /metrics, /api/v1/status, the SIGUSR1/SIGUSR2/SIGJSON dumps and the
// `--log-format json` lines all show the transition and why it happened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { makeWorkDir, removeWorkDir, VrrpNode, waitUntil } from '../helpers/vrrp-nodes.js';
import { DEFAULT_ADMIN_LISTEN } from '../../src/api/admin-listen.js';
import type { StatusView } from '../../src/api/status-view.js';
import { labelNames, parsePrometheusText } from '../helpers/prom-text.js';

const VIP = '192.0.2.60';

function instance(state: string, prio: number): string {
  return `vrrp_instance VI_1 {
    state ${state}
    interface eth0
    virtual_router_id 61
    priority ${prio}
    advert_int 1
    virtual_ipaddress {
        ${VIP}/24
    }
}
`;
}

/** GET a path of the admin API from inside the namespace. */
function fetchIn(lan: Lan, host: string, path: string): string {
  const code = `require('http').get('http://${DEFAULT_ADMIN_LISTEN}${path}',(r)=>{let b='';r.on('data',(c)=>b+=c);r.on('end',()=>{process.stdout.write(b);process.exit(r.statusCode===200?0:1)})}).on('error',(e)=>{console.error(e.message);process.exit(2)})`;
  const r = lan.ns(host).run(process.execPath, ['-e', code], { timeoutMs: 5000 });
  if (r.status !== 0) throw new Error(`GET ${path} in ${host}: ${r.status} ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function metrics(lan: Lan): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of fetchIn(lan, 'dir1', '/metrics').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    m.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return m;
}

function jsonLogs(node: VrrpNode): Array<Record<string, unknown>> {
  return node.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('a real VRRP transition moves halb\'s metrics, status, dumps and JSON logs', async (t) => {
  if (!gate(t, 'admin API across a VRRP transition', ['keepalived', 'ip'])) return;
  const lan = Lan.create(`am${process.pid % 10000}`, [
    { name: 'dir1', addresses: ['192.0.2.1/24'] },
    { name: 'dir2', addresses: ['192.0.2.2/24'] },
  ]);
  const dir = makeWorkDir('admin-vrrp');
  const nodes: VrrpNode[] = [];
  try {
    const ka = VrrpNode.keepalived(lan.ns('dir2'), dir, 'ka', `global_defs {\n  router_id dir2\n}\n${instance('MASTER', 150)}`);
    nodes.push(ka);
    assert.ok(await ka.waitFor(/Entering MASTER STATE/, 8000), `keepalived is MASTER\n${ka.output}`);
    const dumps = `global_defs {\n  state_dump_file ${dir}/halb.data\n  stats_dump_file ${dir}/halb.stats\n  json_dump_file ${dir}/halb.json\n}\n`;
    const halb = VrrpNode.halbDaemon(lan.ns('dir1'), dir, 'halb', `${dumps}${instance('BACKUP', 100)}`, ['--log-format', 'json', '--workers', '0']);
    nodes.push(halb);
    assert.ok(await halb.waitFor(/Entering BACKUP STATE/, 8000), `halb is BACKUP\n${halb.output}`);
    assert.ok(await halb.waitFor(/Admin API on/, 5000), halb.output);

    // BACKUP: state, priorities and received adverts on /metrics.
    assert.ok(await waitUntil(() => (metrics(lan).get('halb_vrrp_adverts_received_total{vrrp_instance="VI_1"}') ?? 0) >= 2, 5000, 200), 'adverts counted');
    let m = metrics(lan);
    assert.equal(m.get('halb_vrrp_state{vrrp_instance="VI_1",state="BACKUP"}'), 1);
    assert.equal(m.get('halb_vrrp_state{vrrp_instance="VI_1",state="MASTER"}'), 0);
    assert.equal(m.get('halb_vrrp_base_priority{vrrp_instance="VI_1"}'), 100);
    assert.equal(m.get('halb_vrrp_effective_priority{vrrp_instance="VI_1"}'), 100);
    assert.equal(m.get('halb_vrrp_master_priority{vrrp_instance="VI_1"}'), 150);
    const transitionsBefore = m.get('halb_vrrp_transitions_total{vrrp_instance="VI_1"}') ?? 0;

    // keepalived dies without a priority-0 advert: halb takes over after Master_Down_Interval.
    await ka.kill9();
    assert.ok(await halb.waitFor(/Entering MASTER STATE/, 6000), `halb becomes MASTER\n${halb.output}`);
    assert.ok(await waitUntil(() => lan.holds('dir1', VIP), 3000), 'the VIP is on dir1');
    assert.ok(await waitUntil(() => (metrics(lan).get('halb_vrrp_adverts_sent_total{vrrp_instance="VI_1"}') ?? 0) >= 2, 5000, 200), 'adverts sent');
    m = metrics(lan);
    assert.equal(m.get('halb_vrrp_state{vrrp_instance="VI_1",state="MASTER"}'), 1);
    assert.equal(m.get('halb_vrrp_state{vrrp_instance="VI_1",state="BACKUP"}'), 0);
    assert.ok((m.get('halb_vrrp_transitions_total{vrrp_instance="VI_1"}') ?? 0) > transitionsBefore, 'the transition is counted');
    assert.equal(m.get('halb_vrrp_became_master_total{vrrp_instance="VI_1"}'), 1);
    assert.ok((m.get('halb_vrrp_last_transition_timestamp_seconds{vrrp_instance="VI_1"}') ?? 0) > Date.now() / 1000 - 30);

    // Parsed as Prometheus parses it: no halb series carries the labels Prometheus sets on
    // every target (`instance`, `job`); VRRP series say `vrrp_instance`; no reload yet, so
    // no reload outcome.
    let families = parsePrometheusText(fetchIn(lan, 'dir1', '/metrics'));
    const halbLabels = labelNames(families, 'halb_');
    assert.ok(halbLabels.has('vrrp_instance'), [...halbLabels].join(' '));
    assert.ok(!halbLabels.has('instance') && !halbLabels.has('job'), `target labels on halb series: ${[...halbLabels].join(' ')}`);
    assert.equal(families.find((f) => f.name === 'halb_vrrp_state')?.metrics.find((x) => x.labels?.state === 'MASTER')?.labels?.vrrp_instance, 'VI_1');
    assert.equal(families.find((f) => f.name === 'halb_last_reload_success'), undefined, 'no reload outcome before the first reload');
    assert.equal(families.find((f) => f.name === 'halb_reloads_total')?.metrics[0]?.value, '0');

    // The status names the transition and why.
    const st = JSON.parse(fetchIn(lan, 'dir1', '/api/v1/status')) as StatusView;
    const vi = st.vrrp?.instances.find((i) => i.name === 'VI_1');
    assert.equal(vi?.state, 'MASTER');
    assert.equal(vi?.lastTransition?.to, 'MASTER');
    assert.ok((vi?.lastTransition?.reason ?? '').length > 0, `a reason: ${JSON.stringify(vi?.lastTransition)}`);
    assert.ok(vi?.lastTransition?.at !== null && (vi?.lastTransition?.at ?? 0) > Date.now() - 30_000);

    // Every election decision in the JSON log carries its reason.
    const entering = jsonLogs(halb).filter((r) => /^\(VI_1\) Entering (BACKUP|MASTER) STATE/.test(String(r.msg)));
    assert.ok(entering.length >= 2, `BACKUP then MASTER logged:\n${halb.output}`);
    for (const r of entering) assert.ok(typeof r.reason === 'string' && r.reason.length > 0, `reason on ${JSON.stringify(r)}`);

    // keepalived's dump signals, sent to the daemon's pid.
    const pid = st.daemon.pid;
    // Dumps are renamed into place: a fresh one is a new inode (mtime vs the wall clock is
    // flaky, the kernel stamps files with its coarse clock).
    const inode = (file: string): number => (existsSync(file) ? statSync(file).ino : -1);
    const fresh = async (file: string, before: number): Promise<string> => {
      assert.ok(await waitUntil(() => inode(file) !== -1 && inode(file) !== before, 3000), `${file} written`);
      return readFileSync(file, 'utf8');
    };
    let since = inode(join(dir, 'halb.data'));
    process.kill(pid, 'SIGUSR1');
    const data = await fresh(join(dir, 'halb.data'), since);
    assert.match(data, /^------< VRRP Topology >------$/m);
    assert.match(data, /^ VRRP Instance = VI_1\n {3}VRRP Version = 2\n {3}State = MASTER\n {3}Wantstate = MASTER\n {3}Last transition = /m);
    assert.match(data, /^ {3}Virtual Router ID = 61$/m);
    assert.match(data, new RegExp(`^ {5}${VIP.replaceAll('.', '\\.')}/24 dev eth0 scope global set$`, 'm'));
    since = inode(join(dir, 'halb.stats'));
    process.kill(pid, 'SIGUSR2');
    const stats = await fresh(join(dir, 'halb.stats'), since);
    assert.match(stats, /^VRRP Instance: VI_1\n {2}Advertisements:\n {4}Received: [1-9]\d*\n {4}Sent: [1-9]\d*\n {2}Became master: 1\n {2}Released master: 0$/m);
    since = inode(join(dir, 'halb.json'));
    process.kill(pid, 36);
    const json = JSON.parse(await fresh(join(dir, 'halb.json'), since)) as Array<{ data: Record<string, unknown>; stats: Record<string, number> }>;
    assert.equal(json.length, 1);
    const [entry] = json;
    assert.equal(entry?.data.iname, 'VI_1');
    assert.equal(entry?.data.state, 2, 'MASTER is 2, as keepalived numbers it');
    assert.equal(entry?.data.wantstate, 2);
    assert.equal(entry?.data.vrid, 61);
    assert.equal(entry?.data.base_priority, 100);
    assert.equal(entry?.data.effective_priority, 100);
    assert.deepEqual(entry?.data.vips, [`${VIP}/24`]);
    assert.ok((entry?.stats.advert_rcvd ?? 0) > 0);
    assert.equal(entry?.stats.become_master, 1);
    assert.ok(halb.running, 'the daemon survives SIGRTMIN+2');

    // After a reload, its outcome is there.
    process.kill(pid, 'SIGHUP');
    assert.ok(await waitUntil(() => parsePrometheusText(fetchIn(lan, 'dir1', '/metrics')).some((f) => f.name === 'halb_last_reload_success'), 5000, 200),
      `the reload outcome appears\n${halb.output}`);
    families = parsePrometheusText(fetchIn(lan, 'dir1', '/metrics'));
    assert.equal(families.find((f) => f.name === 'halb_last_reload_success')?.metrics[0]?.value, '1');
  } finally {
    for (const n of nodes) await n.stop();
    lan.destroy();
    removeWorkDir(dir);
  }
});
