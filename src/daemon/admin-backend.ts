// The daemon's side of the admin API: run-time weight overrides (set, drain, enable)
// keyed by the daemon's real-server id so they survive reloads, the event stream the
// dashboard follows, and the composite status. Keeps daemon.ts about wiring.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { IPVS_WEIGHT_MAX } from '../core/ipvs-limits.js';
import type { Logger } from '../core/log.js';
import {
  AdminCommandError, type AdminBackend, type AdminEvent, type AdminStatus, type ReleaseNotice, type WeightOverride,
} from '../api/admin-types.js';
import type { DaemonStatus } from '../api/control-protocol.js';
import type { DataplaneSnapshot } from '../dataplane/dataplane.js';

/** What the daemon hands the admin backend. */
export interface AdminHooks {
  readonly log: Logger;
  readonly wallNow: () => number;
  readonly daemonStatus: () => DaemonStatus | Promise<DaemonStatus>;
  readonly dataplane: () => Promise<DataplaneSnapshot>;
  readonly vrrp: () => Promise<unknown>;
  readonly health: () => unknown;
  /** The daemon's id for (serviceKey, endpointKey) as the dataplane names them. */
  readonly rsIdFor: (service: string, realServer: string) => string | undefined;
  /** Every `serviceKey|endpointKey` -> rsId of the last mapping (health data by dataplane name). */
  readonly endpointIds: () => ReadonlyMap<string, string>;
  /** Re-apply the dataplane after an override changed. */
  readonly reapply: (why: string) => void;
  /** Resolves only when the release happened; rejects (nothing done) otherwise. */
  readonly releaseMaster: (instance: string) => Promise<ReleaseNotice>;
  readonly reload: () => Promise<{ readonly applied: boolean; readonly summary: string }>;
}

const MAX_WEIGHT = IPVS_WEIGHT_MAX;

export class DaemonAdmin implements AdminBackend {
  readonly #h: AdminHooks;
  readonly #overrides = new Map<string, WeightOverride>();
  readonly #listeners = new Set<(ev: AdminEvent) => void>();
  readonly #lag: IntervalHistogram;

  constructor(h: AdminHooks) {
    this.#h = h;
    this.#lag = monitorEventLoopDelay({ resolution: 10 });
    this.#lag.enable();
  }

  /** The weight an override imposes on a real server, if any. */
  /** Every run-time override in force (for `halb ctl list`). */
  overrides(): WeightOverride[] {
    return [...this.#overrides.values()];
  }

  weightOverride(rsId: string): number | undefined {
    return this.#overrides.get(rsId)?.weight;
  }

  emit(ev: AdminEvent): void {
    for (const cb of this.#listeners) {
      try {
        cb(ev);
      } catch (e) {
        this.#h.log.error(`admin event listener failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  onEvent(cb: (ev: AdminEvent) => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  async status(): Promise<AdminStatus> {
    const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
    return {
      daemon: await this.#h.daemonStatus(),
      vrrp: await this.#h.vrrp(),
      health: this.#h.health(),
      dataplane: await this.#h.dataplane(),
      overrides: [...this.#overrides.values()],
      realServerIds: Object.fromEntries(this.#h.endpointIds()),
      eventLoopLagMs: { mean: ms(this.#lag.mean), max: ms(this.#lag.max), p99: ms(this.#lag.percentile(99)) },
    };
  }

  #id(service: string, realServer: string): string {
    const id = this.#h.rsIdFor(service, realServer);
    if (id === undefined) throw new AdminCommandError(404, `no real server ${realServer} in virtual service ${service}`);
    return id;
  }

  #set(service: string, realServer: string, weight: number, drained: boolean, by: string): WeightOverride {
    const id = this.#id(service, realServer);
    const o: WeightOverride = { service, realServer, weight, drained, at: this.#h.wallNow(), by };
    this.#overrides.set(id, o);
    this.#h.log.info(`${drained ? 'Draining' : `Setting weight ${weight} on`} ${realServer} of ${service} (by ${by})`);
    this.emit({ kind: 'override', at: o.at, override: o, cleared: false });
    this.#h.reapply(`override ${realServer}`);
    return o;
  }

  async setWeight(service: string, realServer: string, weight: number, by: string): Promise<WeightOverride> {
    if (!Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
      throw new AdminCommandError(400, `weight must be an integer between 0 and ${MAX_WEIGHT}`);
    }
    return this.#set(service, realServer, weight, false, by);
  }

  async drain(service: string, realServer: string, by: string): Promise<WeightOverride> {
    return this.#set(service, realServer, 0, true, by);
  }

  async enable(service: string, realServer: string, by: string): Promise<void> {
    const id = this.#id(service, realServer);
    const o = this.#overrides.get(id);
    if (o === undefined) return;
    this.#overrides.delete(id);
    this.#h.log.info(`Enabling ${realServer} of ${service}: configured weight and checkers again (by ${by})`);
    this.emit({ kind: 'override', at: this.#h.wallNow(), override: o, cleared: true });
    this.#h.reapply(`enable ${realServer}`);
  }

  async releaseMastership(instance: string, by: string): Promise<ReleaseNotice> {
    // Logged once done: a refused release (not MASTER, no VRRP here) must not read as done.
    const notice = await this.#h.releaseMaster(instance);
    this.#h.log.info(`(${instance}) released mastership on request (by ${by}); ${notice.message}`);
    return notice;
  }

  async reload(by: string): Promise<{ readonly applied: boolean; readonly summary: string }> {
    this.#h.log.info(`reload requested (by ${by})`);
    const r = await this.#h.reload();
    return { applied: r.applied, summary: r.summary };
  }

  /** Drop overrides whose real server left the configuration. */
  prune(alive: (rsId: string) => boolean): void {
    for (const id of [...this.#overrides.keys()]) if (!alive(id)) this.#overrides.delete(id);
  }

  close(): void {
    this.#lag.disable();
  }
}
