// Build running checkers from the config model: one constructor per kind (keepalived's
// install_checkers_keyword table), plus the timing each one runs with. A checker that
// cannot run (insecure script, unknown track_file, BFD) is left out with a message, as
// keepalived dequeues it ("Disabling misc script ... due to insecure").
import { readFileSync } from 'node:fs';
import type { ScriptPort } from '../core/script.js';
import type { KeepalivedConfig } from '../config/model/index.js';
import type { Checker as CheckerModel, CheckerTiming } from '../config/model/checkers.js';
import type { RealServer, SslConfig, VirtualServer } from '../config/model/lvs.js';
import type { TrackFile } from '../config/model/trackers.js';
import type { Checker } from './checker.js';
import { DnsChecker } from './dns.js';
import { FileChecker } from './file.js';
import { HttpGetChecker } from './http-get.js';
import { MiscChecker } from './misc.js';
import type { TlsOptions } from './net-util.js';
import { PingChecker, type EchoTransport } from './ping.js';
import type { CheckTiming } from './runner.js';
import { SmtpChecker } from './smtp.js';
import { TcpChecker } from './tcp.js';
import { UdpChecker } from './udp.js';

export interface BuildContext {
  /** Top-level track_file blocks (FILE_CHECK refers to them by name). */
  readonly trackFiles: readonly TrackFile[];
  /** The top-level SSL block: client certificate/CA for SSL_GET. */
  readonly ssl?: SslConfig;
  /** Runs MISC_CHECK scripts the config audit approved. */
  readonly scripts: ScriptPort;
  /** ICMP echo for PING_CHECK (default: iputils ping). */
  readonly echo?: EchoTransport;
}

export type BuildResult =
  | { readonly ok: true; readonly checker: Checker; readonly timing: CheckTiming; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly message: string };

/** The context a whole configuration gives. */
export function contextFromConfig(cfg: KeepalivedConfig, scripts: ScriptPort, extra: { echo?: EchoTransport } = {}): BuildContext {
  return {
    trackFiles: cfg.trackFiles,
    ...(cfg.ssl !== undefined ? { ssl: cfg.ssl } : {}),
    scripts,
    ...(extra.echo !== undefined ? { echo: extra.echo } : {}),
  };
}

function timingOf(t: CheckerTiming): CheckTiming {
  return { alpha: t.alpha, retry: t.retry, delayLoopMs: t.delayLoopMs, delayBeforeRetryMs: t.delayBeforeRetryMs, warmupMs: t.warmupMs };
}

function tlsFrom(ssl: SslConfig | undefined): { tls?: Omit<TlsOptions, 'servername'>; warning?: string } {
  if (ssl === undefined) return {};
  try {
    return {
      tls: {
        ...(ssl.ca !== undefined ? { ca: readFileSync(ssl.ca) } : {}),
        ...(ssl.certificate !== undefined ? { cert: readFileSync(ssl.certificate) } : {}),
        ...(ssl.key !== undefined ? { key: readFileSync(ssl.key) } : {}),
        ...(ssl.password !== undefined ? { passphrase: ssl.password } : {}),
      },
    };
  } catch (e) {
    return { warning: `SSL block: ${e instanceof Error ? e.message : String(e)} - SSL_GET runs without a client certificate` };
  }
}

/** Socket options Node cannot set without native code; logged once per checker. */
function connectWarnings(c: { bindIf?: string; fwmark?: number }): string[] {
  const w: string[] = [];
  if (c.bindIf !== undefined) w.push(`bind_if ${c.bindIf} is not supported (SO_BINDTODEVICE needs native code) - ignored`);
  if (c.fwmark !== undefined) w.push(`fwmark ${c.fwmark} on check packets is not supported (SO_MARK needs native code) - ignored`);
  return w;
}

