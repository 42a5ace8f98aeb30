#!/usr/bin/env node
// The `halb` command. Root options are keepalived's (keepalived(8)), so an init script
// or unit written for keepalived works by changing the binary name.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { readHostInfo } from '../sys/host-info.js';
import { hostScripts } from '../sys/script/runner.js';
import { dumpConfig, reportCheck, runLoad, defaultConfigId, EXIT_OK } from './check-config.js';
import { DEFAULT_CONTROL_SOCKET } from '../api/control-protocol.js';
import { DEFAULT_ADMIN_LISTEN } from '../api/admin-listen.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

interface RootOptions {
  useFile: string;
  configTest?: string | boolean;
  dumpConfig?: boolean;
  configId?: string;
  logDetail?: boolean;
  hostChecks: boolean;
  controlSocket: string;
  pid?: string;
  logFormat: 'text' | 'json';
  ejectAfter: string;
  vrrp?: boolean;
  check?: boolean;
  workers?: string;
  adminListen: string;
  adminTokenFile?: string;
  signum?: string;
  dataplane: 'auto' | 'proxy' | 'nft' | 'ipvs';
  metricsLegacyInstanceLabel?: boolean;
  dontReleaseIpvs?: boolean;
  dontFork?: boolean;
  logConsole?: boolean;
  logFacility?: string;
  logFile?: string | boolean;
  syslog: boolean;
  syslogSocket?: string;
}

const SIGNUM_NAMES = ['STOP', 'RELOAD', 'DATA', 'STATS', 'STATS_CLEAR', 'JSON', 'TDATA'] as const;

/**
 * Subcommands, loaded only when named (or for --help): `halb -t` on a large config must
 * not pay for loading the lab, the daemon or the checkers.
 */
const SUBCOMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  ctl: async () => (await import('./ctl.js')).ctlCommand(),
  demo: async () => (await import('./demo.js')).demoCommand(),
  genhash: async () => (await import('./genhash.js')).genhashCommand(),
  lab: async () => (await import('./lab.js')).labCommand(),
  realserver: async () => (await import('./realserver.js')).realserverCommand(),
};

async function subcommandsFor(argv: readonly string[]): Promise<Command[]> {
  const args = argv.slice(2);
  const all = args.length === 0 || args.some((a) => a === '-h' || a === '--help' || a === 'help');
  const names = Object.keys(SUBCOMMANDS).filter((n) => all || args.includes(n));
  return Promise.all(names.map((n) => (SUBCOMMANDS[n] as () => Promise<Command>)()));
}

