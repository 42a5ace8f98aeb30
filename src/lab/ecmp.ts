// `halb lab up --ecmp`: active-active directors behind a BGP router. Every director runs
// halb with a halb_bgp block and announces the VIP to the router namespace, which runs
// BIRD 2 and installs the paths as one ECMP route hashed on L4 ports
// (fib_multipath_hash_policy=1). No VRRP: each director serves its share. The client
// sits in 198.51.100.0/24 on the same bridge, so its only way to the VIP is the router;
// with DR the real servers answer it straight from the VIP.
//
//                 switch namespace (bridge br0)
//     +--------+---------+--------+--------+-----+-----+
//   client   router     dir1     dir2    dir3   rs1   rs2
//   .10/24   .1/25      .2/25    .3/25   .4/25  .141  .142
//   (198.51.100)  BGP AS 65000 <- AS 65001 from each director, BFD 100 ms x 3
//
// Pure parts (configs) and the operations the lab runs on the router live here; lab-up,
// status and the failover drill call in.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HalbError } from '../core/errors.js';
import { addAddress, addRoute, execIn, setSysctls, spawnDetached } from '../sys/netns.js';
import { birdCommand, parseProtocols } from '../bgp/bird-socket.js';
import { processKey, writeState, type LabState } from './state.js';
import { FRONT_PREFIX, LAN_IF, VS_PORT, type Director, type Topology } from './topology.js';

export const ROUTER_AS = 65000;
export const DIRECTOR_AS = 65001;
const ROUTER_ID = '192.0.2.1';
const CLIENT_GATEWAY = '198.51.100.1';
const CLIENT_NET = '198.51.100.0/24';

export function routerFiles(dir: string): { conf: string; socket: string; pid: string; log: string } {
  return { conf: join(dir, 'router-bird.conf'), socket: join(dir, 'router-bird.ctl'), pid: join(dir, 'router-bird.pid'), log: join(dir, 'router.log') };
}

const directorAddress = (d: Director): string => (d.addresses[0] as string).split('/')[0] as string;

