// GET /metrics: the daemon's snapshots in Prometheus text format through prom-client.
// Nothing is counted here: each scrape takes one AdminStatus and copies its values into
// the registry (counters are the daemon's own monotonic totals). Every series is reset
// first, so a service or instance that left the configuration leaves the output too, and
// a family with nothing to report this scrape (no VRRP, no reload yet) is left out
// entirely: prom-client would otherwise print an unlabelled gauge as 0. Names and labels
// are listed in docs/metrics.md. VRRP series are labelled `vrrp_instance`: Prometheus
// attaches `instance` (and `job`) to every target, so no halb series carries those.
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { AdminStatus } from './admin-types.js';
import type { StatsSnapshot } from '../dataplane/dataplane.js';
import { healthStatus, statusView, vrrpStatus } from './status-view.js';
import { bgpMetrics } from './metrics-bgp.js';

import { Families, type Labels, type Sink } from './metric-families.js';

const VRRP_STATES = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP'] as const;
const sec = (ms: number): number => ms / 1000;

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** Take a status and render the exposition text (scrapes are serialised). */
  render(): Promise<string>;
}

/** The ipvsadm --stats / --rate set of one service or real server, under `prefix`. */
function statsFamilies(f: Families, prefix: string, what: string, labelNames: readonly string[]): (l: Labels, s: StatsSnapshot) => void {
  const conns = f.counter(`${prefix}_connections_total`, `Connections scheduled to the ${what}.`, labelNames);
  const inPkts = f.counter(`${prefix}_in_packets_total`, `Packets (proxy: reads) from clients through the ${what}.`, labelNames);
  const outPkts = f.counter(`${prefix}_out_packets_total`, `Packets (proxy: reads) from real servers through the ${what}.`, labelNames);
  const inBytes = f.counter(`${prefix}_in_bytes_total`, `Bytes from clients through the ${what}.`, labelNames);
  const outBytes = f.counter(`${prefix}_out_bytes_total`, `Bytes from real servers through the ${what}.`, labelNames);
  const rate = (unit: string, dir: string): Sink => f.gauge(`${prefix}_${unit}_per_second`,
    `${dir} per second through the ${what}, from IPVS's 2-second rate estimator (ipvsadm --rate).`, labelNames);
  const cps = rate('connections', 'New connections');
  const inPps = rate('in_packets', 'Incoming packets');
  const outPps = rate('out_packets', 'Outgoing packets');
  const inBps = rate('in_bytes', 'Incoming bytes');
  const outBps = rate('out_bytes', 'Outgoing bytes');
  return (l, s) => {
    conns(l, s.conns); inPkts(l, s.inPkts); outPkts(l, s.outPkts); inBytes(l, s.inBytes); outBytes(l, s.outBytes);
    cps(l, s.cps); inPps(l, s.inPps); outPps(l, s.outPps); inBps(l, s.inBps); outBps(l, s.outBps);
  };
}

/** An event loop's delay (mean, p99, max), given in milliseconds, as three gauges in seconds. */
function lagGauges(f: Families, prefix: string, who: string): (meanMs: number, p99Ms: number, maxMs: number) => void {
  const [mean, p99, max] = (['mean', 'p99', 'max'] as const).map((k) => f.gauge(`${prefix}_event_loop_lag_${k}_seconds`,
    `${who} event-loop delay, ${k === 'mean' ? 'mean' : k === 'p99' ? '99th percentile' : 'maximum'}.`));
  return (meanMs, p99Ms, maxMs) => { mean?.({}, sec(meanMs)); p99?.({}, sec(p99Ms)); max?.({}, sec(maxMs)); };
}

