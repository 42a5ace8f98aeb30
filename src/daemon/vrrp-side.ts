// The VRRP side of the daemon: runs the engine in its worker thread from the parsed
// config, tells the dataplane when a VIP arrives (a proxy can then listen on it), and on
// reload hands the new VRRP part to the running engine, which applies it instance by
// instance as keepalived does (docs/vrrp.md "Reload"). A reload the engine refuses (an
// interface that does not exist, a VRID clash, ...) changes nothing in VRRP.
import type { Logger } from '../core/log.js';
import { AdminCommandError } from '../api/admin-types.js';
import type { KeepalivedConfig } from '../config/index.js';
import { VrrpWorker } from '../vrrp/engine/worker-host.js';
import { specKey } from '../vrrp/engine/reload.js';
import type { EngineEvent, EngineSpec } from '../vrrp/engine/types.js';
import { configToVrrp } from './config-to-vrrp.js';
import { VrrpAlerts } from './vrrp-alerts.js';

export interface VrrpSideOptions {
  readonly log: Logger;
  /** A VIP of this instance is now on the host. */
  readonly onVipsAdded: (addresses: readonly string[]) => void;
  readonly onEvent?: (ev: EngineEvent) => void;
  /**
   * Awaited before an instance becoming MASTER adds its VIPs (VrrpWorkerOptions.beforeVips),
   * asked only while the config has halb_conntrack_sync: otherwise the engine thread never
   * waits for this (possibly busy) thread. Switched on reload without restarting VRRP.
   */
  readonly beforeVips?: (instance: string) => Promise<void>;
}

export class VrrpSide {
  readonly #o: VrrpSideOptions;
  #worker: VrrpWorker | undefined;
  #specJson = '';
  #gated = false;
  #spec: EngineSpec | undefined;
  #vips = new Map<string, string[]>();
  readonly #transitions: EngineEvent[] = [];
  readonly #alerts = new VrrpAlerts();
  #cfg: KeepalivedConfig | undefined;

  constructor(o: VrrpSideOptions) {
    this.#o = o;
  }

  /** Start the engine, or reload it in place when the VRRP part changed; a config without instances runs none. */
  async apply(cfg: KeepalivedConfig): Promise<string> {
    this.#gated = this.#o.beforeVips !== undefined && cfg.global.conntrackSync !== undefined;
    this.#worker?.setGate(this.#gated);
    const { spec, notes } = configToVrrp(cfg);
    for (const n of notes) this.#o.log.warn(n);
    const json = specKey(spec);
    if (json === this.#specJson && this.#worker !== undefined) {
      this.#cfg = cfg;
      return 'vrrp: unchanged';
    }
    const vips = new Map(spec.instances.map((i) => [i.fsm.name, [...i.io.vips, ...(i.io.excludedVips ?? [])].map((v) => v.address)]));
    if (this.#worker !== undefined) {
      try {
        const lines = await this.#worker.reload(spec);
        this.#cfg = cfg;
        this.#specJson = json;
        this.#spec = spec;
        this.#vips = vips;
        return `vrrp: reloaded in place, ${lines.length} instance(s) changed`;
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        this.#o.log.error(`VRRP reload refused: ${why}; the running VRRP configuration stays`);
        return `vrrp: reload refused (${why}); the running VRRP configuration stays`;
      }
    }
    this.#cfg = cfg;
    this.#vips = vips;
    this.#specJson = json;
    this.#spec = spec;
    if (spec.instances.length === 0) return 'vrrp: no instances';
    this.#worker = await this.#start(spec);
    return `vrrp: started ${spec.instances.length} instance(s)`;
  }

  #start(spec: EngineSpec): Promise<VrrpWorker> {
    return VrrpWorker.start(spec, {
      logger: this.#o.log.child({ component: 'vrrp' }),
      ...(this.#o.beforeVips !== undefined ? { beforeVips: this.#o.beforeVips, beforeVipsOn: this.#gated } : {}),
      onEvent: (ev) => {
        if (ev.kind === 'transition') {
          this.#transitions.push(ev);
          if (this.#transitions.length > 100) this.#transitions.shift();
          if (ev.to === 'MASTER') this.#o.onVipsAdded(this.#vips.get(ev.instance) ?? []);
        }
        this.#o.onEvent?.(ev);
        this.#mail(ev);
      },
      onExit: (code) => {
        this.#o.log.error(`VRRP engine thread exited unexpectedly (code ${code}); restarting it`);
        this.#worker = undefined;
        const again = this.#spec!;
        this.#start(again).then((w) => { this.#worker = w; }, (e: unknown) => this.#o.log.error(`VRRP engine restart failed: ${e instanceof Error ? e.message : String(e)}`));
      },
    });
  }

  /** smtp_alert on transitions (instances and sync groups), as keepalived mails them. */
  #mail(ev: EngineEvent): void {
    const cfg = this.#cfg;
    if (cfg === undefined || (ev.kind !== 'transition' && ev.kind !== 'group-transition')) return;
    void this.#alerts.alert(cfg, ev).then((o) => {
      if (!o.sent && o.why === 'send failed') this.#o.log.warn(`smtp alert "${o.subject}" not sent (${o.stage}): ${o.detail}`);
    });
  }

  /** Give up mastership of one instance now (admin API). */
  async releaseMaster(instance: string): Promise<{ readonly instances: readonly string[]; readonly holdMs: number }> {
    if (this.#worker === undefined) throw new AdminCommandError(409, 'no VRRP instance is running');
    if (!this.#vips.has(instance)) throw new AdminCommandError(404, `no vrrp_instance ${instance}`);
    try {
      return await this.#worker.releaseMaster(instance);
    } catch (e) {
      // Refusals (not MASTER, address owner, ...) are the caller's conflict, not our failure.
      throw new AdminCommandError(409, e instanceof Error ? e.message : String(e));
    }
  }

  async snapshot(): Promise<unknown> {
    if (this.#worker === undefined) return undefined;
    return { engine: await this.#worker.snapshot(), transitions: this.#transitions };
  }

  async stop(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    this.#specJson = '';
    if (w !== undefined) await w.stop();
  }
}
