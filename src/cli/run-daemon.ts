// `halb -n -l -f FILE`: run the daemon in the foreground, wired to signals as keepalived
// is: SIGHUP reloads, SIGTERM/SIGINT stop cleanly, SIGUSR1/SIGUSR2/SIGRTMIN+2 write the
// data/stats/JSON dumps. A signal never crashes the daemon. Under systemd (Type=notify)
// it reports READY=1, RELOADING=1 and STOPPING=1. The admin HTTP API starts last.
import { createLogger, type LogFormat } from '../daemon/logger.js';
import { Daemon } from '../daemon/daemon.js';
import { installDumpSignals } from '../daemon/dumps.js';
import { availableParallelism } from 'node:os';
import { createProxyDataplane } from '../dataplane/proxy/index.js';
import type { Dataplane } from '../dataplane/dataplane.js';
import { loadConfig } from '../config/index.js';
import { AdminServer } from '../api/admin-server.js';
import { checkListenPolicy, DEFAULT_ADMIN_LISTEN, parseListen, readTokenFile, type ListenAddress } from '../api/admin-listen.js';
import { monotonicUsec, sdNotifier } from '../sys/sd-notify.js';
import type { Logger } from '../core/log.js';
import { decideDataplane, probeHost, type DataplaneRequest } from './dataplane-choice.js';

export interface RunOptions {
  readonly configFile: string;
  readonly configId: string;
  readonly controlSocket: string;
  readonly pidFile?: string;
  readonly logFormat: LogFormat;
  readonly logLevel: 'debug' | 'info';
  readonly ejectAfter?: number;
  readonly run?: 'all' | 'vrrp' | 'lvs';
  /** Proxy worker processes besides the daemon's own (dflt: one per extra core). */
  readonly workers?: number;
  /** `--admin-listen`: ADDR:PORT, [V6]:PORT or off (default DEFAULT_ADMIN_LISTEN, loopback). */
  readonly adminListen?: string;
  readonly adminTokenFile?: string;
  /** `--dataplane`: auto (default: ipvs, else nft as root, else proxy), or one engine by name. */
  readonly dataplane?: DataplaneRequest;
  /** `--metrics-legacy-instance-label`: VRRP series labelled `instance` (one release). */
  readonly legacyInstanceLabel?: boolean;
  /** `-I`, `--dont-release-ipvs`: the IPVS engine leaves its services in the kernel on stop. */
  readonly dontReleaseIpvs?: boolean;
}

/** One proxy process per core: the daemon's own plus cores - 1 workers. */
export function defaultWorkers(): number {
  return Math.max(0, availableParallelism() - 1);
}

/** Parse and check the admin flags before anything starts: a refused listen address stops the daemon from starting. */
function adminSettings(opts: RunOptions, log: Logger): { listen: ListenAddress | null; token?: string } {
  const listen = parseListen(opts.adminListen ?? DEFAULT_ADMIN_LISTEN);
  let token: string | undefined;
  if (opts.adminTokenFile !== undefined) {
    const t = readTokenFile(opts.adminTokenFile);
    if (t.warning !== undefined) log.warn(t.warning);
    token = t.token;
  }
  if (listen !== null) checkListenPolicy(listen, token);
  return token === undefined ? { listen } : { listen, token };
}

/**
 * The dataplane engine, chosen (auto) and probed before anything starts, so a missing
 * nft binary, missing CAP_NET_ADMIN, DR on a host without the netdev family, or
 * --dataplane ipvs on a kernel without IPVS fails at once with a message naming what is
 * missing.
 */
async function makeDataplane(opts: RunOptions, log: Logger): Promise<Dataplane> {
  const request = opts.dataplane ?? 'auto';
  const cfg = request === 'proxy' ? undefined : loadConfig(opts.configFile, { configId: opts.configId, env: process.env }).config;
  const requireDr = cfg?.virtualServers.some((vs) => vs.forwarding.method === 'DR' || vs.realServers.some((r) => r.forwarding.method === 'DR')) === true;
  const choice = decideDataplane(request, await probeHost(request, { load: true, dr: requireDr }));
  log.info(`Dataplane: ${choice.engine} (${choice.reason})`);
  if (choice.engine === 'proxy') return createProxyDataplane({ workers: opts.workers ?? defaultWorkers() });
  if (choice.engine === 'ipvs') {
    const { createIpvsDataplane } = await import('../dataplane/ipvs/index.js');
    return createIpvsDataplane({ onNotice: (m) => log.info(`IPVS: ${m}`), ...(opts.dontReleaseIpvs === true ? { keepOnClose: true } : {}) });
  }
  const { createNftDataplane } = await import('../dataplane/nft/index.js');
  return createNftDataplane({ requireDr });
}

export async function runDaemon(opts: RunOptions, log: Logger = createLogger({ format: opts.logFormat, level: opts.logLevel })): Promise<Daemon> {
  const admin = adminSettings(opts, log);
  const sd = sdNotifier(log);
  const daemon = await Daemon.start({
    configFile: opts.configFile,
    configId: opts.configId,
    controlSocket: opts.controlSocket,
    ...(opts.pidFile !== undefined ? { pidFile: opts.pidFile } : {}),
    log,
    dataplane: await makeDataplane(opts, log),
    ...(opts.ejectAfter !== undefined ? { ejectAfter: opts.ejectAfter } : {}),
    ...(opts.run !== undefined ? { run: opts.run } : {}),
  });
  const removeDumps = installDumpSignals({ admin: daemon.admin, config: () => daemon.config, log });
  let server: AdminServer | undefined;
  if (admin.listen !== null) {
    try {
      server = await AdminServer.start({
        backend: daemon.admin, listen: admin.listen, log, legacyInstanceLabel: opts.legacyInstanceLabel === true,
        ...(admin.token !== undefined ? { token: admin.token } : {}),
      });
    } catch (e) {
      // The load balancer keeps serving; only the admin API is missing.
      log.error(`Admin API not started on ${opts.adminListen ?? DEFAULT_ADMIN_LISTEN}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  sd.notify({ READY: '1', MAINPID: String(process.pid), STATUS: 'serving' });
  process.on('SIGHUP', () => {
    sd.notify({ RELOADING: '1', MONOTONIC_USEC: monotonicUsec(), STATUS: 'reloading' });
    daemon.reload().then(
      (r) => sd.notify({ READY: '1', STATUS: r.summary }),
      (e: unknown) => {
        log.error(`reload failed: ${e instanceof Error ? e.message : String(e)}`);
        sd.notify({ READY: '1', STATUS: 'reload failed; the running configuration stays' });
      },
    );
  });
  let stopping = false;
  const stop = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`Received ${sig}, stopping`);
    sd.notify({ STOPPING: '1', STATUS: 'stopping' });
    removeDumps();
    (server?.close() ?? Promise.resolve()).then(() => daemon.stop()).then(
      () => process.exit(0),
      (e: unknown) => {
        log.error(`stop failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return daemon;
}