export function buildProgram(subcommands: readonly Command[] = []): Command {
  const program = new Command('halb');
  program
    .enablePositionalOptions()
    .description('High-availability layer-4 load balancer: VRRP, IPVS-style scheduling and health checks, configured by keepalived.conf')
    .version(pkg.version, '-v, --version', 'print the version and exit')
    .option('-f, --use-file <FILE>', 'configuration file', '/etc/keepalived/keepalived.conf')
    .option('-t, --config-test [LOGFILE]', 'check the configuration (like keepalived -t): diagnostics on stderr (or LOGFILE); exit 0 clean, 4 cannot run, 5 errors, 6 scripts run without enable_script_security')
    .option('--dump-config', 'print the normalised configuration model (defaults filled in) as JSON and exit')
    .option('-i, --config-id <ID>', 'config id for @ID conditional lines and ${_INSTANCE} (default: short host name)')
    .option('--no-host-checks', 'with -t: skip the checks against this host (interfaces exist, VIP subnets)')
    .option('-n, --dont-fork', 'stay in the foreground (without it the daemon detaches, writes its pid file and the command returns 0 once it serves)')
    .option('-l, --log-console', 'log to the console instead of syslog')
    .option('-D, --log-detail', 'detailed logs (with -t: also print a summary on stdout)')
    .option('-P, --vrrp', 'run only the VRRP side')
    .option('-C, --check', 'run only the checkers and dataplane')
    .option('-p, --pid <FILE>', 'pid file (default /run/halb.pid when the daemon detaches)')
    .option('-r, --vrrp_pid <FILE>', 'VRRP pid file (accepted for keepalived compatibility)')
    .option('-c, --checkers_pid <FILE>', 'checkers pid file (accepted for keepalived compatibility)')
    .option('-V, --dont-release-vrrp', 'leave VIPs and routes in place on exit')
    .addOption(new Option('-I, --dont-release-ipvs', 'leave halb\'s IPVS services in the kernel on exit (the ipvs engine; the next halb adopts them)'))
    .option('-d, --dump-conf', 'dump the parsed configuration to the log at start')
    .option('-S, --log-facility <FACILITY>', 'syslog facility: 0..7 for LOG_LOCAL0..7 (default LOG_DAEMON)')
    .option('-g, --log-file [FILE]', 'also log to FILE (default /var/log/halb.log)')
    .option('-G, --no-syslog', 'do not log to syslog')
    .option('--syslog-socket <PATH>', 'the syslog socket messages are sent to', '/dev/log')
    .option('-R, --dont-respawn', 'accepted for keepalived compatibility (halb does not fork children)')
    .option('-X, --release-vips', 'drop VIPs on a transition caused by a signal')
    .option('-s, --namespace <NAME>', 'network namespace to run in (overrides net_namespace)')
    .option('-e, --all-config', 'refuse to load if any configuration file is missing')
    .option('-a, --address-monitoring', 'log all address changes seen through netlink')
    .option('--control-socket <PATH>', 'where the daemon serves `halb ctl`', DEFAULT_CONTROL_SOCKET)
    .addOption(new Option('--log-format <FORMAT>', 'log lines as text or JSON').choices(['text', 'json']).default('text'))
    .addOption(new Option('--dataplane <ENGINE>', 'auto: ipvs where the kernel has it, else nft as root, else proxy; ipvs: the kernel\'s LVS (NAT, DR, TUN; root); nft: nftables (NAT and DR; root); proxy: userspace full-NAT, no root needed').choices(['auto', 'ipvs', 'nft', 'proxy']).default('auto'))
    .option('--workers <N>', 'proxy worker processes besides the daemon (default: one per extra core; 0 = single process)')
    .option('--admin-listen <ADDR:PORT>', 'admin HTTP API, metrics and dashboard: ADDR:PORT, [IPv6]:PORT, or off; a non-loopback address needs --admin-token-file', DEFAULT_ADMIN_LISTEN)
    .option('--admin-token-file <FILE>', 'bearer token (first line of FILE) every admin API request must carry; without one the API is read-only (writes through halb ctl)')
    .option('--metrics-legacy-instance-label', 'label VRRP metrics `instance` as halb 0.1 did instead of `vrrp_instance` (deprecated; removed in the next release)')
    .addOption(new Option('--signum <SIGFUNC>', 'print the signal number for a keepalived signal function and exit').choices([...SIGNUM_NAMES]))
    .option('--eject-after <N>', 'passive ejection: take a checked real server out after N consecutive refused/failed/reset connections seen by the proxy; its checker brings it back (0 = off)', '1')
    .action(async (opts: RootOptions) => {
      if (opts.signum !== undefined) {
        const { signalNumber } = await import('../sys/rt-signal.js');
        process.stdout.write(`${signalNumber(opts.signum as (typeof SIGNUM_NAMES)[number])}\n`);
        return;
      }
      const checking = opts.configTest !== undefined && opts.configTest !== false;
      if (checking || opts.dumpConfig === true) {
        const r = runLoad({
          file: opts.useFile,
          configId: opts.configId,
          host: checking && opts.hostChecks ? readHostInfo() : undefined,
          ...(checking && opts.hostChecks ? { scripts: hostScripts() } : {}),
        });
        if (opts.dumpConfig === true) process.stdout.write(dumpConfig(r));
        const code = checking
          ? reportCheck(r, typeof opts.configTest === 'string' ? opts.configTest : undefined, opts.logDetail === true)
          : EXIT_OK;
        if (checking) {
          // Which engine the daemon would run, and why (looked up without loading modules).
          const { describeChoice } = await import('./dataplane-choice.js');
          process.stdout.write(`${await describeChoice(opts.dataplane)}\n`);
        }
        process.exitCode = code;
        return;
      }
      // Loaded only to run the daemon: `halb -t` on a large config stays fast without it.
      const { daemonLogger, forkDaemon, isDaemonChild, tellParent, DEFAULT_PID_FILE } = await import('./daemonize.js');
      const child = isDaemonChild();
      if (opts.dontFork !== true && !child) {
        process.exitCode = await forkDaemon(process.argv, { console: opts.logConsole === true });
        return;
      }
      const { runDaemon } = await import('./run-daemon.js');
      const log = daemonLogger({
        format: opts.logFormat, level: opts.logDetail === true ? 'debug' : 'info', console: opts.logConsole === true, syslog: opts.syslog,
        ...(opts.logFacility !== undefined ? { facility: opts.logFacility } : {}),
        ...(opts.logFile !== undefined && opts.logFile !== false ? { file: opts.logFile === true ? '/var/log/halb.log' : opts.logFile } : {}),
        ...(opts.syslogSocket !== undefined ? { syslogSocket: opts.syslogSocket } : {}),
      });
      const pidFile = opts.pid ?? (child ? DEFAULT_PID_FILE : undefined);
      try {
        await runDaemon(daemonArgs(opts, pidFile), log);
      } catch (e) {
        tellParent({ ready: false, error: e instanceof Error ? e.message : String(e), code: (e as { code?: string }).code === 'HALB_ERR_CONFIG' ? 4 : 1 });
        throw e;
      }
      tellParent({ ready: true });
    });
  for (const c of subcommands) program.addCommand(c);
  return program;
}

function daemonArgs(opts: RootOptions, pidFile: string | undefined): Parameters<typeof import('./run-daemon.js').runDaemon>[0] {
  return {
    configFile: opts.useFile,
    configId: opts.configId ?? defaultConfigId(),
    controlSocket: opts.controlSocket,
    ...(pidFile !== undefined ? { pidFile } : {}),
    logFormat: opts.logFormat,
    logLevel: opts.logDetail === true ? 'debug' : 'info',
    ejectAfter: Number.parseInt(opts.ejectAfter, 10) || 0,
    ...(opts.workers !== undefined ? { workers: Math.max(0, Number.parseInt(opts.workers, 10) || 0) } : {}),
    dataplane: opts.dataplane,
    run: opts.vrrp === true && opts.check !== true ? 'vrrp' : opts.check === true && opts.vrrp !== true ? 'lvs' : 'all',
    adminListen: opts.adminListen,
    ...(opts.adminTokenFile !== undefined ? { adminTokenFile: opts.adminTokenFile } : {}),
    legacyInstanceLabel: opts.metricsLegacyInstanceLabel === true,
    ...(opts.dontReleaseIpvs === true ? { dontReleaseIpvs: true } : {}),
  };
}

subcommandsFor(process.argv).then((subs) => buildProgram(subs).parseAsync(process.argv)).catch((e: unknown) => {
  process.stderr.write(`halb: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = (e as { code?: string }).code === 'HALB_ERR_CONFIG' ? 4 : 1;
});
