// What a drill watches while it runs: the client's requests (load-client.ts in the
// client namespace), the VIP on each director (`ip monitor address` inside each director
// namespace), and the directors' logs (VRRP transitions, real servers going down and up,
// reloads). Every process started here lives in a lab namespace, so a drill that dies
// leaves nothing that `halb lab down` cannot find; they also end by themselves when
// their pipe to the drill closes.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { linkAddresses, watchAddresses, type AddressWatch } from '../sys/netns.js';
import { HalbError } from '../core/errors.js';
import { ClientProcess, hasKey } from './client-process.js';
import { parseLogLine } from './log-events.js';
import type { LogEvent, Sample, VipEvent } from './report-types.js';
import { directorFiles, type LabState } from './state.js';
import { LAN_IF } from './topology.js';
import { preciseWallNow } from '../core/clock.js';

export const now = preciseWallNow;

export const LOAD_CLIENT = fileURLToPath(new URL('./load-client.js', import.meta.url));

export interface LoadOptions {
  readonly rate: number;
  readonly timeoutMs: number;
}

/** The load client's records: its samples, without the closing {"done":true}. */
function loadClient(state: LabState, args: readonly string[], samples: Sample[]): ClientProcess {
  const t = state.topology;
  return new ClientProcess(t.client.ns, LOAD_CLIENT, ['--host', t.vip, '--port', '80', ...args, '--lab', state.dir], (r) => {
    if (!hasKey(r, 'done')) samples.push(r as Sample);
  });
}

/** The client's request stream through the VIP. */
export class LoadRun {
  readonly samples: Sample[] = [];
  readonly #client: ClientProcess;

  constructor(state: LabState, o: LoadOptions) {
    this.#client = loadClient(state, ['--rate', String(o.rate), '--timeout', String(o.timeoutMs), '--max-seconds', '600'], this.samples);
  }

  /**
   * Whether service is back since `after`: the last `n` requests among those sent after
   * `after` and at least `settleMs` ago all succeeded. Requests sent longer than the
   * client's timeout ago have all finished, so none of them can still turn out to fail;
   * settleMs must exceed that timeout.
   */
  recovered(after: number, n: number, settleMs: number): boolean {
    const upTo = now() - settleMs;
    const xs = this.samples.filter((s) => s.s >= after && s.s <= upTo).sort((a, b) => a.s - b.s);
    return xs.length >= n && xs.slice(-n).every((s) => s.ok);
  }

  /**
   * Resolves once the client has finished a request (answered or not). The client is a
   * Node process of its own: under emulation it starts seconds after it is spawned, and
   * a drill that acted before then would measure no baseline and miss the fault's start.
   */
  async sending(timeoutMs: number): Promise<void> {
    const end = performance.now() + timeoutMs;
    while (this.samples.length === 0) {
      if (performance.now() > end) throw new HalbError('HALB_ERR_SYS', `the load client finished no request within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stop sending, let requests in flight finish, and wait for the client to exit. */
  async stop(): Promise<void> {
    await this.#client.stop(5000);
  }
}

/** Appended lines of one log file, read by polling. */
class LogTail {
  #offset: number;
  #partial = '';
  constructor(readonly file: string, readonly director: string) {
    this.#offset = existsSync(file) ? statSync(file).size : 0;
  }

  poll(out: LogEvent[]): void {
    if (!existsSync(this.file)) return;
    const size = statSync(this.file).size;
    if (size < this.#offset) this.#offset = 0; // truncated or replaced
    if (size === this.#offset) return;
    const at = now();
    const fd = openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(size - this.#offset);
      readSync(fd, buf, 0, buf.length, this.#offset);
      this.#offset = size;
      this.#partial += buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
    let nl: number;
    while ((nl = this.#partial.indexOf('\n')) >= 0) {
      const ev = parseLogLine(this.#partial.slice(0, nl), this.director, at);
      this.#partial = this.#partial.slice(nl + 1);
      if (ev !== undefined) out.push(ev);
    }
  }
}

/** Directors' VIPs and logs. */
export class Observer {
  readonly vipEvents: VipEvent[] = [];
  readonly logEvents: LogEvent[] = [];
  readonly #onIf = new Set<string>();
  readonly #watches: AddressWatch[] = [];
  readonly #tails: LogTail[] = [];
  #timer: NodeJS.Timeout | undefined;
  initialHolders: string[] = [];

  constructor(readonly state: LabState) {}

  async start(): Promise<void> {
    const t = this.state.topology;
    for (const d of t.directors) {
      const w = watchAddresses(d.ns, (e, at) => {
        if (e.address !== t.vip || e.ifname !== LAN_IF) return;
        if (e.deleted) this.#onIf.delete(d.role);
        else this.#onIf.add(d.role);
        this.vipEvents.push({ at, director: d.role, held: !e.deleted });
      });
      this.#watches.push(w);
      const f = directorFiles(this.state.dir, d.role);
      this.#tails.push(new LogTail(f.log, d.role));
      if (d.software === 'keepalived') this.#tails.push(new LogTail(f.kaLog, d.role));
    }
    await Promise.all(this.#watches.map((w) => w.ready));
    // Read the VIP's place after the watchers run, so no change falls between the two.
    for (const d of t.directors) {
      if ((await linkAddresses(d.ns, LAN_IF)).some((a) => a.address === t.vip)) this.#onIf.add(d.role);
    }
    this.initialHolders = [...this.#onIf];
    this.#timer = setInterval(() => this.poll(), 50);
  }

  poll(): void {
    for (const t of this.#tails) t.poll(this.logEvents);
  }

  /** Directors with the VIP on their interface that are powered on. */
  holders(): string[] {
    const off = new Set(this.state.poweredOff);
    return this.state.topology.directors.map((d) => d.role).filter((r) => this.#onIf.has(r) && !off.has(r));
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.poll();
    for (const w of this.#watches) w.stop();
  }
}

/** A short burst of `count` requests from the client through the VIP; their outcomes. */
export async function probe(state: LabState, count: number, rate = 50, timeoutMs = 1000): Promise<Sample[]> {
  const samples: Sample[] = [];
  // With --count the client ends by itself; stop() only bounds how long it may take.
  await loadClient(state, ['--rate', String(rate), '--timeout', String(timeoutMs), '--count', String(count)], samples)
    .stop((count / rate) * 1000 + timeoutMs + 10_000);
  return samples;
}
