#!/usr/bin/env node
// The `halb` command. Root options are keepalived's (keepalived(8)), so an init script
// or unit written for keepalived works by changing the binary name.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { readHostInfo } from '../sys/host-info.js';
import { dumpConfig, reportCheck, runLoad, EXIT_OK } from './check-config.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

interface RootOptions {
  useFile: string;
  configTest?: string | boolean;
  dumpConfig?: boolean;
  configId?: string;
  logDetail?: boolean;
  hostChecks: boolean;
}

export function buildProgram(): Command {
  const program = new Command('halb');
  program
    .description('High-availability layer-4 load balancer: VRRP, IPVS-style scheduling and health checks, configured by keepalived.conf')
    .version(pkg.version, '-v, --version', 'print the version and exit')
    .option('-f, --use-file <FILE>', 'configuration file', '/etc/keepalived/keepalived.conf')
    .option('-t, --config-test [LOGFILE]', 'check the configuration (like keepalived -t): diagnostics on stderr (or LOGFILE); exit 0 clean, 4 cannot run, 5 errors')
    .option('--dump-config', 'print the normalised configuration model (defaults filled in) as JSON and exit')
    .option('-i, --config-id <ID>', 'config id for @ID conditional lines and ${_INSTANCE} (default: short host name)')
    .option('--no-host-checks', 'with -t: skip the checks against this host (interfaces exist, VIP subnets)')
    .option('-n, --dont-fork', 'stay in the foreground')
    .option('-l, --log-console', 'log to the console')
    .option('-D, --log-detail', 'detailed logs (with -t: also print a summary on stdout)')
    .option('-P, --vrrp', 'run only the VRRP side')
    .option('-C, --check', 'run only the checkers and dataplane')
    .option('-p, --pid <FILE>', 'pid file')
    .option('-r, --vrrp_pid <FILE>', 'VRRP pid file (accepted for keepalived compatibility)')
    .option('-c, --checkers_pid <FILE>', 'checkers pid file (accepted for keepalived compatibility)')
    .option('-V, --dont-release-vrrp', 'leave VIPs and routes in place on exit')
    .addOption(new Option('-I, --dont-release-ipvs', 'leave the dataplane in place on exit'))
    .option('-d, --dump-conf', 'dump the parsed configuration to the log at start')
    .option('-S, --log-facility <FACILITY>', 'syslog facility (accepted for keepalived compatibility)')
    .option('-g, --log-file [FILE]', 'log to FILE')
    .option('-G, --no-syslog', 'do not log to syslog')
    .option('-R, --dont-respawn', 'accepted for keepalived compatibility (halb does not fork children)')
    .option('-X, --release-vips', 'drop VIPs on a transition caused by a signal')
    .option('-s, --namespace <NAME>', 'network namespace to run in (overrides net_namespace)')
    .option('-e, --all-config', 'refuse to load if any configuration file is missing')
    .option('-a, --address-monitoring', 'log all address changes seen through netlink')
    .action((opts: RootOptions) => {
      const checking = opts.configTest !== undefined && opts.configTest !== false;
      if (checking || opts.dumpConfig === true) {
        const r = runLoad({
          file: opts.useFile,
          configId: opts.configId,
          host: checking && opts.hostChecks ? readHostInfo() : undefined,
        });
        if (opts.dumpConfig === true) process.stdout.write(dumpConfig(r));
        const code = checking
          ? reportCheck(r, typeof opts.configTest === 'string' ? opts.configTest : undefined, opts.logDetail === true)
          : EXIT_OK;
        process.exitCode = code;
        return;
      }
      process.stderr.write('halb: this version can check a configuration (-t, --dump-config); the daemon is not built yet\n');
      process.exitCode = 1;
    });
  return program;
}

buildProgram().parse(process.argv);
