// `halb lab`: the seeds' cluster (client, two directors, two web servers) in network
// namespaces on this machine, with drills that measure what the seeds could only watch.
//   halb lab up [--directors 2] [--real-servers 2] [--mode nat|dr] [--dataplane proxy|nft|ipvs]
//               [--peer keepalived] [--vrrp-version 2|3] [--advert-int S] [--garp-master-refresh S] [--ecmp]
//   halb lab status [--json]
//   halb lab drill failover|failback|rs-down|rs-up|partition|reload|reload-vrrp|all [--json] [--html FILE]
//   halb lab down [--all]
// Every subcommand takes --name to run several labs side by side; state lives under
// /run/halb-lab (or $HALB_LAB_DIR).
import { readdirSync, existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { HalbError } from '../core/errors.js';
import { listNamespaces } from '../sys/netns.js';
import { labDown } from '../lab/lab-down.js';
import { labUp } from '../lab/lab-up.js';
import { runEcmpDrill } from '../lab/ecmp-drill.js';
import { dashboardLines } from '../lab/dashboards.js';
import { renderHtml } from '../lab/report-html.js';
import { renderMarkdown, renderText } from '../lab/report-table.js';
import { parseDrillNames, runDrills } from '../lab/run-drills.js';
import { labDir, labRoot, readState, type LabState } from '../lab/state.js';
import { labStatus, renderStatus } from '../lab/status.js';
import { DEFAULT_OPTIONS, labsIn, validateOptions, type LabOptions } from '../lab/topology.js';

const err = (line: string): void => { process.stderr.write(`${line}\n`); };

function fail(e: unknown): void {
  err(`halb lab: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}

function loadState(name: string): LabState {
  const s = readState(labDir(name));
  if (s === undefined) throw new HalbError('HALB_ERR_USAGE', `no lab${name !== '' ? ` named '${name}'` : ''} here (no state in ${labDir(name)}): run \`halb lab up\` first`);
  if (!s.ready) throw new HalbError('HALB_ERR_USAGE', `the lab in ${s.dir} did not finish coming up: run \`halb lab down\`, then \`halb lab up\``);
  return s;
}

const nameOption = (): Option => new Option('--name <NAME>', 'lab name, to run several labs side by side (a-z0-9, up to 8)').default('');

interface UpOpts {
  name: string; directors: string; realServers: string; mode: 'nat' | 'dr'; dataplane?: 'proxy' | 'nft' | 'ipvs'; peer?: 'keepalived';
  vrrpVersion: string; advertInt: string; workers: string; garpMasterRefresh: string; ecmp?: boolean;
  lbAlgo: string; connSync: boolean;
}

function upOptions(o: UpOpts): LabOptions {
  const opts: LabOptions = {
    name: o.name,
    directors: Number(o.directors),
    realServers: Number(o.realServers),
    mode: o.mode,
    // DR exists only in the kernel dataplane: --mode dr asks for it unless told otherwise.
    dataplane: o.dataplane ?? (o.mode === 'dr' ? 'nft' : 'proxy'),
    peer: o.peer,
    vrrpVersion: Number(o.vrrpVersion) as 2 | 3,
    advertInt: Number(o.advertInt),
    workers: Number(o.workers),
    garpMasterRefresh: Number(o.garpMasterRefresh),
    ...(o.ecmp === true ? { ecmp: true } : {}),
    ...(o.lbAlgo !== 'rr' ? { lbAlgo: o.lbAlgo } : {}),
    ...(o.connSync ? {} : { connSync: false }),
  };
  const why = validateOptions(opts);
  if (why !== undefined) throw new HalbError('HALB_ERR_USAGE', why);
  return opts;
}

function upCommand(): Command {
  return new Command('up').description('build the cluster in namespaces and start it')
    .addOption(nameOption())
    .option('--directors <N>', 'directors (VRRP routers sharing the VIP)', String(DEFAULT_OPTIONS.directors))
    .option('--real-servers <N>', 'real servers (web servers answering their name)', String(DEFAULT_OPTIONS.realServers))
    .addOption(new Option('--mode <MODE>', 'lb_kind: nat, or dr (the seeds\' direct routing; needs a kernel dataplane)').choices(['nat', 'dr']).default('nat'))
    .addOption(new Option('--dataplane <ENGINE>', 'proxy (userspace full NAT), nft (nftables) or ipvs (the kernel\'s LVS, per director namespace; needs a kernel with IPVS); dflt proxy, nft with --mode dr').choices(['proxy', 'nft', 'ipvs']))
    .addOption(new Option('--peer <PEER>', 'run Debian\'s keepalived for VRRP on the last director').choices(['keepalived']))
    .addOption(new Option('--vrrp-version <V>', 'VRRP version').choices(['2', '3']).default('2'))
    .option('--advert-int <S>', 'advert_int in seconds', String(DEFAULT_OPTIONS.advertInt))
    .option('--workers <N>', 'proxy worker processes per halb (--workers)', String(DEFAULT_OPTIONS.workers))
    .option('--garp-master-refresh <S>', 'garp_master_refresh on every instance (0 = off, as in the seeds)', '0')
    .option('--ecmp', 'active-active: every director announces the VIP over BGP to a router namespace (BIRD 2, ECMP); no VRRP')
    .addOption(new Option('--lb-algo <ALGO>', 'lb_algo of the virtual server (mh: DR flows survive a failover)').choices(['rr', 'wrr', 'sh', 'mh', 'lc', 'wlc']).default('rr'))
    .option('--no-conn-sync', 'nft NAT: do not run conntrackd (halb_conntrack_sync); connections then die with their director')
    .action(async (o: UpOpts) => {
      try {
        const s = await labUp(upOptions(o), { log: err });
        process.stdout.write(describe(s));
      } catch (e) {
        fail(e);
      }
    });
}

function describe(s: LabState): string {
  const t = s.topology;
  const name = s.name !== '' ? ` --name ${s.name}` : '';
  const how = t.router !== undefined ? 'active-active over BGP + ECMP (no VRRP)' : `VRRPv${t.options.vrrpVersion}, advert_int ${t.options.advertInt} s`;
  const lines = [`lab ${s.name === '' ? 'default' : s.name} is up: ${t.options.mode} via the ${t.options.dataplane} dataplane, ${how}`, ''];
  lines.push(`  client  ${t.client.ns.padEnd(14)} ${t.client.addresses.join(' ')}`);
  for (const d of t.directors) {
    const role = t.router !== undefined ? 'announces the VIP over BGP' : `${d.state} priority ${d.priority}`;
    lines.push(`  ${d.role.padEnd(6)}  ${d.ns.padEnd(14)} ${d.addresses.join(' ').padEnd(32)} ${d.software === 'keepalived' ? 'keepalived -P + halb -C' : 'halb'}, ${role}`);
  }
  for (const r of t.realServers) lines.push(`  ${r.role.padEnd(6)}  ${r.ns.padEnd(14)} ${r.addresses.join(' ').padEnd(32)} web server answering "${r.role}"`);
  if (t.router !== undefined) lines.push(`  router  ${t.router.ns.padEnd(14)} ${t.router.addresses.join(' ').padEnd(32)} BIRD 2, ECMP over ${t.directors.length} director(s)`);
  lines.push('', t.router !== undefined ? `VIP ${t.vip}:80 (virtual_server, lb_algo mh) announced over BGP by every director` : `VIP ${t.vip}:80 (virtual_server, lb_algo ${t.options.lbAlgo ?? 'rr'}) on ${t.directors[0]?.role ?? '?'}`,
    `reach it:   ip netns exec ${t.client.ns} curl http://${t.vip}/`,
    `status:     halb lab status${name}`,
    `drills:     halb lab drill all${name}`,
    `remove:     halb lab down${name}`,
    ...dashboardLines(t),
    `configs, logs, control sockets: ${s.dir}/`, '');
  return lines.join('\n');
}

function statusCommand(): Command {
  return new Command('status').description('who holds the VIP, each director\'s VRRP state, the pool\'s health')
    .addOption(nameOption())
    .option('--json', 'as JSON')
    .action(async (o: { name: string; json?: boolean }) => {
      try {
        const st = await labStatus(loadState(o.name));
        process.stdout.write(o.json === true ? `${JSON.stringify(st, null, 2)}\n` : renderStatus(st));
      } catch (e) {
        fail(e);
      }
    });
}

function downCommand(): Command {
  return new Command('down').description('remove every namespace, link and process of the lab (also after a crash)')
    .addOption(nameOption())
    .option('--all', 'every lab on this machine')
    .action(async (o: { name: string; all?: boolean }) => {
      try {
        const names = new Set<string>([o.name]);
        if (o.all === true) {
          for (const n of labsIn(await listNamespaces())) names.add(n);
          if (existsSync(labRoot())) for (const d of readdirSync(labRoot())) names.add(d === 'default' ? '' : d);
        }
        for (const n of names) {
          const r = await labDown(n);
          const label = `lab ${n === '' ? 'default' : n}`;
          if (r.namespaces.length === 0 && r.processes === 0 && !r.hadDir) process.stdout.write(`${label}: nothing to remove\n`);
          else process.stdout.write(`${label}: removed ${r.namespaces.length} namespace(s), stopped ${r.processes} process(es)${r.hadDir ? `, deleted ${r.dir}` : ''}\n`);
        }
      } catch (e) {
        fail(e);
      }
    });
}

interface DrillOpts { name: string; json?: boolean; html: string | false; markdown?: string; rate: string; timeout: string; longLived?: string }

function drillCommand(): Command {
  return new Command('drill').description('run the seeds\' experiments under client load and report what the client saw')
    .argument('<drill>', 'failover | failback | rs-down | rs-up | partition | reload | reload-vrrp | all (or a comma list); an --ecmp lab: failover | spread')
    .addOption(nameOption())
    .option('--json', 'print the report as JSON (progress goes to stderr)')
    .option('--html <FILE>', 'write the timeline as a self-contained HTML file', 'halb-lab-report.html')
    .option('--no-html', 'do not write the HTML timeline')
    .option('--markdown <FILE>', 'also write the table as markdown')
    .option('--rate <N>', 'client requests per second (each on a new connection)', '100')
    .option('--timeout <MS>', 'client request timeout', '1000')
    .option('--long-lived <N>', 'failover/failback: also hold N keep-alive connections (a request every 100 ms each) across the fault and count the survivors')
    .action(async (which: string, o: DrillOpts) => {
      try {
        const state = loadState(o.name);
        if (state.options.ecmp === true) {
          const r = await runEcmpDrill(state, which, err);
          process.stdout.write(o.json === true ? `${JSON.stringify(r.json, null, 2)}\n` : r.text);
          if (!r.ok) process.exitCode = 1;
          return;
        }
        const names = parseDrillNames(which);
        const rate = Number(o.rate);
        const timeoutMs = Number(o.timeout);
        if (!(rate >= 1 && rate <= 2000)) throw new HalbError('HALB_ERR_USAGE', '--rate must be 1..2000');
        if (!(timeoutMs >= 50 && timeoutMs <= 30_000)) throw new HalbError('HALB_ERR_USAGE', '--timeout must be 50..30000 ms');
        const longLived = o.longLived === undefined ? undefined : Number(o.longLived);
        if (longLived !== undefined && !(Number.isInteger(longLived) && longLived >= 1 && longLived <= 1000)) throw new HalbError('HALB_ERR_USAGE', '--long-lived must be 1..1000');
        const report = await runDrills(state, names, { rate, timeoutMs, log: err, ...(longLived !== undefined ? { longLived } : {}) });
        if (o.html !== false) {
          const file = resolve(o.html);
          writeFileSync(file, renderHtml(report));
          err(`timeline: ${file}`);
        }
        if (o.markdown !== undefined) writeFileSync(resolve(o.markdown), renderMarkdown(report));
        process.stdout.write(o.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
        if (report.drills.some((d) => d.checks.some((c) => !c.ok))) process.exitCode = 1;
      } catch (e) {
        fail(e);
      }
    });
}

export function labCommand(): Command {
  return new Command('lab')
    .description('the seeds\' cluster in network namespaces: up, status, drill, down (root)')
    .addCommand(upCommand())
    .addCommand(statusCommand())
    .addCommand(drillCommand())
    .addCommand(downCommand());
}
