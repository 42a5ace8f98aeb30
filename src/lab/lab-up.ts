// `halb lab up`: build the seeds' cluster in namespaces and start it. In order: check the
// machine, record the lab (so a crash from here on can be swept), wire every host to
// the switch, set the sysctls each role needs, write the directors' keepalived.conf,
// start the web servers and the directors, then wait until the master holds the VIP and
// the client gets an answer from every real server through it. Anything that fails on
// the way takes the whole lab down again.
import { mkdirSync } from 'node:fs';
import { HalbError } from '../core/errors.js';
import {
  addAddress, addRoute, attachToBridge, createBridge, createNamespace, execIn, linkAddresses, listNamespaces,
  setLinkUp, setSysctls, createVeth,
} from '../sys/netns.js';
import { labDown } from './lab-down.js';
import { probe } from './observe.js';
import { preflight } from './preflight.js';
import { configureEcmp, startRouter, waitNextHops } from './ecmp.js';
import { HALB_CLI, START_TIMEOUT_MS, launchDirector, startWeb, waitControlSocket, writeConfigs } from './processes.js';
import { labDir, readState, writeState, type LabState } from './state.js';
import {
  BRIDGE, FRONT_NET, LAN_IF, buildTopology, kernelDataplane, hostsOf, isLabNamespace, namespacesOf, type LabOptions, type Topology,
} from './topology.js';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function wire(t: Topology): Promise<void> {
  for (const ns of namespacesOf(t)) await createNamespace(ns);
  await createBridge(t.switchNs, BRIDGE);
  for (const h of hostsOf(t)) {
    await createVeth({ ns: h.ns, name: LAN_IF, peerNs: t.switchNs, peerName: h.switchPort });
    await attachToBridge(t.switchNs, h.switchPort, BRIDGE);
    // No IPv6 on the LAN: nothing in the lab uses it, and it keeps DAD and router
    // solicitations out of the timings.
    await setSysctls(h.ns, { 'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1 });
    for (const a of h.addresses) await addAddress(h.ns, LAN_IF, a);
    await setLinkUp(h.ns, LAN_IF, true);
  }
}

async function configureRoles(state: LabState): Promise<void> {
  const t = state.topology;
  const o = t.options;
  for (const d of t.directors) {
    await setSysctls(d.ns, {
      // The proxy listens on the VIP before VRRP puts it here, so a new master serves at once.
      'net.ipv4.ip_nonlocal_bind': 1,
      // Client and real servers share the wire: no ICMP redirects telling them to bypass us.
      'net.ipv4.conf.all.send_redirects': 0,
      [`net.ipv4.conf.${LAN_IF}.send_redirects`]: 0,
      'net.ipv4.ip_forward': kernelDataplane(o.dataplane) ? 1 : 0,
    });
  }
  // Each real server is its own host: set them up side by side (`halb realserver start`
  // is a Node start, seconds under emulation).
  await Promise.all(t.realServers.map(async (rs) => {
    if (t.gatewayVip !== undefined) {
      await setSysctls(rs.ns, { 'net.ipv4.conf.all.accept_redirects': 0, [`net.ipv4.conf.${LAN_IF}.accept_redirects`]: 0 });
      await addRoute(rs.ns, ['default', 'via', t.gatewayVip, 'dev', LAN_IF]);
    }
    if (o.mode === 'dr') {
      // Replies leave from the VIP straight for the client, which sits in the front half.
      await addRoute(rs.ns, [FRONT_NET, 'dev', LAN_IF]);
      const r = await execIn(rs.ns, process.execPath, [HALB_CLI, 'realserver', 'start', '--vip', t.vip], START_TIMEOUT_MS);
      if (r.status !== 0) throw new HalbError('HALB_ERR_SYS', `${rs.role}: halb realserver start failed: ${r.stderr.trim() || r.stdout.trim()}`);
    }
  }));
}

async function waitReady(state: LabState, timeoutMs: number): Promise<void> {
  const t = state.topology;
  const master = t.directors[0];
  if (master === undefined) return;
  const end = performance.now() + timeoutMs;
  // --ecmp: every director's announcement reaches the router instead of a VRRP master.
  if (t.router !== undefined) await waitNextHops(state, t.directors.length, timeoutMs);
  while (t.router === undefined && !(await linkAddresses(master.ns, LAN_IF)).some((a) => a.address === t.vip)) {
    if (performance.now() > end) throw new HalbError('HALB_ERR_SYS', `${master.role} did not take the VIP ${t.vip} within ${timeoutMs} ms; see ${state.dir}/${master.role}.log`);
    await pause(100);
  }
  const seen = new Set<string>();
  const want = t.realServers.map((r) => r.role);
  while (!want.every((w) => seen.has(w))) {
    if (performance.now() > end) {
      throw new HalbError('HALB_ERR_SYS', `the client reached only ${[...seen].join(', ') || 'nothing'} through ${t.vip} (expected ${want.join(', ')})`);
    }
    for (const s of await probe(state, 2 * want.length, 50)) if (s.ok && s.rs !== undefined) seen.add(s.rs);
  }
}

export interface UpOptions {
  readonly log: (line: string) => void;
  /** Root of lab directories (dflt /run/halb-lab or $HALB_LAB_DIR). */
  readonly dir?: string;
  readonly readyTimeoutMs?: number;
}

export async function labUp(o: LabOptions, u: UpOptions): Promise<LabState> {
  await preflight(o);
  const t = buildTopology(o);
  const dir = u.dir ?? labDir(o.name);
  const existing = (await listNamespaces()).filter((ns) => isLabNamespace(ns, o.name));
  if (existing.length > 0 || readState(dir) !== undefined) {
    throw new HalbError('HALB_ERR_USAGE', `a lab${o.name !== '' ? ` named '${o.name}'` : ''} is already there (${existing.length} namespace(s), state in ${dir}): run \`halb lab down${o.name !== '' ? ` --name ${o.name}` : ''}\` first`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const state: LabState = {
    version: 1, name: o.name, dir, createdAt: Date.now(), options: o, topology: t, processes: {},
    poweredOff: [], stoppedWeb: [], weight: 1, ready: false,
  };
  writeState(state);
  try {
    u.log(`building ${namespacesOf(t).length} namespaces on one bridge (${t.switchNs})`);
    await wire(t);
    await configureRoles(state);
    await configureEcmp(state);
    writeConfigs(state);
    for (const rs of t.realServers) await startWeb(state, rs);
    await startRouter(state);
    // All at once, the master first: each start costs seconds of Node start-up under
    // emulation. A peer that comes up before the master holds the VIP until it preempts.
    for (const d of t.directors) {
      u.log(`starting ${d.software === 'keepalived' ? 'keepalived -P + halb -C' : 'halb'} on ${d.role} (${d.state}, priority ${d.priority})`);
      await launchDirector(state, d);
    }
    await Promise.all(t.directors.map((d) => waitControlSocket(state, d, START_TIMEOUT_MS)));
    u.log('waiting for the VIP and for every real server to answer through it');
    await waitReady(state, u.readyTimeoutMs ?? START_TIMEOUT_MS);
    state.ready = true;
    writeState(state);
    return state;
  } catch (e) {
    u.log(`lab up failed: ${e instanceof Error ? e.message : String(e)}; taking it down (logs stay in ${dir})`);
    await labDown(o.name, dir, true);
    throw e;
  }
}