/** The router's bird.conf: one passive-enough eBGP session per director, ECMP into the kernel. */
export function routerBirdConfig(t: Topology): string {
  const lines = [
    '# halb lab router: learns the VIP from every director, installs all paths (ECMP).',
    'log stderr { info, remote, warning, error, auth, fatal, bug };',
    `router id ${ROUTER_ID};`,
    'protocol device { scan time 10; }',
    'protocol kernel {',
    '  ipv4 { import none; export all; };',
    '  merge paths on;',
    '}',
    'protocol bfd { interface "*" { interval 100 ms; multiplier 5; }; }',
    // Session changes in the router's log: what the failover drill's numbers come from.
    'debug protocols { states };',
  ];
  for (const d of t.directors) {
    lines.push(
      `protocol bgp ${d.role} {`,
      `  local ${ROUTER_ID} as ${ROUTER_AS};`,
      `  neighbor ${directorAddress(d)} as ${DIRECTOR_AS};`,
      '  hold time 3; keepalive time 1; connect retry time 1; error wait time 1, 5;',
      '  bfd on;',
      '  ipv4 { import all; export none; };',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A director's keepalived.conf in an ECMP lab: mh with mh-port, TCP checks, and halb_bgp. */
export function ecmpDirectorConfig(t: Topology, d: Director, weight: number): string {
  const kind = t.options.mode === 'dr' ? 'DR' : 'NAT';
  const lines = [
    '! Configuration File for keepalived (halb ECMP lab)',
    `! ${d.role}: active-active behind the lab router; the VIP is announced over BGP (halb_bgp, halb only)`,
    '',
    'global_defs {',
    `   router_id ${d.routerId}`,
    '}',
    '',
    'halb_bgp {',
    `    local_as ${DIRECTOR_AS}`,
    `    router_id ${directorAddress(d)}`,
    `    neighbor ${ROUTER_ID} as ${ROUTER_AS} bfd`,
    // 100 ms x 5: a lost director leaves the router within about half a second, and a
    // loaded 2-core machine does not make healthy sessions flap.
    '    bfd_multiplier 5',
    '    hold_time 3',
    '    keepalive_time 1',
    `    announce ${t.vip}`,
    '}',
    '',
    `virtual_server ${t.vip} ${VS_PORT} {`,
    '    delay_loop 2',
    // Maglev over address and port: every director maps a flow to the same real server.
    '    lb_algo mh',
    '    mh-port',
    `    lb_kind ${kind}`,
    '    protocol TCP',
  ];
  for (const rs of t.realServers) {
    lines.push('', `    real_server ${rs.address} ${rs.port} {`, `        weight ${weight}`, '        TCP_CHECK {',
      '            connect_timeout 1', '            retry 1', '            delay_before_retry 1', '        }', '    }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Sysctls and routes an ECMP lab needs beyond the common ones (after lab-up's configureRoles). */
export async function configureEcmp(state: LabState): Promise<void> {
  const t = state.topology;
  const r = t.router;
  if (r === undefined) return;
  await setSysctls(r.ns, {
    'net.ipv4.ip_forward': 1,
    // L4 hashing: flows of one client spread over the next hops by port.
    'net.ipv4.fib_multipath_hash_policy': 1,
    'net.ipv4.conf.all.send_redirects': 0,
    [`net.ipv4.conf.${LAN_IF}.send_redirects`]: 0,
  });
  await setSysctls(t.client.ns, { 'net.ipv4.conf.all.accept_redirects': 0, [`net.ipv4.conf.${LAN_IF}.accept_redirects`]: 0 });
  await addRoute(t.client.ns, ['default', 'via', CLIENT_GATEWAY, 'dev', LAN_IF]);
  for (const d of t.directors) {
    // Every director holds the VIP (anycast): the proxy listens on it; nft DR forwards before it matters.
    await addAddress(d.ns, 'lo', `${t.vip}/32`);
    await execIn(d.ns, 'ip', ['link', 'set', 'lo', 'up']);
    // Full NAT (proxy) answers the client itself, through the router.
    await addRoute(d.ns, ['default', 'via', ROUTER_ID, 'dev', LAN_IF]);
  }
  for (const rs of t.realServers) {
    if (t.options.mode === 'dr') await addRoute(rs.ns, [CLIENT_NET, 'dev', LAN_IF]);
  }
}

/** Start BIRD in the router namespace. */
export async function startRouter(state: LabState): Promise<void> {
  const r = state.topology.router;
  if (r === undefined) return;
  const f = routerFiles(state.dir);
  writeFileSync(f.conf, routerBirdConfig(state.topology));
  const argv = ['bird', '-f', '-c', f.conf, '-s', f.socket, '-P', f.pid];
  const pid = await spawnDetached({ ns: r.ns, cmd: argv[0] as string, args: argv.slice(1), logFile: f.log });
  state.processes[processKey('router', 'bird')] = { host: 'router', kind: 'bird', ns: r.ns, pid, argv, log: f.log, startedAt: Date.now() };
  writeState(state);
}

export interface NextHop { readonly via: string; readonly dev: string }

/** The router's kernel next hops for the VIP (empty when it has no route). */
export async function routerNextHops(state: LabState): Promise<NextHop[]> {
  const r = state.topology.router;
  if (r === undefined) return [];
  const out = await execIn(r.ns, 'ip', ['-j', 'route', 'show', `${state.topology.vip}/32`]);
  if (out.status !== 0) throw new HalbError('HALB_ERR_SYS', `router: ip route show: ${out.stderr.trim()}`);
  return parseNextHops(out.stdout);
}

/** `ip -j route show` of one prefix: a single `gateway`, or a `nexthops` list. */
export function parseNextHops(json: string): NextHop[] {
  const routes = JSON.parse(json.trim() === '' ? '[]' : json) as { gateway?: string; dev?: string; nexthops?: { gateway: string; dev: string }[] }[];
  const out: NextHop[] = [];
  for (const rt of routes) {
    if (rt.nexthops !== undefined) for (const n of rt.nexthops) out.push({ via: n.gateway, dev: n.dev });
    else if (rt.gateway !== undefined) out.push({ via: rt.gateway, dev: rt.dev ?? '' });
  }
  return out;
}

export interface RouterSession { readonly director: string; readonly state: string; readonly info: string }

/** The router's BGP sessions, one per director, as BIRD reports them. */
export async function routerSessions(state: LabState): Promise<RouterSession[]> {
  const rows = parseProtocols(await birdCommand(routerFiles(state.dir).socket, 'show protocols', 3000));
  return state.topology.directors.map((d) => {
    const row = rows.find((x) => x.name === d.role);
    return { director: d.role, state: row?.state ?? 'absent', info: row?.info ?? '' };
  });
}

/** Which director a next hop address is. */
export function directorOfHop(t: Topology, via: string): string {
  return t.directors.find((d) => directorAddress(d) === via)?.role ?? via;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wait until the router routes the VIP over `want` directors. */
export async function waitNextHops(state: LabState, want: number, timeoutMs: number): Promise<NextHop[]> {
  const end = performance.now() + timeoutMs;
  let hops: NextHop[] = [];
  while (performance.now() < end) {
    hops = await routerNextHops(state);
    if (hops.length === want) return hops;
    await pause(100);
  }
  throw new HalbError('HALB_ERR_SYS', `the router has ${hops.length} next hop(s) for ${state.topology.vip}, expected ${want} (see ${routerFiles(state.dir).log} and the directors' logs)`);
}

export const ECMP_PREFIX_NOTE = `client ${CLIENT_NET} via router ${CLIENT_GATEWAY}; directors /${FRONT_PREFIX}`;

export interface EcmpStatus {
  readonly nextHops: readonly string[];
  readonly routerSessions: readonly RouterSession[];
  /** What each director says it announces (from its halb_bgp status). */
  readonly announced: Readonly<Record<string, string>>;
  readonly error?: string;
}

/** The router's view for `halb lab status`: sessions and next hops for the VIP. */
export async function ecmpStatus(state: LabState, announced: Readonly<Record<string, string>>): Promise<EcmpStatus | undefined> {
  if (state.topology.router === undefined) return undefined;
  try {
    const hops = await routerNextHops(state);
    return { nextHops: hops.map((h) => `${h.via} (${directorOfHop(state.topology, h.via)})`), routerSessions: await routerSessions(state), announced };
  } catch (e) {
    return { nextHops: [], routerSessions: [], announced, error: e instanceof Error ? e.message : String(e) };
  }
}

export function renderEcmpStatus(s: EcmpStatus, vip: string): string[] {
  return [
    '', `router: ${vip} via ${s.nextHops.length === 0 ? 'nothing' : s.nextHops.join(', ')} (${s.nextHops.length} next hop(s))`,
    ...s.routerSessions.map((x) => `  BGP ${x.director.padEnd(5)} ${x.state.padEnd(5)} ${x.info.padEnd(12)} ${s.announced[x.director] ?? ''}`),
    ...(s.error !== undefined ? [`  router: ${s.error}`] : []),
  ];
}