function buildFamilies(f: Families, vrrpLabel: string): (s: AdminStatus) => void {
  // daemon
  const start = f.gauge('halb_start_time_seconds', 'When the daemon started, in seconds since the Unix epoch.');
  const reloads = f.counter('halb_reloads_total', 'Configuration reloads attempted (SIGHUP, halb ctl reload).');
  const reloadOk = f.gauge('halb_last_reload_success', '1 if the last reload was applied, 0 if it was refused.');
  const lag = lagGauges(f, 'halb', 'Main thread');
  // conntrackd run by halb (halb_conntrack_sync)
  const ctUp = f.gauge('halb_conntrack_sync_up', '1 while the conntrackd halb runs answers, 0 when it is dead, restarting, missing or cannot be configured.', [vrrpLabel, 'state']);
  const ctRestarts = f.counter('halb_conntrack_sync_restarts_total', 'Times conntrackd died or hung and was started again.', [vrrpLabel]);
  const ctCommits = f.counter('halb_conntrack_sync_commits_total', 'Commits of the other director\'s flows into the kernel on becoming MASTER.', [vrrpLabel]);
  const ctCommitFail = f.counter('halb_conntrack_sync_commit_failures_total', 'Commits that failed (the VIPs were added anyway).', [vrrpLabel]);
  const ctCommitSec = f.gauge('halb_conntrack_sync_last_commit_seconds', 'Duration of the last commit, before the VIPs were added.', [vrrpLabel]);
  const ctFlows = f.gauge('halb_conntrack_sync_flows', 'Flows in conntrackd\'s caches at the last reading: internal (this director\'s), external (the other\'s).', [vrrpLabel, 'cache']);
  // IPVS sync traffic seen (lvs_sync_daemon)
  const syncMsgs = f.counter('halb_ipvs_sync_messages_total', 'IPVS sync messages (protocol v1) seen on the lvs_sync_daemon interface.', ['interface']);
  const syncConns = f.counter('halb_ipvs_sync_connections_total', 'Connections carried by those messages (templates included).', ['interface']);
  const syncTemplates = f.counter('halb_ipvs_sync_templates_total', 'Persistence templates among them.', ['interface']);
  const syncDropped = f.counter('halb_ipvs_sync_dropped_total', 'Sync datagrams not counted, by reason.', ['interface', 'reason']);
  // VRRP
  const inst = [vrrpLabel];
  const state = f.gauge('halb_vrrp_state', 'VRRP instance state: 1 for the current state, 0 for the others.', [vrrpLabel, 'state']);
  const basePrio = f.gauge('halb_vrrp_base_priority', 'Configured priority of the instance.', inst);
  const effPrio = f.gauge('halb_vrrp_effective_priority', 'Priority advertised now: base plus tracker contributions.', inst);
  const masterPrio = f.gauge('halb_vrrp_master_priority', 'Priority of the current master as last heard (BACKUP).', inst);
  const contrib = f.gauge('halb_vrrp_priority_contribution', 'What one tracker adds to the base priority now.', [vrrpLabel, 'tracker', 'kind']);
  const sent = f.counter('halb_vrrp_adverts_sent_total', 'VRRP advertisements sent.', inst);
  const rcvd = f.counter('halb_vrrp_adverts_received_total', 'VRRP advertisements received and accepted.', inst);
  const sendErr = f.counter('halb_vrrp_advert_send_errors_total', 'VRRP advertisements that could not be sent.', inst);
  const dropped = f.counter('halb_vrrp_adverts_dropped_total', 'VRRP advertisements dropped, by reason (keepalived vrrp_rlflags).', [vrrpLabel, 'reason']);
  const transitions = f.counter('halb_vrrp_transitions_total', 'State changes of the instance.', inst);
  const becameMaster = f.counter('halb_vrrp_became_master_total', 'Times the instance became MASTER (keepalived become_master).', inst);
  const releasedMaster = f.counter('halb_vrrp_released_master_total', 'Times the instance left MASTER (keepalived release_master).', inst);
  const priZeroSent = f.counter('halb_vrrp_priority_zero_sent_total', 'Priority-0 advertisements sent (giving up mastership).', inst);
  const priZeroRcvd = f.counter('halb_vrrp_priority_zero_received_total', 'Priority-0 advertisements received.', inst);
  const garps = f.counter('halb_vrrp_gratuitous_arps_sent_total', 'Gratuitous ARPs sent for the VIPs.', inst);
  const nas = f.counter('halb_vrrp_neighbour_advertisements_sent_total', 'Unsolicited IPv6 neighbour advertisements sent.', inst);
  const readded = f.counter('halb_vrrp_vips_readded_total', 'VIPs put back after someone else deleted them.', inst);
  const lastTrans = f.gauge('halb_vrrp_last_transition_timestamp_seconds', 'When the instance last changed state.', inst);
  const unattributed = f.counter('halb_vrrp_unattributed_drops_total', 'Packets dropped before reaching an instance, by reason.', ['reason']);
  const timersFired = f.counter('halb_vrrp_timers_fired_total', 'VRRP thread timer expiries.');
  const timersLate = f.counter('halb_vrrp_timers_late_total', 'VRRP thread timer expiries that ran late.');
  const timerMaxLate = f.gauge('halb_vrrp_timer_max_late_seconds', 'Largest VRRP timer lateness seen.');
  const vLag = lagGauges(f, 'halb_vrrp', 'VRRP thread');
  // checkers
  const rsl = ['service', 'real_server'];
  const chl = ['service', 'real_server', 'checker', 'target'];
  const rsUp = f.gauge('halb_real_server_up', '1 if the real server is in the pool by its checkers (or has none), 0 if its checkers failed.', rsl);
  const chUp = f.gauge('halb_checker_up', '1 if the checker passes (after retries), 0 if it failed.', chl);
  const chLat = f.gauge('halb_checker_latency_seconds', 'Duration of the checker\'s last run.', chl);
  const chRuns = f.counter('halb_checker_runs_total', 'Checker runs.', chl);
  const chFail = f.counter('halb_checker_failures_total', 'Checker runs that failed.', chl);
  const lateMean = f.gauge('halb_checker_schedule_lateness_mean_seconds', 'How late checker runs started, mean.');
  const lateMax = f.gauge('halb_checker_schedule_lateness_max_seconds', 'How late checker runs started, maximum.');
  // dataplane
  const svcStats = statsFamilies(f, 'halb_service', 'virtual service', ['service']);
  const rsStats = statsFamilies(f, 'halb_real_server', 'real server', rsl);
  const listening = f.gauge('halb_service_listening', '1 if the virtual service accepts connections, 0 if it waits for its address or failed.', ['service']);
  const quorum = f.gauge('halb_service_quorum_up', '1 while the service has quorum.', ['service']);
  const sorry = f.gauge('halb_service_sorry_server_active', '1 while the sorry server takes the traffic.', ['service']);
  const active = f.gauge('halb_real_server_active_connections', 'Established connections (ipvsadm ActiveConn).', rsl);
  const inactive = f.gauge('halb_real_server_inactive_connections', 'Other connections (ipvsadm InActConn).', rsl);
  const weight = f.gauge('halb_real_server_weight', 'Weight as the scheduler sees it (0 when quiesced, down with inhibit, or drained).', rsl);
  const overridden = f.gauge('halb_real_server_weight_override', 'Weight set at run time through the API or halb ctl (absent without one).', rsl);

  return (s) => {
    start({}, sec(s.daemon.startedAt));
    reloads({}, s.daemon.reloads);
    if (s.daemon.lastReload !== undefined) reloadOk({}, s.daemon.lastReload.applied ? 1 : 0);
    lag(s.eventLoopLagMs.mean, s.eventLoopLagMs.p99, s.eventLoopLagMs.max);

    const ct = s.daemon.conntrackSync;
    if (ct !== undefined) {
      const l = { [vrrpLabel]: ct.instance };
      ctUp({ ...l, state: ct.state }, ct.state === 'running' ? 1 : 0);
      ctRestarts(l, ct.restarts); ctCommits(l, ct.commits); ctCommitFail(l, ct.commitFailures);
      if (ct.lastCommitMs !== undefined) ctCommitSec(l, sec(ct.lastCommitMs));
      if (ct.internalFlows !== undefined) ctFlows({ ...l, cache: 'internal' }, ct.internalFlows);
      if (ct.externalFlows !== undefined) ctFlows({ ...l, cache: 'external' }, ct.externalFlows);
    }

    const ipvs = s.daemon.ipvsSync;
    if (ipvs !== undefined) {
      const l = { interface: ipvs.interface };
      syncMsgs(l, ipvs.messages); syncConns(l, ipvs.conns); syncTemplates(l, ipvs.templates);
      for (const [reason, n] of Object.entries(ipvs.dropped)) syncDropped({ ...l, reason }, n);
    }

    const v = vrrpStatus(s);
    if (v !== undefined) {
      for (const i of v.engine.instances) {
        const l = { [vrrpLabel]: i.name };
        for (const st of VRRP_STATES) state({ ...l, state: st }, i.state === st ? 1 : 0);
        basePrio(l, i.basePriority); effPrio(l, i.effectivePriority);
        if (i.masterPriority !== null) masterPrio(l, i.masterPriority);
        for (const c of i.contributors) contrib({ ...l, tracker: c.name, kind: c.kind }, c.delta);
        const c = i.counters;
        sent(l, c.advertsSent); rcvd(l, c.advertsReceived); sendErr(l, c.sendErrors);
        for (const [reason, n] of Object.entries(c.drops)) dropped({ ...l, reason }, n);
        transitions(l, c.transitions); becameMaster(l, c.becomeMaster); releasedMaster(l, c.releaseMaster);
        priZeroSent(l, c.priZeroSent); priZeroRcvd(l, c.priZeroReceived);
        garps(l, c.garpsSent); nas(l, c.nasSent); readded(l, c.vipsReadded);
        if (i.lastTransition !== null) lastTrans(l, sec(i.lastTransition));
      }
      for (const [reason, n] of Object.entries(v.engine.unattributedDrops)) unattributed({ reason }, n);
      timersFired({}, v.engine.timers.fired); timersLate({}, v.engine.timers.late); timerMaxLate({}, sec(v.engine.timers.maxLateMs));
      vLag(v.engine.eventLoop.meanMs, v.engine.eventLoop.p99Ms, v.engine.eventLoop.maxMs);
    }

    const h = healthStatus(s);
    if (h !== undefined) { lateMean({}, sec(h.lateness.meanMs)); lateMax({}, sec(h.lateness.maxMs)); }
    for (const svc of statusView(s).services) {
      const sl = { service: svc.key };
      svcStats(sl, svc.stats);
      listening(sl, svc.listener === 'listening' ? 1 : 0); quorum(sl, svc.quorumUp ? 1 : 0); sorry(sl, svc.sorryActive ? 1 : 0);
      for (const rs of svc.realServers) {
        const l = { service: svc.key, real_server: rs.key };
        rsStats(l, rs.stats);
        rsUp(l, rs.alive === false ? 0 : 1);
        active(l, rs.activeConns); inactive(l, rs.inactiveConns); weight(l, rs.weight);
        if (rs.override !== null) overridden(l, rs.override.weight);
        for (const c of rs.checkers) {
          const cl = { ...l, checker: c.kind, target: c.target };
          chUp(cl, c.up ? 1 : 0); chRuns(cl, c.runs); chFail(cl, c.failures);
          if (c.last !== null) chLat(cl, sec(c.last.latencyMs));
        }
      }
    }
  };
}

export interface MetricsOptions {
  readonly defaultMetrics?: boolean;
  /**
   * `--metrics-legacy-instance-label`: label VRRP series `instance` as before 0.2 (it
   * collides with the target label Prometheus adds). Kept for one release.
   */
  readonly legacyInstanceLabel?: boolean;
}

export function createMetrics(source: () => Promise<AdminStatus>, opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const f = new Families(registry);
  const fill = buildFamilies(f, opts.legacyInstanceLabel === true ? 'instance' : 'vrrp_instance');
  const fillBgp = bgpMetrics(f);
  let chain: Promise<unknown> = Promise.resolve();
  const render = async (): Promise<string> => {
    const s = await source();
    f.reset();
    fill(s);
    fillBgp(s);
    return f.render();
  };
  return {
    registry,
    contentType: registry.contentType,
    render: () => {
      const p = chain.then(render, render);
      chain = p.catch(() => undefined);
      return p;
    },
  };
}
