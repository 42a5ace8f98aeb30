// `halb ctl`: talk to a running daemon over its control socket.
import { Command } from 'commander';
import { DEFAULT_CONTROL_SOCKET, type ReloadResult, type DaemonStatus } from '../api/control-protocol.js';
import type { DataplaneSnapshot } from '../dataplane/dataplane.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { controlRequest } from './control-client.js';
import { formatConnections, formatList } from './ipvsadm-format.js';

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
        const snap = r.result as DataplaneSnapshot;
        if (o.json === true) process.stdout.write(`${JSON.stringify(snap, null, 2)}\n`);
        else if (o.connection === true) process.stdout.write(formatConnections(snap.connections ?? []));
        else process.stdout.write(formatList(snap, o.stats === true ? 'stats' : o.rate === true ? 'rate' : 'plain'));
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
    .description('daemon status as JSON')
    .action(async () => {
      const path = (ctl.opts() as { controlSocket: string }).controlSocket;
      try {
        const r = await controlRequest(path, { cmd: 'status' });
        if (!r.ok) return fail(r.error);
        process.stdout.write(`${JSON.stringify(r.result as DaemonStatus, null, 2)}\n`);
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
      }
    });
  return ctl;
}
