// `halb -t` and `halb --dump-config`: the config checker, keepalived-compatible.
// Exit status as keepalived -t (lib/scheduler.h / main.c): 0 clean, 4 cannot run
// (file missing or unreadable), 5 errors keepalived would report but still run, 6 scripts
// that would run without enable_script_security (CONFIG_SECURITY_ERROR outranks the rest).
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { formatDiagnostic, loadConfig, type LoadResult } from '../config/index.js';
import type { HostInfo, ScriptHost } from '../config/index.js';

export const EXIT_OK = 0;
export const EXIT_CONFIG_FATAL = 4;
export const EXIT_CONFIG_ERRORS = 5;
export const EXIT_CONFIG_SECURITY = 6;

export interface CheckOptions {
  readonly file: string;
  readonly configId: string | undefined;
  readonly host: HostInfo | undefined;
  /** The script audit's view of the host (accounts, file permissions); with host checks. */
  readonly scripts?: ScriptHost;
}

export function defaultConfigId(): string {
  return hostname().split('.')[0] ?? '';
}

export function runLoad(opts: CheckOptions): LoadResult {
  return loadConfig(opts.file, {
    configId: opts.configId ?? defaultConfigId(),
    env: process.env,
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.scripts !== undefined ? { scripts: opts.scripts } : {}),
  });
}

export function exitCodeFor(r: LoadResult): number {
  if (r.diagnostics.some((d) => d.security === true)) return EXIT_CONFIG_SECURITY;
  if (r.diagnostics.some((d) => d.severity === 'fatal')) return EXIT_CONFIG_FATAL;
  if (!r.ok) return EXIT_CONFIG_ERRORS;
  return EXIT_OK;
}

/** Print diagnostics (to stderr, or to LOGFILE as keepalived -t=LOGFILE does) and return the exit status. */
export function reportCheck(r: LoadResult, logFile: string | undefined, detail: boolean): number {
  const lines = r.diagnostics.map(formatDiagnostic);
  if (logFile !== undefined) writeFileSync(logFile, lines.map((l) => `${l}\n`).join(''));
  else for (const l of lines) process.stderr.write(`${l}\n`);
  const code = exitCodeFor(r);
  if (detail) {
    const c = r.config;
    const rs = c.virtualServers.reduce((n, vs) => n + ((vs as { realServers?: unknown[] }).realServers?.length ?? 0), 0);
    const counts = r.diagnostics.reduce((m, d) => ({ ...m, [d.severity]: (m[d.severity] ?? 0) + 1 }), {} as Record<string, number>);
    process.stdout.write(
      `${code === EXIT_OK ? 'Configuration OK' : 'Configuration has problems'}: ` +
      `${r.files.length} file(s), ${c.vrrpInstances.length} vrrp_instance(s), ${c.virtualServers.length} virtual_server(s), ` +
      `${rs} real_server(s); ${counts.error ?? 0} error(s), ${counts.warning ?? 0} warning(s)\n`);
  }
  return code;
}

/** The model as JSON, with the files read and the diagnostics, for --dump-config. */
export function dumpConfig(r: LoadResult): string {
  return `${JSON.stringify({ files: r.files, diagnostics: r.diagnostics, config: r.config }, null, 2)}\n`;
}
