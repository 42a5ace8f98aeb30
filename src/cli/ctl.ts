// `halb ctl`: talk to a running daemon over its control socket.
import { Command } from 'commander';
import { DEFAULT_CONTROL_SOCKET, type CommandResult, type ControlRequest, type ReloadResult } from '../api/control-protocol.js';
import type { DataplaneSnapshot } from '../dataplane/dataplane.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { controlRequest } from '../api/control-client.js';
import { formatConnections, formatList, formatOverrides } from '../api/ipvsadm-format.js';
import type { WeightOverride } from '../api/admin-types.js';
import type { StatusView } from '../api/status-view.js';
import { formatBgp } from './bgp-format.js';
import type { BgpSnapshot } from '../bgp/speaker.js';

interface ListOpts { numeric?: boolean; stats?: boolean; rate?: boolean; connection?: boolean; json?: boolean }

function fail(msg: string): void {
  process.stderr.write(`halb ctl: ${msg}\n`);
  process.exitCode = 1;
}

export function ctlCommand(): Command {
  const ctl = new Command('ctl').description('query or command a running halb daemon')
    .option('--control-socket <PATH>', 'the daemon\'s control socket', DEFAULT_CONTROL_SOCKET);
  ctl.command('list')
    .description('list virtual services and real servers like ipvsadm -L')
    .option('-n, --numeric', 'numeric addresses and ports (always the case; accepted as ipvsadm -n)')
    .option('--stats', 'counters, as ipvsadm -Ln --stats')
    .option('--rate', 'rates from the 2-second estimator, as ipvsadm -Ln --rate')
    .option('-c, --connection', 'the connection table, as ipvsadm -Lnc')
    .option('--json', 'the snapshot as JSON')
    .action(async (o: ListOpts) => {
      const path = (ctl.opts() as { controlSocket: string }).controlSocket;
      try {
        const r = await controlRequest(path, { cmd: 'list', connections: o.connection === true });
        if (!r.ok) return fail(r.error);
        const snap = r.result as DataplaneSnapshot & { overrides?: WeightOverride[] };
        if (o.json === true) process.stdout.write(`${JSON.stringify(snap, null, 2)}\n`);
        else if (o.connection === true) process.stdout.write(formatConnections(snap.connections ?? []));
        else process.stdout.write(formatList(snap, o.stats === true ? 'stats' : o.rate === true ? 'rate' : 'plain') + formatOverrides(snap.overrides ?? []));
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
      }
    });
  ctl.command('reload')
    .description('re-read the configuration and apply the difference (same as SIGHUP)')
    .action(async () => {
      const path = (ctl.opts() as { controlSocket: string }).controlSocket;
      try {
        const r = await controlRequest(path, { cmd: 'reload' }, 60_000);
        if (!r.ok) return fail(r.error);
        const res = r.result as ReloadResult;
        for (const d of res.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
        process.stdout.write(`${res.summary}\n`);
        if (!res.applied) process.exitCode = 5;
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
      }
    });
  ctl.command('status')
    .description('daemon status as JSON: the same view as GET /api/v1/status (docs/api.md)')
    .action(async () => {
      const path = (ctl.opts() as { controlSocket: string }).controlSocket;
      try {
        const r = await controlRequest(path, { cmd: 'status' });
        if (!r.ok) return fail(r.error);
        process.stdout.write(`${JSON.stringify(r.result, null, 2)}\n`);
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
      }
    });
  const command = (req: Parameters<typeof controlRequest>[1]): Promise<void> => {
    const path = (ctl.opts() as { controlSocket: string }).controlSocket;
    return controlRequest(path, req).then(
      (r) => {
        if (!r.ok) return fail(r.error);
        process.stdout.write(`${(r.result as CommandResult).done}\n`);
      },
      (e: unknown) => fail(e instanceof Error ? e.message : String(e)),
    );
  };
  ctl.command('weight')
    .description('set a real server\'s weight at run time (kept across reloads until `enable`)')
    .argument('<service>', 'virtual service as halb ctl list --json names it, e.g. TCP:127.0.0.1:8080')
    .argument('<real-server>', 'real server, e.g. 127.0.0.1:9001')
    .argument('<weight>', 'new weight (0 drains)')
    .action((service: string, realServer: string, weight: string) => command({ cmd: 'weight', service, realServer, weight: Number(weight) } as Omit<Extract<ControlRequest, { cmd: 'weight' }>, 'id'>));
  ctl.command('drain')
    .description('weight 0: established connections finish, no new ones')
    .argument('<service>').argument('<real-server>')
    .action((service: string, realServer: string) => command({ cmd: 'drain', service, realServer }));
  ctl.command('enable')
    .description('drop a run-time weight or drain: back to the configured weight and the checkers\' verdict')
    .argument('<service>').argument('<real-server>')
    .action((service: string, realServer: string) => command({ cmd: 'enable', service, realServer }));
  ctl.command('bgp')
    .description('BGP (halb_bgp): the daemon, sessions with neighbours, announced prefixes and why')
    .option('--json', 'the status section as JSON')
    .action(async (o: { json?: boolean }) => {
      const path = (ctl.opts() as { controlSocket: string }).controlSocket;
      try {
        const r = await controlRequest(path, { cmd: 'status' });
        if (!r.ok) return fail(r.error);
        const b = (r.result as StatusView).daemon.bgp as BgpSnapshot | undefined;
        process.stdout.write(o.json === true ? `${JSON.stringify(b ?? null, null, 2)}\n` : formatBgp(b));
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
      }
    });
  ctl.command('release')
    .description('make a VRRP instance give up mastership now; with preempt it takes it back about two Master_Down_Intervals later (the answer says when)')
    .argument('<instance>')
    .action((instance: string) => command({ cmd: 'release', instance }));
  return ctl;
}
