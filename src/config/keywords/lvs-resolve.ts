// The end of a virtual_server block: keepalived's vs_end_handler (address family from
// the sorry and real servers) and the inheritance half of its validate_check_config,
// virtual server -> real server -> checker, so the model holds effective values. The
// checks keepalived reports without a line (protocol, duplicates, quorum, ports) are
// in validate-lvs.ts.
import type { KeepalivedConfig } from '../model/index.js';
import type { Checker, CheckerTiming, Forwarding, RealServer, SorryServer, VirtualServer } from '../model/lvs.js';
import type { Diagnostics, SourcePos } from '../diagnostics.js';
import { resolveConnect } from './checkers/common.js';
import type { CheckerDraft, RsDraft, VsDraft } from './lvs-draft.js';
import { vsLabel } from './lvs-draft.js';

const NAT: Forwarding = { method: 'NAT' };

/** global_defs' smtp_alert_checker, else smtp_alert. */
function globalSmtpAlert(cfg: KeepalivedConfig): boolean | undefined {
  return cfg.global.smtpAlertChecker ?? cfg.global.smtpAlert;
}

/** vs_end_handler(): settle the family, dropping a sorry server of the other family. */
function settleFamily(d: VsDraft, diag: Diagnostics, at: SourcePos): void {
  const s = d.sorry;
  if (s !== undefined && s.forwarding?.method !== 'TUN') {
    if (d.family === undefined) d.family = s.family;
    else if (d.family !== s.family) {
      diag.error(at, `Address family of virtual server and sorry server ${s.addr} don't match - skipping sorry server.`);
      d.sorry = undefined;
    }
  }
  if (d.family !== undefined || d.key.kind === 'group') return;
  // Only a fwmark service whose servers are all tunnelled gets here: take their common
  // family, IPv4 when they are mixed or absent.
  const fams = new Set([...(d.sorry !== undefined ? [d.sorry.family] : []), ...d.realServers.map((r) => r.family)]);
  d.family = fams.size === 1 ? [...fams][0] : 4;
}

function timing(c: CheckerDraft, rs: RealServer): CheckerTiming {
  const t = c.timing;
  const delayLoopMs = t.delayLoopMs ?? rs.delayLoopMs;
  return {
    alpha: t.alpha ?? rs.alpha,
    retry: t.retry ?? rs.retry ?? c.defaultRetry,
    delayLoopMs,
    // DNS_CHECK's default of 0 means "delay_loop".
    delayBeforeRetryMs: t.delayBeforeRetryMs ?? rs.delayBeforeRetryMs ?? (c.defaultDelayBeforeRetryMs || delayLoopMs),
    warmupMs: t.warmupMs ?? rs.warmupMs ?? delayLoopMs,
    logAllFailures: t.logAllFailures,
  };
}

function realServer(r: RsDraft, d: VsDraft, vsForwarding: Forwarding, smtpDefault: boolean): RealServer {
  const rs: RealServer = {
    pos: r.pos,
    addr: r.addr,
    family: r.family,
    port: r.port,
    weight: r.weight ?? d.weight,
    forwarding: r.forwarding ?? vsForwarding,
    upperThreshold: r.upperThreshold,
    lowerThreshold: r.lowerThreshold,
    inhibitOnFailure: r.inhibitOnFailure ?? d.inhibitOnFailure,
    alpha: r.alpha ?? d.alpha,
    smtpAlert: r.smtpAlert ?? smtpDefault,
    delayLoopMs: r.delayLoopMs ?? d.delayLoopMs,
    connectTimeoutMs: r.connectTimeoutMs ?? d.connectTimeoutMs,
    checkers: [],
  };
  const opt = {
    retry: r.retry ?? d.retry,
    delayBeforeRetryMs: r.delayBeforeRetryMs ?? d.delayBeforeRetryMs,
    warmupMs: r.warmupMs ?? d.warmupMs,
    virtualhost: r.virtualhost,
    snmpName: r.snmpName,
    notifyUp: r.notifyUp,
    notifyDown: r.notifyDown,
  };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) Object.assign(rs, { [k]: v });
  rs.checkers = r.checkers.map((c): Checker => c.build(timing(c, rs), c.conn !== undefined ? resolveConnect(c.conn, rs) : undefined));
  return rs;
}

export function finishVirtualServer(d: VsDraft, cfg: KeepalivedConfig, diag: Diagnostics, at: SourcePos): VirtualServer {
  settleFamily(d, diag, at);
  const defaulted: VirtualServer['defaulted'] = [];
  if (d.scheduler === undefined) defaulted.push('scheduler');
  const needsMethod = d.realServers.some((r) => r.forwarding === undefined) || (d.sorry !== undefined && d.sorry.forwarding === undefined);
  if (d.forwarding === undefined && needsMethod) defaulted.push('method');
  const forwarding = d.forwarding ?? NAT;
  const global = globalSmtpAlert(cfg);
  const vs: VirtualServer = {
    pos: d.pos,
    key: d.key,
    label: vsLabel(d.key, d.protocol),
    scheduler: d.scheduler ?? 'wlc',
    flags: d.flags,
    forwarding,
    persistenceTimeoutMs: d.persistenceTimeoutMs,
    haSuspend: d.haSuspend,
    alpha: d.alpha,
    omega: d.omega,
    quorum: d.quorum,
    hysteresis: d.hysteresis,
    weight: d.weight,
    // keepalived: a virtual server alerts only when told to; a real server unless told not to.
    smtpAlert: d.smtpAlert ?? global ?? false,
    inhibitOnFailure: d.inhibitOnFailure,
    delayLoopMs: d.delayLoopMs,
    connectTimeoutMs: d.connectTimeoutMs,
    realServers: d.realServers.map((r) => realServer(r, d, forwarding, global ?? true)),
    defaulted,
  };
  const opt = {
    family: d.family,
    protocol: d.protocol,
    persistenceGranularity: d.persistenceGranularity,
    persistenceEngine: d.persistenceEngine,
    quorumUp: d.quorumUp,
    quorumDown: d.quorumDown,
    virtualhost: d.virtualhost,
    snmpName: d.snmpName,
    retry: d.retry,
    delayBeforeRetryMs: d.delayBeforeRetryMs,
    warmupMs: d.warmupMs,
  };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) Object.assign(vs, { [k]: v });
  if (d.sorry !== undefined) {
    const s = d.sorry;
    const sorry: SorryServer = {
      pos: s.pos, addr: s.addr, family: s.family, port: s.port, forwarding: s.forwarding ?? forwarding, inhibitOnFailure: s.inhibitOnFailure,
    };
    vs.sorryServer = sorry;
  }
  return vs;
}
