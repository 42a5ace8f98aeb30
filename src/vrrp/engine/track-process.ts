// vrrp_track_process in the engine: the processes each tracker counts, kept current from
// the kernel's process connector where there is one (fork, exec, rename, exit: only the
// process concerned is read), and from a scan of /proc every `pollMs` otherwise. With the
// connector the scan still runs, rarely, in case events were lost. Quorum and the
// fork/terminate delays are process-quorum.ts.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { COMM_MAX, matchesProcess, ProcessQuorum, usesCmdline } from './process-quorum.js';
import type { Closable, ProcessEntry, ProcessEvent, ProcessPort } from './ports.js';
import type { TrackProcessSpec } from './types.js';

/** With the connector the scan is only a safety net. */
const CONNECTOR_RESCAN_MS = 30_000;

export interface ProcessBookOptions {
  readonly processes: ProcessPort;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pollMs: number;
  /** Trackers whose OK/quorum status changed, or [] when only a deadline moved. */
  readonly onUpdate: (changed: readonly string[]) => void;
}

export class ProcessBook {
  readonly #o: ProcessBookOptions;
  readonly #specs: readonly TrackProcessSpec[];
  readonly #q = new Map<string, ProcessQuorum>();
  readonly #cmdline: boolean;
  #connector: Closable | undefined;
  #nextScan: number | null = null;
  #scanning = false;
  /** Pids seen by events while a scan runs: they override what the scan read. */
  #duringScan = new Map<number, 'gone' | ProcessEntry>();
  #closed = false;

  constructor(specs: readonly TrackProcessSpec[], o: ProcessBookOptions) {
    this.#o = o;
    this.#specs = specs;
    this.#cmdline = specs.some(usesCmdline);
    for (const s of specs) {
      if (!usesCmdline(s) && Buffer.byteLength(s.process) > COMM_MAX) {
        o.logger.warn(`track_process ${s.name}: process name ${s.process} is longer than the kernel keeps (${COMM_MAX} bytes) and can never match; use full_command`);
      }
    }
  }

  get size(): number {
    return this.#specs.length;
  }

  has(name: string): boolean {
    return this.#q.has(name);
  }

  quorum(name: string): ProcessQuorum | undefined {
    return this.#q.get(name);
  }

  /** Read /proc once (the instances start on known statuses) and subscribe to process events. */
  async init(): Promise<void> {
    if (this.#specs.length === 0) return;
    const procs = await this.#o.processes.list(this.#cmdline);
    for (const s of this.#specs) {
      const q = new ProcessQuorum(s, procs.filter((p) => matchesProcess(s, p)).map((p) => p.pid));
      this.#q.set(s.name, q);
      this.#o.logger.info(`track_process ${s.name}: ${q.count} process(es) running, quorum ${q.ok ? 'held' : 'lost'}`);
    }
    this.#connector = this.#o.processes.watch((ev) => this.#onEvent(ev));
    this.#nextScan = this.#o.clock.now() + this.#interval();
  }

  #interval(): number {
    return this.#connector !== undefined ? Math.max(this.#o.pollMs, CONNECTOR_RESCAN_MS) : this.#o.pollMs;
  }

  nextDeadline(): number | null {
    let best = this.#scanning ? null : this.#nextScan;
    for (const q of this.#q.values()) {
      const d = q.deadline;
      if (d !== null && (best === null || d < best)) best = d;
    }
    return best;
  }

  /** Expire due delays and start a scan when one is due. */
  runDue(now: number): void {
    if (this.#closed) return;
    const changed: string[] = [];
    for (const [name, q] of this.#q) if (q.expire(now)) changed.push(name);
    if (changed.length > 0) this.#o.onUpdate(changed);
    if (!this.#scanning && this.#nextScan !== null && this.#nextScan <= now) this.#scan();
  }

  #scan(): void {
    this.#scanning = true;
    this.#duringScan = new Map();
    this.#o.processes.list(this.#cmdline).then((procs) => {
      this.#scanning = false;
      if (this.#closed) return;
      this.#nextScan = this.#o.clock.now() + this.#interval();
      this.#applyScan(procs);
    }, (e: Error) => {
      this.#scanning = false;
      if (this.#closed) return;
      this.#nextScan = this.#o.clock.now() + this.#interval();
      this.#o.logger.warn(`track_process: reading /proc failed: ${e.message}`);
      this.#o.onUpdate([]);
    });
  }

  #applyScan(read: readonly ProcessEntry[]): void {
    const now = this.#o.clock.now();
    const procs = new Map(read.map((p) => [p.pid, p]));
    for (const [pid, seen] of this.#duringScan) {
      if (seen === 'gone') procs.delete(pid);
      else procs.set(pid, seen);
    }
    const changed: string[] = [];
    for (const [name, q] of this.#q) {
      const before = new Set(q.pids());
      let moved = false;
      for (const pid of before) {
        const p = procs.get(pid);
        if (p === undefined) moved = q.remove(pid, 'exit', now) || moved;
        else if (!matchesProcess(q.spec, p)) moved = q.remove(pid, 'changed', now) || moved;
      }
      for (const p of procs.values()) {
        if (q.has(p.pid) || !matchesProcess(q.spec, p)) continue;
        // A child of a process we count was forked; anything else was exec'd.
        moved = q.add(p.pid, before.has(p.ppid) || q.has(p.ppid) ? 'fork' : 'exec', now) || moved;
      }
      if (moved) changed.push(name);
    }
    this.#o.onUpdate(changed);
  }

  #onEvent(ev: ProcessEvent): void {
    if (this.#closed) return;
    const now = this.#o.clock.now();
    const changed: string[] = [];
    switch (ev.kind) {
      case 'lost':
        this.#o.logger.warn('track_process: process events were lost - rescanning /proc');
        this.#nextScan = now;
        this.#o.onUpdate([]);
        return;
      case 'exit':
        if (this.#scanning) this.#duringScan.set(ev.pid, 'gone');
        for (const [name, q] of this.#q) if (q.remove(ev.pid, 'exit', now)) changed.push(name);
        break;
      case 'fork':
        // The child runs the parent's program under the parent's name until it execs.
        for (const [name, q] of this.#q) if (q.has(ev.ppid) && q.add(ev.pid, 'fork', now)) changed.push(name);
        break;
      case 'exec':
      case 'comm':
        this.#reread(ev.pid);
        return;
    }
    this.#o.onUpdate(changed);
  }

  #reread(pid: number): void {
    this.#o.processes.read(pid, this.#cmdline).then((p) => {
      if (this.#closed) return;
      if (this.#scanning) this.#duringScan.set(pid, p ?? 'gone');
      const now = this.#o.clock.now();
      const changed: string[] = [];
      for (const [name, q] of this.#q) {
        const match = p !== undefined && matchesProcess(q.spec, p);
        const moved = match ? q.add(pid, 'exec', now) : q.remove(pid, p === undefined ? 'exit' : 'changed', now);
        if (moved) changed.push(name);
      }
      this.#o.onUpdate(changed);
    }, () => undefined);
  }

  close(): void {
    this.#closed = true;
    this.#connector?.close();
  }
}
