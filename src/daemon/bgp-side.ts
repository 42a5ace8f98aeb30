// The daemon's BGP glue: turns each dataplane apply (quorum per service, failures) into a
// policy event for the speaker, and follows reloads that add, change or drop the
// halb_bgp block. A BGP failure never stops the rest of halb: it is logged and shown.
import { isDeepStrictEqual } from 'node:util';
import type { KeepalivedConfig, BgpConfig } from '../config/index.js';
import type { Logger } from '../core/log.js';
import type { ApplyReport } from '../dataplane/dataplane.js';
import { BgpSpeaker, type BgpSnapshot } from '../bgp/speaker.js';
import type { ServiceHealth } from '../bgp/policy.js';
import type { MappingResult } from './config-to-desired.js';

/** Config positions differ between reloads of one text; compare without them. */
function comparable(b: BgpConfig): unknown {
  return JSON.parse(JSON.stringify(b, (k, v: unknown) => (k === 'pos' ? undefined : v)));
}

export class BgpSide {
  readonly #log: Logger;
  readonly #fileBase: string;
  #speaker: BgpSpeaker | undefined;
  #cfg: BgpConfig | undefined;

  constructor(log: Logger, controlSocket: string) {
    this.#log = log;
    this.#fileBase = controlSocket.replace(/\.sock$/, '');
  }

  /** Start, reconfigure or stop the speaker for `cfg` (start and reload). */
  async configure(cfg: KeepalivedConfig): Promise<void> {
    const b = cfg.bgp;
    if (b === undefined) {
      if (this.#speaker !== undefined) this.#log.info('halb_bgp removed from the configuration: withdrawing and stopping BGP');
      await this.#speaker?.stop();
      this.#speaker = undefined;
      this.#cfg = undefined;
      return;
    }
    if (this.#speaker !== undefined && this.#cfg !== undefined) {
      if (isDeepStrictEqual(comparable(this.#cfg), comparable(b))) return;
      if (this.#cfg.daemon === b.daemon && this.#cfg.controlSocket === b.controlSocket && this.#cfg.birdPath === b.birdPath) {
        this.#cfg = b;
        await this.#speaker.reconfigure(b);
        return;
      }
      await this.#speaker.stop();
    }
    this.#cfg = b;
    this.#speaker = new BgpSpeaker(b, { log: this.#log.child({ component: 'bgp' }), fileBase: this.#fileBase });
    this.#log.info(`BGP: AS ${b.localAs ?? '?'} router id ${b.routerId ?? '?'}, ${b.neighbors.length} neighbour(s), announcing ${b.announces.map((a) => a.address).join(', ')} through ${b.daemon === 'bird' ? 'BIRD (run by halb)' : `the BIRD on ${b.controlSocket ?? '?'}`}`);
    this.#speaker.start();
  }

  /** After a dataplane apply: what each announced VIP's services can do now. */
  applied(m: MappingResult, r: ApplyReport): Promise<void> {
    if (this.#speaker === undefined) return Promise.resolve();
    const failed = new Set(r.failed.map((f) => f.service));
    const services = new Map<string, ServiceHealth[]>();
    for (const [id, vs] of m.vsById) {
      if (vs.key.kind !== 'addr') continue;
      const list = services.get(vs.key.addr) ?? [];
      list.push({ label: vs.label, quorum: m.quorum.get(id) === true, failed: failed.has(id) });
      services.set(vs.key.addr, list);
    }
    return this.#speaker.update({ kind: 'evaluate', dataplaneUp: true, services });
  }

  /** The dataplane apply threw: nothing here can be trusted to forward. */
  dataplaneFailed(e: unknown): Promise<void> {
    return this.#speaker?.update({ kind: 'evaluate', dataplaneUp: false, dataplaneError: e instanceof Error ? e.message : String(e), services: new Map() }) ?? Promise.resolve();
  }

  snapshot(): BgpSnapshot | undefined {
    return this.#speaker?.snapshot();
  }

  async stop(): Promise<void> {
    await this.#speaker?.stop();
    this.#speaker = undefined;
  }
}