export function buildChecker(m: CheckerModel, rs: Pick<RealServer, 'virtualhost' | 'delayLoopMs'>, ctx: BuildContext): BuildResult {
  switch (m.kind) {
    case 'TCP_CHECK':
      return { ok: true, checker: new TcpChecker(m), timing: timingOf(m), warnings: connectWarnings(m.connect) };
    case 'HTTP_GET':
    case 'SSL_GET': {
      const t = m.kind === 'SSL_GET' ? tlsFrom(ctx.ssl) : {};
      const c = new HttpGetChecker(m, { ...(rs.virtualhost !== undefined ? { rsVirtualhost: rs.virtualhost } : {}), ...(t.tls !== undefined ? { tls: t.tls } : {}) });
      return { ok: true, checker: c, timing: timingOf(m), warnings: [...connectWarnings(m.connect), ...c.regexWarnings(), ...(t.warning !== undefined ? [t.warning] : [])] };
    }
    case 'SMTP_CHECK':
      return { ok: true, checker: new SmtpChecker(m), timing: timingOf(m), warnings: connectWarnings(m.connect) };
    case 'DNS_CHECK':
      return { ok: true, checker: new DnsChecker(m), timing: timingOf(m), warnings: connectWarnings(m.connect) };
    case 'UDP_CHECK':
      return { ok: true, checker: new UdpChecker(m), timing: timingOf(m), warnings: connectWarnings(m.connect) };
    case 'PING_CHECK':
      return { ok: true, checker: new PingChecker(m, ctx.echo), timing: timingOf(m), warnings: connectWarnings(m.connect) };
    case 'MISC_CHECK': {
      // The config's script audit removes a MISC_CHECK that may not run; this is its backstop.
      if (m.script.run === undefined) return { ok: false, message: `Disabling misc script ${m.script.text}: not approved by the script audit` };
      return { ok: true, checker: new MiscChecker(m, ctx.scripts), timing: timingOf(m), warnings: [] };
    }
    case 'FILE_CHECK': {
      const tf = ctx.trackFiles.find((t) => t.name === m.trackFile);
      if (tf === undefined) return { ok: false, message: `FILE_CHECK: track_file ${m.trackFile} not found` };
      const own = m.weight !== undefined && m.weight !== 0;
      const checker = new FileChecker({ name: tf.name, path: tf.file, weight: own ? (m.weight as number) : tf.weight, reverse: own ? m.reverse : tf.weightReverse });
      // keepalived follows the file through inotify with no retries; polling every
      // delay_loop backs up the watch here.
      return { ok: true, checker, timing: { alpha: false, retry: 0, delayLoopMs: rs.delayLoopMs, delayBeforeRetryMs: rs.delayLoopMs, warmupMs: 0 }, warnings: [] };
    }
    case 'BFD_CHECK':
      return { ok: false, message: `BFD_CHECK ${m.name}: BFD is not implemented by halb - checker ignored` };
  }
}

export interface CheckerEntry {
  readonly checker: Checker;
  readonly timing: CheckTiming;
  readonly logAllFailures: boolean;
}

export interface HealthTarget {
  /** The daemon's key for the real server (config-to-desired realServerId()). */
  readonly rsId: string;
  /** keepalived's FMT_RS, for logs: `[10.0.0.1]:tcp:80`. */
  readonly label: string;
  /** The virtual server's label, for alerts. */
  readonly vsLabel: string;
  /** Configured weight (misc_dynamic and FILE_CHECK adjust it). */
  readonly weight: number;
  readonly checkers: readonly CheckerEntry[];
}

/** Build every checker of a real server; problems are the checkers left out and why. */
export function buildTarget(
  ids: { rsId: string; label: string },
  vs: Pick<VirtualServer, 'label'>,
  rs: RealServer,
  ctx: BuildContext,
  logAllFailures = false,
): { target: HealthTarget; problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const checkers: CheckerEntry[] = [];
  for (const m of rs.checkers) {
    const r = buildChecker(m, rs, ctx);
    if (!r.ok) {
      problems.push(r.message);
      continue;
    }
    warnings.push(...r.warnings.map((w) => `${r.checker.kind} ${r.checker.target}: ${w}`));
    checkers.push({ checker: r.checker, timing: r.timing, logAllFailures: logAllFailures || ('logAllFailures' in m && m.logAllFailures) });
  }
  return { target: { rsId: ids.rsId, label: ids.label, vsLabel: vs.label, weight: rs.weight, checkers }, problems, warnings };
}
