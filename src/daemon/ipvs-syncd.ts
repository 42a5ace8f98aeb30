// lvs_sync_daemon with the IPVS dataplane: halb starts and stops the kernel's IPVS sync
// daemons (master: sends the connection table; backup: receives it) following the named
// VRRP instance, as keepalived does. The decisions are ipvs-syncd-plan.ts's (pure); this
// carries them out over generic netlink, one at a time and in order, and reads the
// kernel's daemons back (GET_DAEMON) for `halb ctl status` (.daemon.ipvsSyncDaemons).
// A failed command is logged in keepalived's words and the next one still runs: the
// daemon never stops serving because the sync thread could not start.
import type { Logger } from '../core/log.js';
import type { KeepalivedConfig } from '../config/index.js';
import type { IpvsSyncDaemonStatus } from '../api/control-protocol.js';
import type { IpvsSyncDaemon, IpvsSyncRole } from '../core/ipvs-types.js';
import type { VrrpStateName } from '../vrrp/fsm/fsm-types.js';
import { IpvsNetlink } from '../sys/ipvs-netlink.js';
import { SYNCD_INITIAL, syncdStep, syncdWanted, type SyncdAction, type SyncdEvent, type SyncdState } from './ipvs-syncd-plan.js';

/** The kernel side, as IpvsNetlink offers it (a port, so the wiring can be tested without IPVS). */
export interface SyncdKernel {
  startDaemon(d: IpvsSyncDaemon): Promise<void>;
  stopDaemon(role: IpvsSyncRole, syncId: number): Promise<void>;
  daemons(): Promise<IpvsSyncDaemon[]>;
  close(): void;
}

const describe = (d: IpvsSyncDaemon): string =>
  `${d.role.toLowerCase()} on ${d.interface} syncid ${d.syncId}${d.group !== undefined ? ` group ${d.group}` : ''}${d.port !== undefined ? ` port ${d.port}` : ''}` +
  `${d.ttl !== undefined ? ` ttl ${d.ttl}` : ''}${d.maxLen !== undefined ? ` maxlen ${d.maxLen}` : ''}`;

export class IpvsSyncDaemons {
  readonly #log: Logger;
  readonly #open: () => Promise<SyncdKernel>;
  #kernel: SyncdKernel | undefined;
  #state: SyncdState = SYNCD_INITIAL;
  #chain: Promise<unknown> = Promise.resolve();
  #lastError: string | undefined;
  #kernelView: IpvsSyncDaemon[] = [];

  constructor(log: Logger, open: () => Promise<SyncdKernel> = () => IpvsNetlink.open()) {
    this.#log = log.child({ component: 'ipvs-syncd' });
    this.#open = open;
  }

  /** halb start (fresh) or reload: start, restart or stop the daemons the configuration asks for. Returns a summary line. */
  configure(cfg: KeepalivedConfig, fresh: boolean, applicable = true): Promise<string> {
    const w = applicable ? syncdWanted(cfg) : {};
    if (w.error !== undefined) this.#log.error(w.error);
    return this.#run({ kind: 'configure', wanted: w.wanted, fresh }).then(() => this.#summary());
  }

  /** A VRRP transition of any instance (only the followed one moves the daemons). */
  transition(instance: string, to: VrrpStateName): void {
    void this.#run({ kind: 'transition', instance, to });
  }

  /** Stop the daemons halb started (keepalived stops them on exit). */
  async stop(): Promise<void> {
    await this.#run({ kind: 'stop' });
    this.#kernel?.close();
    this.#kernel = undefined;
  }

  /** Read the kernel's daemons again (for a status request). */
  refresh(): Promise<void> {
    const p = this.#chain.then(() => this.#read());
    this.#chain = p.catch(() => undefined);
    return p;
  }

  snapshot(): IpvsSyncDaemonStatus | undefined {
    const w = this.#state.wanted;
    if (w === undefined) return undefined;
    const st = w.instance !== undefined ? this.#state.states[w.instance] : undefined;
    return {
      interface: w.settings.interface, syncId: w.settings.syncId,
      ...(w.instance !== undefined ? { instance: w.instance } : {}),
      ...(st !== undefined ? { instanceState: st } : {}),
      started: (['MASTER', 'BACKUP'] as const).filter((r) => this.#state.running[r] !== undefined),
      kernel: this.#kernelView,
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
    };
  }

  #summary(): string {
    const s = this.snapshot();
    if (s === undefined) return 'lvs_sync_daemon: not configured';
    const follows = s.instance !== undefined ? `following (${s.instance})` : 'master and backup (no vrrp instance named)';
    const kernel = s.kernel.length === 0 ? 'none' : s.kernel.map(describe).join(', ');
    return `lvs_sync_daemon on ${s.interface} syncid ${s.syncId} ${follows}: kernel sync daemons: ${kernel}`;
  }

  #run(ev: SyncdEvent): Promise<void> {
    const step = async (): Promise<void> => {
      const { state, actions } = syncdStep(this.#state, ev);
      this.#state = state;
      if (actions.length === 0) return;
      for (const a of actions) await this.#act(a);
      await this.#read();
    };
    const p = this.#chain.then(step, step);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  async #kernelPort(): Promise<SyncdKernel> {
    this.#kernel ??= await this.#open();
    return this.#kernel;
  }

  async #act(a: SyncdAction): Promise<void> {
    try {
      const k = await this.#kernelPort();
      if (a.op === 'stop') {
        await k.stopDaemon(a.role, a.syncId);
        if (a.why !== 'start') this.#log.info(`${a.why}: stopping IPVS sync daemon ${a.role.toLowerCase()}`);
      } else {
        await k.startDaemon({ role: a.role, ...a.settings });
        this.#log.info(`${a.why}: starting IPVS sync daemon ${describe({ role: a.role, ...a.settings })}`);
      }
    } catch (e) {
      // keepalived: "IPVS cmd IP_VS_SO_SET_STARTDAEMON(...) error: ..."
      const cmd = a.op === 'start' ? 'IP_VS_SO_SET_STARTDAEMON' : 'IP_VS_SO_SET_STOPDAEMON';
      this.#lastError = `IPVS cmd ${cmd} (${a.role.toLowerCase()}) error: ${e instanceof Error ? e.message : String(e)}`;
      this.#log.error(`${a.why}: ${this.#lastError}`);
    }
  }

  async #read(): Promise<void> {
    if (this.#state.wanted === undefined && this.#kernel === undefined) {
      this.#kernelView = [];
      return;
    }
    try {
      const k = await this.#kernelPort();
      this.#kernelView = (await k.daemons()).map((d) => ({ ...d }));
    } catch (e) {
      this.#lastError = `cannot read the IPVS sync daemons: ${e instanceof Error ? e.message : String(e)}`;
      this.#log.warn(this.#lastError);
    }
  }
}
