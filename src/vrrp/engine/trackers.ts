// Trackers feeding the engine's priority evaluation: vrrp_script runs (one schedule per
// script, shared by every instance that tracks it, as in keepalived), interface link
// state from the host, track_file values (track-file.ts) and vrrp_track_process
// quorums (track-process.ts). Turning their status into an effective priority and
// FSM events is fsm/priority.ts; this file only keeps the status and the run schedule.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { FileBook } from './track-file.js';
import { ProcessBook } from './track-process.js';
import type { VrrpPorts } from './ports.js';
import type { EngineSpec, InstanceSpec, TrackFileSpec, TrackProcessSpec, VrrpScriptSpec } from './types.js';
import { evaluatePriority, type PriorityEvaluation, type TrackerInput } from '../fsm/priority.js';
import { createScriptCounter, recordScriptResult, scriptStatus, type ScriptCounter } from '../fsm/track-script.js';

interface ScriptState {
  readonly spec: VrrpScriptSpec;
  counter: ScriptCounter;
  nextRun: number;
  running: boolean;
}

// As keepalived: a tracker nothing tracks is not read, watched or scanned for.
function usedFiles(spec: EngineSpec): TrackFileSpec[] {
  const used = new Set(spec.instances.flatMap((i) => (i.io.trackFiles ?? []).map((t) => t.file)));
  return (spec.trackFiles ?? []).filter((f) => used.has(f.name));
}

function usedProcesses(spec: EngineSpec): TrackProcessSpec[] {
  const used = new Set(spec.instances.flatMap((i) => (i.io.trackProcesses ?? []).map((t) => t.process)));
  return (spec.trackProcesses ?? []).filter((p) => used.has(p.name));
}

function newScript(s: VrrpScriptSpec, now: number): ScriptState {
  return { spec: s, counter: createScriptCounter({ name: s.name, rise: s.rise, fall: s.fall, initFail: s.initFail === true }), nextRun: now, running: false };
}

export type TrackerKindName = 'script' | 'file' | 'process';

/** Trackers whose status changed (names may be empty: only a deadline moved). */
export type TrackerChange = (kind: TrackerKindName, names: readonly string[]) => void;

/**
 * A book of trackers (files, processes) built from their definitions: a reload whose
 * definitions are the same keeps the book, its values and its watches; otherwise the
 * book is closed and built again.
 */
class Rebuilt<B extends { init(): Promise<void>; close(): void }> {
  #key: string;
  #book: B;

  constructor(key: string, book: B) {
    this.#key = key;
    this.#book = book;
  }

  get book(): B {
    return this.#book;
  }

  async renew(key: string, make: () => B): Promise<void> {
    if (key === this.#key) return;
    this.#book.close();
    this.#book = make();
    this.#key = key;
    await this.#book.init();
  }
}

export class TrackerBook {
  #scripts = new Map<string, ScriptState>();
  readonly #fileBooks: Rebuilt<FileBook>;
  readonly #processBooks: Rebuilt<ProcessBook>;
  readonly #ports: Pick<VrrpPorts, 'network' | 'scripts' | 'files' | 'processes'>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #changed: TrackerChange;
  #closed = false;

  constructor(spec: EngineSpec, ports: Pick<VrrpPorts, 'network' | 'scripts' | 'files' | 'processes'>, clock: Clock, logger: Logger, changed: TrackerChange) {
    this.#ports = ports;
    this.#clock = clock;
    this.#logger = logger;
    this.#changed = changed;
    this.#fileBooks = new Rebuilt(JSON.stringify(usedFiles(spec)), this.#fileBook(spec));
    this.#processBooks = new Rebuilt(JSON.stringify(usedProcesses(spec)), this.#processBook(spec));
    const now = clock.now();
    for (const s of spec.scripts ?? []) this.#scripts.set(s.name, newScript(s, now));
  }

  #fileBook(spec: EngineSpec): FileBook {
    return new FileBook(usedFiles(spec), { files: this.#ports.files, logger: this.#logger, onUpdate: (n) => this.#changed('file', n) });
  }

  #processBook(spec: EngineSpec): ProcessBook {
    return new ProcessBook(usedProcesses(spec), {
      processes: this.#ports.processes, clock: this.#clock, logger: this.#logger, pollMs: spec.processPollMs ?? 1000, onUpdate: (n) => this.#changed('process', n),
    });
  }

  /**
   * A reload: a vrrp_script whose definition did not change keeps its rise/fall counter,
   * status and schedule, as keepalived keeps a script's result. A changed one starts
   * afresh, but one that was OK is "considered successful on reload" (clear_diff_script).
   * The track_file and vrrp_track_process sets are re-read only when their definitions
   * changed.
   */
  async reload(spec: EngineSpec): Promise<void> {
    const now = this.#clock.now();
    const next = new Map<string, ScriptState>();
    for (const s of spec.scripts ?? []) {
      const old = this.#scripts.get(s.name);
      if (old !== undefined && JSON.stringify(old.spec) === JSON.stringify(s)) {
        next.set(s.name, old);
        continue;
      }
      const fresh = newScript(s, now);
      if (old !== undefined && scriptStatus(old.counter) === 'OK') {
        fresh.counter = { ...fresh.counter, init: false, result: s.rise + s.fall - 1 };
        this.#logger.info(`VRRP_Script(${s.name}) considered successful on reload`);
      } else if (old === undefined && s.initFail !== true) {
        // A script new at reload must not put a running instance in FAULT while it has
        // not run (a weight-0 tracker in INIT would): it counts as good until its first
        // result, and one failure then fails it (keepalived's INIT_GOOD).
        fresh.counter = { ...fresh.counter, init: false, result: s.rise };
        this.#logger.info(`VRRP_Script(${s.name}) added on reload: considered successful until its first result`);
      }
      next.set(s.name, fresh);
    }
    this.#scripts = next;
    await this.#fileBooks.renew(JSON.stringify(usedFiles(spec)), () => this.#fileBook(spec));
    await this.#processBooks.renew(JSON.stringify(usedProcesses(spec)), () => this.#processBook(spec));
  }

