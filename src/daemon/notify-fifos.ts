// The notify FIFOs (notify_fifo, vrrp_notify_fifo, lvs_notify_fifo): opened at start
// with their reader scripts (the FIFO's path as the last argument, run through the one
// script runner with no timeout, as keepalived's TIMER_NEVER), fed one line per VRRP
// notify and per real/virtual server state change, closed at stop. On reload keepalived
// closes and reopens every FIFO, restarting its reader; halb keeps a FIFO whose
// settings did not change open, with its reader, so the reader misses nothing.
import type { Logger } from '../core/log.js';
import type { ScriptPort } from '../core/script.js';
import { describeResult } from '../core/script.js';
import type { KeepalivedConfig } from '../config/index.js';
import {
  groupLine, instanceLine, planFifos, realServerLine, virtualServerLine, type FifoPlan, type FifoVrrpState,
} from '../notify/fifo-lines.js';
import { NotifyFifoFile } from '../sys/notify-fifo.js';

/** How long a reader may take to exit after its FIFO is closed before it is terminated. */
const READER_GRACE_MS = 1000;

interface OpenFifo {
  readonly plan: FifoPlan;
  readonly key: string;
  readonly file: NotifyFifoFile;
  readonly abort: AbortController;
  reader?: Promise<void>;
}

export interface NotifyFifosOptions {
  readonly log: Logger;
  readonly scripts: ScriptPort;
}

function planKey(p: FifoPlan): string {
  return JSON.stringify([p.path, p.keyword, p.vrrp, p.lvs, p.script?.text, p.script?.run, p.owner]);
}

export class NotifyFifos {
  readonly #o: NotifyFifosOptions;
  #open: OpenFifo[] = [];

  constructor(o: NotifyFifosOptions) {
    this.#o = o;
  }

  /** Start and reload: open what is new, close what went or changed, keep the rest. */
  async apply(cfg: KeepalivedConfig, sides: { readonly vrrp: boolean; readonly lvs: boolean }): Promise<void> {
    const { fifos, notes } = planFifos(cfg.global, sides);
    for (const n of notes) this.#o.log.info(n);
    const wanted = new Map(fifos.map((p) => [planKey(p), p]));
    const keep: OpenFifo[] = [];
    const gone: OpenFifo[] = [];
    for (const f of this.#open) (wanted.has(f.key) ? keep : gone).push(f);
    await Promise.all(gone.map((f) => this.#close(f)));
    for (const [key, plan] of wanted) {
      if (keep.some((f) => f.key === key)) continue;
      const f = this.#start(plan, key);
      if (f !== undefined) keep.push(f);
    }
    this.#open = keep;
  }

  #start(plan: FifoPlan, key: string): OpenFifo | undefined {
    const type = plan.keyword.replace('notify_fifo', '');
    let file: NotifyFifoFile;
    try {
      file = NotifyFifoFile.open(plan.path, plan.owner);
    } catch (e) {
      this.#o.log.error(`${(e as Error).message} - ${plan.keyword} not used`, { keyword: plan.keyword });
      return undefined;
    }
    if (file.warning !== undefined) this.#o.log.warn(file.warning);
    const f: OpenFifo = { plan, key, file, abort: new AbortController() };
    const script = plan.script;
    if (script !== undefined) {
      this.#o.log.info(`Executing [${script.text}] as ${type}notify fifo reader for ${plan.path}`);
      f.reader = this.#o.scripts.run(script, [plan.path], Infinity, f.abort.signal).then((r) => {
        const msg = `${type === '' ? '' : `${type.replace('_', '')} `}notify fifo script terminated: ${describeResult(r)}`;
        if (r.kind === 'spawn-error') this.#o.log.error(msg, { script: script.text });
        else this.#o.log.info(msg, { script: script.text });
      });
    }
    this.#o.log.info(`Opened ${plan.keyword} ${plan.path}${plan.vrrp && plan.lvs ? '' : plan.vrrp ? ' (VRRP events)' : ' (LVS events)'}`);
    return f;
  }

  async #close(f: OpenFifo): Promise<void> {
    f.file.close();
    if (f.reader === undefined) return;
    // The reader sees end-of-file now that the only writer is gone; one that ignores it is stopped.
    const grace = setTimeout(() => f.abort.abort(), READER_GRACE_MS);
    await f.reader;
    clearTimeout(grace);
  }

  #write(side: 'vrrp' | 'lvs', line: string): void {
    for (const f of this.#open) {
      if (!f.plan[side]) continue;
      try {
        f.file.write(line);
      } catch (e) {
        this.#o.log.warn((e as Error).message, { keyword: f.plan.keyword });
      }
    }
  }

  /** A VRRP instance's notify (state, MASTER_RX_LOWER_PRI, priority change). */
  instance(name: string, state: FifoVrrpState, priority: number): void {
    this.#write('vrrp', instanceLine(name, state, priority));
  }

  group(name: string, state: FifoVrrpState): void {
    this.#write('vrrp', groupLine(name, state));
  }

  realServer(rsLabel: string, vsLabel: string, up: boolean): void {
    this.#write('lvs', realServerLine(rsLabel, vsLabel, up));
  }

  virtualServer(vsLabel: string, up: boolean): void {
    this.#write('lvs', virtualServerLine(vsLabel, up));
  }

  async stop(): Promise<void> {
    const all = this.#open;
    this.#open = [];
    await Promise.all(all.map((f) => this.#close(f)));
  }
}
