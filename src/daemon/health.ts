// Health in the daemon: builds the checkers of every real server from the config, keeps
// the up/down (and dynamic weight) view the dataplane mapping reads, runs notify_up /
// notify_down and quorum_up / quorum_down, sends smtp alerts, and ejects a real server
// at once when the dataplane sees it refuse connections (passive ejection) — the active
// checker then brings it back, as keepalived brings back any failed server.
import { RealClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { KeepalivedConfig, RealServer, VirtualServer } from '../config/index.js';
import type { ScriptPort } from '../core/script.js';
import { buildTarget, contextFromConfig, HealthScheduler, type HealthTarget, type RealServerEvent } from '../check/index.js';
import { alertConfig, Notifier, realServerSubject, sendAlert, virtualServerSubject } from '../notify/index.js';
import type { BackendEvent } from '../dataplane/dataplane.js';
import { realServerId, type HealthView } from './config-to-desired.js';

export interface HealthOptions {
  readonly log: Logger;
  readonly clock?: Clock;
  /** The one script runner (MISC_CHECK, notify_up/down, quorum_up/down). */
  readonly scripts: ScriptPort;
  /** Consecutive connect failures or resets that eject a real server (0 = off). */
  readonly ejectAfter: number;
  /** Called when health or weights changed and the dataplane should be re-applied. */
  readonly onChange: (why: string) => void;
  /** Every real-server health event, for the admin event stream. */
  readonly onRealServer?: (e: RealServerEvent) => void;
  /** The notify FIFOs' RS and VS lines, written where the notify scripts run. */
  readonly fifo?: {
    realServer(rsLabel: string, vsLabel: string, up: boolean): void;
    virtualServer(vsLabel: string, up: boolean): void;
  };
}

interface RsInfo {
  readonly vs: VirtualServer;
  readonly rs: RealServer;
  readonly label: string;
}

/** keepalived's FMT_RS label, e.g. `[192.0.2.10]:tcp:80`. */
export function rsLabel(vs: VirtualServer, rs: RealServer, port: number): string {
  const proto = (vs.protocol ?? 'UDP').toLowerCase();
  return `[${rs.addr}]:${proto}:${port}`;
}

export class HealthCoordinator {
  readonly #o: HealthOptions;
  readonly #hs: HealthScheduler;
  readonly #alive = new Map<string, boolean>();
  readonly #weight = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  #info = new Map<string, RsInfo>();
  #cfg: KeepalivedConfig | undefined;
  #notifier: Notifier | undefined;
  #rsIds: ReadonlyMap<string, string> = new Map();
  readonly #ejections: Array<{ rsId: string; at: number; reason: string }> = [];

  constructor(o: HealthOptions) {
    this.#o = o;
    this.#hs = new HealthScheduler({ clock: o.clock ?? new RealClock(), logger: o.log.child({ component: 'check' }) });
    this.#hs.onRealServer((e) => this.#onRs(e));
  }

  view(): HealthView {
    return {
      isUp: (id) => this.#alive.get(id) ?? this.#hs.health(id)?.alive,
      weight: (id) => this.#weight.get(id),
      quorumWasUp: () => undefined,
    };
  }

  /** The dataplane's names for real servers, from the last mapping (serviceKey|endpointKey -> rsId). */
  setEndpointIds(ids: ReadonlyMap<string, string>): void {
    this.#rsIds = ids;
  }

  /** `serviceKey|endpointKey` -> rsId, as the last mapping named them. */
  endpointIds(): ReadonlyMap<string, string> {
    return this.#rsIds;
  }

  rsIdFor(service: string, realServer: string): string | undefined {
    return this.#rsIds.get(`${service}|${realServer}`);
  }

  /** First load and every reload: unchanged checkers keep their state (sameAs). */
  setConfig(cfg: KeepalivedConfig): void {
    this.#cfg = cfg;
    this.#notifier = new Notifier({ scripts: this.#o.scripts, logger: this.#o.log.child({ component: 'notify' }) });
    const ctx = contextFromConfig(cfg, this.#o.scripts);
    const targets: HealthTarget[] = [];
    const info = new Map<string, RsInfo>();
    for (const vs of cfg.virtualServers) {
      const ports = vs.key.kind === 'addr' ? [vs.key.port] : [0];
      for (const rs of vs.realServers) {
        if (rs.checkers.length === 0) continue;
        for (const port of ports) {
          const rsId = realServerId(vs.label, rs, port);
          if (info.has(rsId)) continue;
          const label = rsLabel(vs, rs, rs.port === 0 ? port : rs.port);
          info.set(rsId, { vs, rs, label });
          const built = buildTarget({ rsId, label }, vs, rs, ctx, cfg.global.checkerLogAllFailures);
          for (const p of built.problems) this.#o.log.error(`${label}: ${p}`);
          for (const w of built.warnings) this.#o.log.warn(`${label}: ${w}`);
          targets.push(built.target);
        }
      }
    }
    this.#info = info;
    for (const id of [...this.#alive.keys()]) if (!info.has(id)) { this.#alive.delete(id); this.#weight.delete(id); }
    this.#hs.setTargets(targets);
  }

  #onRs(e: RealServerEvent): void {
    this.#alive.set(e.rsId, e.alive);
    this.#weight.set(e.rsId, e.weight);
    this.#failures.delete(e.rsId);
    this.#o.onChange(`${e.label}: ${e.reason}`);
    this.#o.onRealServer?.(e);
    const info = this.#info.get(e.rsId);
    if (info === undefined || e.alive === e.previous.alive) return;
    this.#o.fifo?.realServer(info.label, info.vs.label, e.alive);
    const script = e.alive ? info.rs.notifyUp : info.rs.notifyDown;
    if (script !== undefined && this.#notifier !== undefined) {
      void this.#notifier.run(script, `${e.alive ? 'notify_up' : 'notify_down'} for ${info.label}`);
    }
    if (info.rs.smtpAlert) this.#mail(realServerSubject(this.#cfg?.global.routerId ?? '', info.label, info.vs.label, e.alive), e.reason);
  }

  /** quorum_up / quorum_down scripts and alerts when a service's quorum changes. */
  quorumChanged(vs: VirtualServer, up: boolean): void {
    this.#o.log.info(`${up ? 'Gained' : 'Lost'} quorum ${vs.quorum}-${vs.hysteresis} for VS ${vs.label}`);
    this.#o.fifo?.virtualServer(vs.label, up);
    const script = up ? vs.quorumUp : vs.quorumDown;
    if (script !== undefined && this.#notifier !== undefined) void this.#notifier.run(script, `${up ? 'quorum_up' : 'quorum_down'} for ${vs.label}`);
    if (vs.smtpAlert) this.#mail(virtualServerSubject(this.#cfg?.global.routerId ?? '', vs.label, up ? 'UP' : 'DOWN'), `quorum ${up ? 'gained' : 'lost'}`);
  }

  #mail(subject: string, body: string): void {
    const g = this.#cfg?.global;
    if (g === undefined) return;
    const c = alertConfig(g);
    if (c === undefined) return;
    sendAlert(c, subject, body).then(
      (r) => { if (!r.ok) this.#o.log.warn(`smtp alert not sent: ${r.detail}`); },
      (e: unknown) => this.#o.log.warn(`smtp alert not sent: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /** Passive ejection from the dataplane's connection outcomes. */
  backendEvent(ev: BackendEvent): void {
    if (this.#o.ejectAfter <= 0) return;
    const rsId = this.#rsIds.get(`${ev.service}|${ev.realServer}`);
    if (rsId === undefined || !this.#info.has(rsId)) return; // no checker: nothing would bring it back
    if (ev.kind === 'connected') {
      this.#failures.delete(rsId);
      return;
    }
    const n = (this.#failures.get(rsId) ?? 0) + 1;
    this.#failures.set(rsId, n);
    if (n < this.#o.ejectAfter) return;
    this.#failures.delete(rsId);
    const reason = `${n} consecutive ${ev.kind}${ev.code !== undefined ? ` (${ev.code})` : ''}`;
    if (this.#hs.eject(rsId, reason)) this.#ejections.push({ rsId, at: ev.at, reason });
  }

  ejections(): ReadonlyArray<{ rsId: string; at: number; reason: string }> {
    return this.#ejections;
  }

  snapshot(): ReturnType<HealthScheduler['snapshot']> {
    return this.#hs.snapshot();
  }

  async stop(): Promise<void> {
    await this.#hs.stop();
  }
}
