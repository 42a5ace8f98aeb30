// The composition root: loads keepalived.conf, turns its LVS side into the dataplane's
// desired state, serves the control socket, and reloads by difference. A reload that
// brings new errors is refused with its diagnostics and the running config stays, as
// keepalived's reload_check_config would, but always on.
import { writeFileSync, rmSync } from 'node:fs';
import { HalbError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { diagnosticText, loadConfig, type ConfigDiagnostic, type KeepalivedConfig, type LoadResult } from '../config/index.js';
import { AddressNotAvailableError, type Dataplane } from '../dataplane/dataplane.js';
import type { ControlRequest, ControlResponse, DaemonStatus, ReloadResult } from '../api/control-protocol.js';
import { ControlServer } from './control-server.js';
import { configToDesired } from './config-to-desired.js';
import { HealthCoordinator } from './health.js';
import { VrrpSide } from './vrrp-side.js';
import { ConntrackSync } from './conntrack-sync.js';
import { IpvsSyncObserver } from './ipvs-sync-observer.js';
import { IpvsSyncDaemons } from './ipvs-syncd.js';
import { conntrackSyncNotApplicable, syncDaemonNotApplicable, type SyncScope } from './kernel-sync-scope.js';
import { DaemonAdmin } from './admin-backend.js';
import { adminCommand } from './admin-command.js';
import { BgpSide } from './bgp-side.js';
import { NotifyFifos } from './notify-fifos.js';
import { runStartStopScript } from './start-stop-scripts.js';
import { hostScripts, scriptPort } from '../sys/script/runner.js';
import { releaseNotice } from './release-notice.js';
import { AdminCommandError, type AdminBackend } from '../api/admin-types.js';
import { statusView } from '../api/status-view.js';

export interface DaemonOptions {
  readonly configFile: string;
  readonly configId: string;
  readonly controlSocket: string;
  readonly pidFile?: string;
  readonly log: Logger;
  readonly dataplane: Dataplane;
  /** Wall clock for status timestamps. */
  readonly wallNow?: () => number;
  /** Passive ejection: consecutive connect failures/resets that take a real server out (0 = off). */
  readonly ejectAfter?: number;
  /** keepalived -P / -C: run only VRRP, or only checkers and the dataplane (dflt both). */
  readonly run?: 'all' | 'vrrp' | 'lvs';
}

/** Default for --eject-after: the first refused connection ejects a checked real server. */
export const DEFAULT_EJECT_AFTER = 1;

/** Errors are compared without their line numbers: moving a block is not a new mistake. */
function errorKeys(ds: readonly ConfigDiagnostic[]): Set<string> {
  return new Set(ds.filter((d) => d.severity !== 'warning').map((d) => `${d.file ?? ''}|${d.message}`));
}

/** The start line says what runs, and what the configuration has that this daemon leaves to another (-P / -C). */
export function startLine(loaded: LoadResult, run: 'all' | 'vrrp' | 'lvs', controlSocket: string): string {
  const vs = loaded.config.virtualServers.length;
  const vi = loaded.config.vrrpInstances.length;
  const vrrp = run === 'lvs' ? `VRRP not running (-C)${vi > 0 ? `: ${vi} vrrp instance(s) left to another process` : ''}` : `VRRP: ${vi} vrrp instance(s)`;
  const lvs = run === 'vrrp'
    ? `checkers and dataplane not running (-P)${vs > 0 ? `: ${vs} virtual server(s) left to another process` : ''}`
    : `checkers and dataplane: ${vs} virtual server(s)`;
  return `Starting halb: ${loaded.files.length} config file(s); ${vrrp}; ${lvs}; control socket ${controlSocket}`;
}

export class Daemon {
  readonly #opts: DaemonOptions;
  readonly #log: Logger;
  #loaded: LoadResult;
  #control: ControlServer | undefined;
  readonly #health: HealthCoordinator;
  #quorum: ReadonlyMap<string, boolean> = new Map();
  #applyPending = false;
  #reloadChain: Promise<unknown> = Promise.resolve();
  #reloads = 0;
  #lastReload: DaemonStatus['lastReload'];
  readonly #startedAt: number;
  #stopped = false;
  readonly #vrrp: VrrpSide | undefined;
  readonly #lvs: boolean;
  readonly #admin: DaemonAdmin;
  /** halb_bgp: announce VIPs this director can serve (docs/bgp.md). */
  readonly #bgp: BgpSide;
  readonly #ctSync: ConntrackSync;
  readonly #ipvsSync: IpvsSyncObserver;
  readonly #fifos: NotifyFifos;
  /** lvs_sync_daemon: the kernel's IPVS sync daemons, following a VRRP instance. */
  readonly #syncd: IpvsSyncDaemons;

  private constructor(opts: DaemonOptions, loaded: LoadResult) {
    this.#opts = opts;
    this.#log = opts.log;
    this.#loaded = loaded;
    this.#startedAt = (opts.wallNow ?? Date.now)();
    this.#bgp = new BgpSide(opts.log, opts.controlSocket);
    this.#ctSync = new ConntrackSync({ log: opts.log, fileBase: opts.controlSocket });
    this.#ipvsSync = new IpvsSyncObserver(opts.log);
    this.#fifos = new NotifyFifos({ log: opts.log.child({ component: 'notify' }), scripts: scriptPort() });
    this.#syncd = new IpvsSyncDaemons(opts.log);
    this.#health = new HealthCoordinator({
      log: opts.log,
      scripts: scriptPort(),
      fifo: this.#fifos,
      ejectAfter: opts.ejectAfter ?? DEFAULT_EJECT_AFTER,
      onChange: () => this.#scheduleApply(),
      onRealServer: (e) => this.#admin.emit({
        kind: 'real-server', at: this.#wall(), realServer: e.label, virtualServer: e.vsLabel, alive: e.alive, weight: e.weight, reason: e.reason,
      }),
    });
    this.#admin = new DaemonAdmin({
      log: opts.log,
      wallNow: () => this.#wall(),
      daemonStatus: async () => {
        await this.#syncd.refresh();
        return this.#status();
      },
      dataplane: async () => {
        await opts.dataplane.refresh();
        return opts.dataplane.snapshot();
      },
      vrrp: async () => this.#vrrp?.snapshot(),
      health: () => (this.#lvs ? this.#health.snapshot() : undefined),
      rsIdFor: (svc, rs) => this.#health.rsIdFor(svc, rs),
      endpointIds: () => this.#health.endpointIds(),
      reapply: () => this.#scheduleApply(),
      reload: () => this.reload(),
      releaseMaster: async (instance) => {
        if (this.#vrrp === undefined) throw new AdminCommandError(409, 'VRRP is not running in this daemon (-C)');
        return releaseNotice(this.#loaded.config, await this.#vrrp.releaseMaster(instance));
      },
    });
    opts.dataplane.onBackendEvent((ev) => this.#health.backendEvent(ev));
    const run = opts.run ?? 'all';
    this.#lvs = run !== 'vrrp';
    this.#vrrp = run === 'lvs' ? undefined : new VrrpSide({
      log: opts.log,
      onEvent: (ev) => {
        if (ev.kind === 'notify') this.#fifos.instance(ev.instance, ev.to, ev.priority);
        else if (ev.kind === 'group-transition' && ev.to !== 'INIT') this.#fifos.group(ev.group, ev.to);
        if (ev.kind === 'transition') {
          this.#ctSync.transition(ev.instance, ev.to);
          this.#syncd.transition(ev.instance, ev.to);
          this.#admin.emit({ kind: 'vrrp-transition', at: this.#wall(), instance: ev.instance, from: ev.from, to: ev.to, priority: ev.priority, reason: ev.reason });
        }
      },
      onVipsAdded: (addrs) => { for (const a of addrs) this.#listenWhenPresent(a, 0); },
      beforeVips: (instance) => this.#ctSync.beforeVips(instance),
    });
  }

  /**
   * The engine reports MASTER as it starts adding the VIPs through netlink: the address may
   * land a moment later, so a listener still waiting for it is retried briefly.
   */
  #listenWhenPresent(address: string, attempt: number): void {
    if (this.#stopped || !this.#lvs) return;
    this.#opts.dataplane.addressAvailable(address).then(
      (r) => {
        const waiting = r.failed.some((f) => f.error instanceof AddressNotAvailableError && f.error.address === address);
        if (waiting && attempt < 50) setTimeout(() => this.#listenWhenPresent(address, attempt + 1), 100).unref();
        else if (!waiting) this.#log.info(`VIP ${address} is local: services on it listen`);
      },
      (e: unknown) => this.#log.error(`listen on ${address}: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /** Health events come in bursts: coalesce them into one apply, serialised with reloads. */
  #scheduleApply(): void {
    if (this.#applyPending || this.#stopped) return;
    this.#applyPending = true;
    const run = async (): Promise<void> => {
      this.#applyPending = false;
      if (this.#stopped) return;
      await this.#apply(this.#loaded.config, 'health change');
    };
    const p = this.#reloadChain.then(run, run);
    this.#reloadChain = p.catch((e: unknown) => this.#log.error(`apply failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Load, apply and listen. Throws a ConfigError-like HalbError only when the config cannot run at all. */
  static async start(opts: DaemonOptions): Promise<Daemon> {
    let loaded: LoadResult;
    try {
      loaded = loadConfig(opts.configFile, { configId: opts.configId, env: process.env, scripts: hostScripts() });
      // The log level says warning or error; the line says where and what, as keepalived's do.
      for (const d of loaded.diagnostics) opts.log[d.severity === 'warning' ? 'warn' : 'error'](diagnosticText(d));
      if (loaded.diagnostics.some((d) => d.severity === 'fatal')) {
        throw new HalbError('HALB_ERR_CONFIG', `cannot start: ${loaded.diagnostics.filter((d) => d.severity === 'fatal').map((d) => d.message).join('; ')}`);
      }
      // keepalived runs startup_script before anything else starts, and waits for it.
      await runStartStopScript('startup', loaded.config.global, scriptPort(), opts.log);
    } catch (e) {
      // The dataplane was handed over open: its timers would keep a daemon that cannot start alive.
      await opts.dataplane.close();
      throw e;
    }
    const d = new Daemon(opts, loaded);
    try {
      await d.#fifos.apply(loaded.config, d.#sides());
      if (d.#lvs) d.#health.setConfig(loaded.config);
      if (d.#lvs) await d.#bgp.configure(loaded.config);
      await d.#apply(loaded.config, 'start');
      await d.#ipvsSync.apply(loaded.config);
      // As keepalived: the BACKUP daemon runs before VRRP starts; MASTER follows the instance.
      opts.log.info(await d.#syncDaemons(loaded.config, true));
      const ct = loaded.config.global.conntrackSync;
      if (d.#vrrp === undefined && ct !== undefined) {
        opts.log.warn(`(${ct.pos.file}: Line ${ct.pos.line}) halb_conntrack_sync ignored: VRRP runs elsewhere (-C); drive conntrackd from its notify scripts (primary-backup.sh)`);
      }
      if (d.#vrrp !== undefined) {
        opts.log.info(await d.#conntrackSync(loaded.config));
        // A returning master must hold the other director's flows before it can preempt.
        await d.#ctSync.waitResynced();
        opts.log.info(await d.#vrrp.apply(loaded.config));
      }
      d.#control = await ControlServer.listen(opts.controlSocket, (req) => d.#handle(req), opts.log);
    } catch (e) {
      await d.stop();
      throw e;
    }
    if (opts.pidFile !== undefined) writeFileSync(opts.pidFile, `${process.pid}\n`);
    opts.log.info(startLine(loaded, opts.run ?? 'all', opts.controlSocket));
    return d;
  }

  #scope(): SyncScope {
    return { engine: this.#opts.dataplane.engine, lvs: this.#lvs, vrrp: this.#vrrp !== undefined };
  }

  #conntrackSync(cfg: KeepalivedConfig): Promise<string> {
    const c = cfg.global.conntrackSync;
    const why = conntrackSyncNotApplicable(cfg, this.#scope());
    if (c === undefined || why === undefined) return this.#ctSync.apply(cfg, this.#opts.configFile);
    this.#log.warn(`(${c.pos.file}: Line ${c.pos.line}) halb_conntrack_sync ignored: ${why}`);
    return this.#ctSync.apply({ ...cfg, global: { ...cfg.global, conntrackSync: undefined } } as KeepalivedConfig, this.#opts.configFile);
  }

  #syncDaemons(cfg: KeepalivedConfig, fresh: boolean): Promise<string> {
    const why = syncDaemonNotApplicable(cfg, this.#scope());
    if (why !== undefined) this.#log.warn(`lvs_sync_daemon ${cfg.global.lvsSyncDaemon!.interface} not applicable: ${why}`);
    return this.#syncd.configure(cfg, fresh, why === undefined);
  }

  get config(): KeepalivedConfig {
    return this.#loaded.config;
  }

  async #apply(cfg: KeepalivedConfig, why: string): Promise<string> {
    if (!this.#lvs) return `${why}: LVS side not running (-P)`;
    const hv = this.#health.view();
    const m = configToDesired(cfg, {
      ...hv,
      weight: (id) => this.#admin.weightOverride(id) ?? hv.weight?.(id),
      quorumWasUp: (id) => this.#quorum.get(id),
    }, this.#opts.dataplane.engine);
    if (why !== 'health change') for (const n of m.notes) this.#log.warn(`${n.service}: ${n.message}`);
    this.#health.setEndpointIds(m.rsIds);
    let r: Awaited<ReturnType<Dataplane['apply']>>;
    try {
      r = await this.#opts.dataplane.apply(m.desired);
    } catch (e) {
      void this.#bgp.dataplaneFailed(e);
      throw e;
    }
    // Not awaited: a slow BGP daemon must not hold up the next apply (the speaker queues).
    void this.#bgp.applied(m, r);
    for (const [id, up] of m.quorum) {
      const was = this.#quorum.get(id);
      const vs = m.vsById.get(id);
      if (was !== undefined && was !== up && vs !== undefined) this.#health.quorumChanged(vs, up);
    }
    this.#quorum = m.quorum;
    // A service whose address is not here yet (a BACKUP's VIP) waits: a normal state, not a failure.
    const waiting = r.failed.filter((f) => f.error instanceof AddressNotAvailableError);
    const failed = r.failed.filter((f) => !(f.error instanceof AddressNotAvailableError));
    for (const f of waiting) {
      const e = f.error as AddressNotAvailableError;
      this.#log.info(`${f.service}: waiting for ${e.address} to be added to this host (a VIP this node does not hold yet); listens on ${e.protocol} ${e.address}:${e.port} when it is`);
    }
    for (const f of failed) this.#log.error(`${f.service}: ${f.error.message}`);
    const summary = `${why}: ${r.added.length} added, ${r.removed.length} removed, ${r.updated.length} updated, ${r.unchanged.length} unchanged` +
      `${waiting.length > 0 ? `, ${waiting.length} waiting for their address` : ''}, ${failed.length} failed`;
    this.#log.info(summary);
    return summary;
  }

  /** Re-read the config; apply only the difference, or refuse and keep the running one. Reloads run one at a time. */
  reload(): Promise<ReloadResult> {
    const run = async (): Promise<ReloadResult> => {
      this.#reloads++;
      this.#log.info(`Reloading configuration from ${this.#opts.configFile}`);
      const next = loadConfig(this.#opts.configFile, { configId: this.#opts.configId, env: process.env, scripts: hostScripts() });
      const before = errorKeys(this.#loaded.diagnostics);
      const fresh = next.diagnostics.filter((d) => d.severity !== 'warning' && !before.has(`${d.file ?? ''}|${d.message}`));
      const fatal = next.diagnostics.some((d) => d.severity === 'fatal');
      const at = (this.#opts.wallNow ?? Date.now)();
      if (fatal || fresh.length > 0) {
        for (const d of fresh) this.#log.error(`reload refused: ${diagnosticText(d)}`);
        const summary = `reload refused: ${fresh.length} new error(s); the running configuration stays`;
        this.#log.error(summary);
        this.#lastReload = { at, applied: false, summary };
        this.#admin.emit({ kind: 'reload', at, applied: false, summary });
        return { applied: false, diagnostics: next.diagnostics, summary };
      }
      await this.#fifos.apply(next.config, this.#sides());
      if (this.#lvs) this.#health.setConfig(next.config);
      if (this.#lvs) await this.#bgp.configure(next.config);
      let summary = await this.#apply(next.config, 'reload');
      await this.#ipvsSync.apply(next.config);
      summary += `; ${await this.#syncDaemons(next.config, false)}`;
      if (this.#vrrp !== undefined) summary += `; ${await this.#conntrackSync(next.config)}; ${await this.#vrrp.apply(next.config)}`;
      this.#loaded = next;
      this.#lastReload = { at, applied: true, summary };
      this.#admin.prune((id) => [...next.config.virtualServers].some((vs) => id.startsWith(`${vs.label}/`)));
      this.#admin.emit({ kind: 'reload', at, applied: true, summary });
      return { applied: true, diagnostics: next.diagnostics, summary };
    };
    const p = this.#reloadChain.then(run, run);
    this.#reloadChain = p.catch(() => undefined);
    return p;
  }

  async #handle(req: ControlRequest): Promise<ControlResponse> {
    switch (req.cmd) {
      case 'list': {
        // Worker processes report periodically; ask them for current counters first.
        const o = { connections: req.connections === true };
        await this.#opts.dataplane.refresh(o);
        return { id: req.id, ok: true, result: { ...this.#opts.dataplane.snapshot(o), overrides: this.#admin.overrides() } };
      }
      case 'reload':
        return { id: req.id, ok: true, result: await this.reload() };
      case 'weight':
      case 'drain':
      case 'enable':
      case 'release':
        return adminCommand(this.#admin, req);
      case 'status':
        // The same view as GET /api/v1/status: one shape for `halb ctl status` and the API.
        return { id: req.id, ok: true, result: statusView(await this.#admin.status()) };
    }
  }

  #wall(): number {
    return (this.#opts.wallNow ?? Date.now)();
  }

  #status(): DaemonStatus {
    const ct = this.#ctSync.snapshot();
    const ipvs = this.#ipvsSync.snapshot();
    const syncd = this.#syncd.snapshot();
    return {
      pid: process.pid, configFile: this.#opts.configFile, startedAt: this.#startedAt, reloads: this.#reloads,
      ...(this.#lastReload !== undefined ? { lastReload: this.#lastReload } : {}),
      ...(this.#bgp.snapshot() !== undefined ? { bgp: this.#bgp.snapshot() } : {}),
      ...(ct !== undefined ? { conntrackSync: ct } : {}),
      ...(ipvs !== undefined ? { ipvsSync: ipvs } : {}),
      ...(syncd !== undefined ? { ipvsSyncDaemons: syncd } : {}),
    };
  }

  /** What the admin API and metrics read and command. */
  get admin(): AdminBackend {
    return this.#admin;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#log.info('Stopping halb');
    await this.#reloadChain;
    await this.#control?.close();
    await this.#vrrp?.stop();
    await this.#syncd.stop();
    await this.#ctSync.stop();
    this.#ipvsSync.stop();
    await this.#health.stop();
    await this.#bgp.stop();
    this.#admin.close();
    await this.#fifos.stop();
    await this.#opts.dataplane.close();
    // keepalived runs shutdown_script once its VRRP and checker processes are gone.
    await runStartStopScript('shutdown', this.#loaded.config.global, scriptPort(), this.#log);
    if (this.#opts.pidFile !== undefined) rmSync(this.#opts.pidFile, { force: true });
  }

  /** Which notify FIFO events this daemon produces (-P / -C run one side). */
  #sides(): { vrrp: boolean; lvs: boolean } {
    return { vrrp: this.#vrrp !== undefined, lvs: this.#lvs };
  }
}
