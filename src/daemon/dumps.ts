// keepalived's dump signals on the running daemon: SIGUSR1 data, SIGUSR2 stats,
// SIGRTMIN+2 JSON (and SIGRTMAX-1, keepalived's stats-then-clear, which writes the
// stats: halb's counters are Prometheus counters and are never cleared; SIGRTMAX,
// keepalived's thread dump, logs the event loops' state). Paths come
// from global_defs (state_dump_file, stats_dump_file, json_dump_file, json_version),
// read at each signal so a reload moves them, else keepalived's /tmp defaults. Files
// are written beside their target and renamed into place, so a reader never sees half
// a dump and a symlink planted at the path is replaced, not followed.
import { openSync, writeSync, closeSync, renameSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/log.js';
import type { KeepalivedConfig } from '../config/index.js';
import type { AdminBackend } from '../api/admin-types.js';
import { statusView } from '../api/status-view.js';
import {
  checkDataPath, DEFAULT_DUMP_PATHS, renderCheckData, renderJson, renderStats, renderVrrpData, type JsonVersion,
} from '../api/dumps.js';
import { signalNumber, watchSignal } from '../sys/rt-signal.js';

export interface DumpPaths {
  readonly data: string;
  readonly stats: string;
  readonly json: string;
  readonly jsonVersion: JsonVersion;
}

export function dumpPaths(cfg: KeepalivedConfig | undefined): DumpPaths {
  const arg = (k: string): string | undefined => cfg?.global.other.find((o) => o.keyword === k)?.args[0];
  return {
    data: arg('state_dump_file') ?? DEFAULT_DUMP_PATHS.data,
    stats: arg('stats_dump_file') ?? DEFAULT_DUMP_PATHS.stats,
    json: arg('json_dump_file') ?? DEFAULT_DUMP_PATHS.json,
    jsonVersion: arg('json_version') === '2' ? 2 : 1,
  };
}

/** Write `text` to `path` through a fresh file in the same directory and a rename. */
export function writeAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}`);
  // 'wx': O_CREAT|O_EXCL, never through an existing file or symlink.
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export interface DumpOptions {
  readonly admin: AdminBackend;
  readonly config: () => KeepalivedConfig | undefined;
  readonly log: Logger;
}

export type DumpKind = 'data' | 'stats' | 'json';

/** Render and write one dump now; resolves to the files written. */
export async function writeDump(kind: DumpKind, o: DumpOptions): Promise<string[]> {
  const cfg = o.config();
  const paths = dumpPaths(cfg);
  const view = statusView(await o.admin.status());
  const written: string[] = [];
  const put = (path: string, text: string): void => {
    writeAtomic(path, text);
    written.push(path);
  };
  switch (kind) {
    case 'data':
      if (view.vrrp !== null) put(paths.data, renderVrrpData(view, cfg?.vrrpInstances));
      if (view.services.length > 0 || view.vrrp === null) put(checkDataPath(paths.data), renderCheckData(view));
      break;
    case 'stats':
      put(paths.stats, renderStats(view));
      break;
    case 'json':
      put(paths.json, renderJson(view, paths.jsonVersion));
      break;
  }
  return written;
}

/** Install the dump signals; returns a function that removes them. */
export function installDumpSignals(o: DumpOptions): () => void {
  const run = (kind: DumpKind, sig: string): void => {
    writeDump(kind, o).then(
      (files) => o.log.info(`${sig}: wrote ${files.join(', ')}`),
      (e: unknown) => o.log.error(`${sig}: ${kind} dump failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  };
  const onUsr1 = (): void => run('data', 'SIGUSR1');
  const onUsr2 = (): void => run('stats', 'SIGUSR2');
  process.on('SIGUSR1', onUsr1);
  process.on('SIGUSR2', onUsr2);
  const stops: Array<() => void> = [];
  try {
    stops.push(watchSignal(signalNumber('JSON'), () => run('json', 'SIGJSON')));
    stops.push(watchSignal(signalNumber('STATS_CLEAR'), () => {
      o.log.info('SIGSTATS_CLEAR: writing the stats; counters are not cleared (they are Prometheus counters)');
      run('stats', 'SIGSTATS_CLEAR');
    }));
    // keepalived's SIGTDUMP logs its threads; halb has one event loop (and the VRRP thread): log their state.
    stops.push(watchSignal(signalNumber('TDATA'), () => {
      o.admin.status().then((st) => {
        const v = statusView(st).vrrp;
        o.log.info(`SIGTDUMP: main event loop delay mean ${st.eventLoopLagMs.mean} ms, p99 ${st.eventLoopLagMs.p99} ms, max ${st.eventLoopLagMs.max} ms` +
          (v !== null ? `; VRRP thread delay p99 ${v.eventLoop.p99Ms} ms, timers fired ${v.timers.fired}, late ${v.timers.late} (max ${v.timers.maxLateMs} ms)` : ''));
      }, (e: unknown) => o.log.error(`SIGTDUMP: ${e instanceof Error ? e.message : String(e)}`));
    }));
  } catch (e) {
    // Without the addon an RT signal keeps its default action (terminate): say so once.
    o.log.warn(`SIGJSON (SIGRTMIN+2) is not handled: ${e instanceof Error ? e.message : String(e)}; use \`halb ctl\` or GET /api/v1/status`);
  }
  return () => {
    process.off('SIGUSR1', onUsr1);
    process.off('SIGUSR2', onUsr2);
    for (const s of stops) s();
  };
}