  /** Read the track files and the process table before any instance starts. */
  async init(): Promise<void> {
    await this.#fileBooks.book.init();
    await this.#processBooks.book.init();
  }

  /** Why trackers an instance names are ignored (no such block), keepalived's wording. */
  unknownTrackers(spec: InstanceSpec): string[] {
    const out: string[] = [];
    for (const t of spec.io.trackScripts ?? []) if (!this.#scripts.has(t.script)) out.push(`track_script ${t.script} is not a vrrp_script`);
    for (const t of spec.io.trackFiles ?? []) if (!this.#fileBooks.book.has(t.file)) out.push(`track file ${t.file} not found`);
    for (const t of spec.io.trackProcesses ?? []) if (!this.#processBooks.book.has(t.process)) out.push(`track process ${t.process} not found`);
    return out;
  }

  #inputs(spec: InstanceSpec): TrackerInput[] {
    const io = spec.io;
    const out: TrackerInput[] = [];
    const linkStatus = (name: string): 'OK' | 'FAIL' => (this.#ports.network.link(name)?.up === true ? 'OK' : 'FAIL');
    if (io.dontTrackPrimary !== true) {
      out.push({ kind: 'interface', name: io.interface, weight: 0, reverse: false, status: linkStatus(io.interface) });
    }
    for (const t of io.trackInterfaces ?? []) {
      if (t.name === io.interface && io.dontTrackPrimary !== true) continue;
      out.push({ kind: 'interface', name: t.name, weight: t.weight ?? 0, reverse: t.reverse === true, status: linkStatus(t.name) });
    }
    for (const t of io.trackScripts ?? []) {
      const s = this.#scripts.get(t.script);
      if (s === undefined) continue;
      out.push({
        kind: 'script', name: t.script, weight: t.weight ?? s.spec.weight, reverse: t.reverse ?? s.spec.reverse === true,
        status: scriptStatus(s.counter),
      });
    }
    for (const t of io.trackFiles ?? []) {
      const f = this.#fileBooks.book.spec(t.file);
      if (f === undefined) continue;
      out.push({ kind: 'file', name: t.file, weight: t.weight ?? f.weight, reverse: t.reverse ?? f.reverse === true, value: this.#fileBooks.book.value(t.file) });
    }
    for (const t of io.trackProcesses ?? []) {
      const q = this.#processBooks.book.quorum(t.process);
      if (q === undefined) continue;
      out.push({
        kind: 'process', name: t.process, weight: t.weight ?? q.spec.weight, reverse: t.reverse ?? q.spec.reverse === true,
        status: q.ok ? 'OK' : 'FAIL',
      });
    }
    return out;
  }

  evaluate(spec: InstanceSpec): PriorityEvaluation {
    return evaluatePriority(spec.fsm.priority, this.#inputs(spec));
  }

  /** Whether the instance follows this interface (its own, or a track_interface). */
  tracksInterface(spec: InstanceSpec, name: string): boolean {
    return (spec.io.dontTrackPrimary !== true && spec.io.interface === name) || (spec.io.trackInterfaces ?? []).some((t) => t.name === name);
  }

  /** Whether the instance follows this script, file or process tracker. */
  tracks(spec: InstanceSpec, kind: TrackerKindName, name: string): boolean {
    if (kind === 'script') return (spec.io.trackScripts ?? []).some((t) => t.script === name);
    if (kind === 'file') return (spec.io.trackFiles ?? []).some((t) => t.file === name);
    return (spec.io.trackProcesses ?? []).some((t) => t.process === name);
  }

  /** The earliest time a script is due or a process tracker needs attention, or null. */
  nextDeadline(): number | null {
    let best: number | null = this.#processBooks.book.nextDeadline();
    for (const s of this.#scripts.values()) {
      if (!s.running && (best === null || s.nextRun < best)) best = s.nextRun;
    }
    return best;
  }

  /** Start every script that is due, expire process delays, scan /proc when due. */
  runDue(now: number): void {
    this.#processBooks.book.runDue(now);
    for (const s of this.#scripts.values()) {
      if (s.running || s.nextRun > now) continue;
      s.running = true;
      void this.#ports.scripts.run(s.spec.command, s.spec.timeoutMs).then((outcome) => {
        s.running = false;
        // Closed, or dropped by a reload that changed the script's definition.
        if (this.#closed || this.#scripts.get(s.spec.name) !== s) return;
        s.nextRun = this.#clock.now() + s.spec.intervalMs;
        const u = recordScriptResult(s.counter, outcome);
        s.counter = u.counter;
        for (const line of u.logs) this.#logger.info(line);
        this.#changed('script', [s.spec.name]);
      });
    }
  }

  close(): void {
    this.#closed = true;
    this.#fileBooks.book.close();
    this.#processBooks.book.close();
  }
}
