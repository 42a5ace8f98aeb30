// `halb -n -l -f FILE`: run the daemon in the foreground, wired to signals as keepalived
// is: SIGHUP reloads, SIGTERM/SIGINT stop cleanly. A signal never crashes the daemon.
import { createLogger, type LogFormat } from '../daemon/logger.js';
import { Daemon } from '../daemon/daemon.js';
import { availableParallelism } from 'node:os';
import { createProxyDataplane } from '../dataplane/proxy/index.js';
import type { Logger } from '../core/log.js';

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
}

/** One proxy process per core: the daemon's own plus cores - 1 workers. */
export function defaultWorkers(): number {
  return Math.max(0, availableParallelism() - 1);
}

export async function runDaemon(opts: RunOptions, log: Logger = createLogger({ format: opts.logFormat, level: opts.logLevel })): Promise<Daemon> {
  const daemon = await Daemon.start({
    configFile: opts.configFile,
    configId: opts.configId,
    controlSocket: opts.controlSocket,
    ...(opts.pidFile !== undefined ? { pidFile: opts.pidFile } : {}),
    log,
    dataplane: createProxyDataplane({ workers: opts.workers ?? defaultWorkers() }),
    ...(opts.ejectAfter !== undefined ? { ejectAfter: opts.ejectAfter } : {}),
    ...(opts.run !== undefined ? { run: opts.run } : {}),
  });
  process.on('SIGHUP', () => {
    daemon.reload().catch((e: unknown) => log.error(`reload failed: ${e instanceof Error ? e.message : String(e)}`));
  });
  let stopping = false;
  const stop = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`Received ${sig}, stopping`);
    daemon.stop().then(
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
