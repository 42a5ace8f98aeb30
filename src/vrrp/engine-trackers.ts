// Trackers feeding the engine's priority evaluation: vrrp_script runs (one schedule per
// script, shared by every instance that tracks it, as in keepalived) and interface link
// state from the host. Turning their status into an effective priority and FSM events
// is priority.ts; this file only keeps the status and the run schedule.
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { InstanceSpec, VrrpHost, VrrpScriptSpec } from './engine-types.js';
import { evaluatePriority, type PriorityEvaluation, type TrackerInput } from './priority.js';
import { createScriptCounter, recordScriptResult, scriptStatus, type ScriptCounter } from './track-script.js';

interface ScriptState {
  readonly spec: VrrpScriptSpec;
  counter: ScriptCounter;
  nextRun: number;
  running: boolean;
}

export class TrackerBook {
  readonly #scripts = new Map<string, ScriptState>();
  readonly #host: VrrpHost;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #closed = false;

  constructor(scripts: readonly VrrpScriptSpec[], host: VrrpHost, clock: Clock, logger: Logger) {
    this.#host = host;
    this.#clock = clock;
    this.#logger = logger;
    const now = clock.now();
    for (const s of scripts) {
      this.#scripts.set(s.name, {
        spec: s, counter: createScriptCounter({ name: s.name, rise: s.rise, fall: s.fall, initFail: s.initFail === true }),
        nextRun: now, running: false,
      });
    }
  }

  /** Names of scripts an instance tracks that have no vrrp_script block. */
  unknownScripts(spec: InstanceSpec): string[] {
    return (spec.io.trackScripts ?? []).map((t) => t.script).filter((n) => !this.#scripts.has(n));
  }

  #inputs(spec: InstanceSpec): TrackerInput[] {
    const io = spec.io;
    const out: TrackerInput[] = [];
    const linkStatus = (name: string): 'OK' | 'FAIL' => (this.#host.link(name)?.up === true ? 'OK' : 'FAIL');
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
    return out;
  }

  evaluate(spec: InstanceSpec): PriorityEvaluation {
    return evaluatePriority(spec.fsm.priority, this.#inputs(spec));
  }

  /** Whether the instance follows this interface (its own, or a track_interface). */
  tracksInterface(spec: InstanceSpec, name: string): boolean {
    return (spec.io.dontTrackPrimary !== true && spec.io.interface === name) || (spec.io.trackInterfaces ?? []).some((t) => t.name === name);
  }

  tracksScript(spec: InstanceSpec, name: string): boolean {
    return (spec.io.trackScripts ?? []).some((t) => t.script === name);
  }

  /** The earliest time a script is due, or null. */
  nextDeadline(): number | null {
    let best: number | null = null;
    for (const s of this.#scripts.values()) {
      if (!s.running && (best === null || s.nextRun < best)) best = s.nextRun;
    }
    return best;
  }

  /** Start every script that is due; `changed` hears each script whose OK/FAIL status moved. */
  runDue(now: number, changed: (script: string) => void): void {
    for (const s of this.#scripts.values()) {
      if (s.running || s.nextRun > now) continue;
      s.running = true;
      void this.#host.runScript(s.spec.command, s.spec.timeoutMs).then((outcome) => {
        s.running = false;
        if (this.#closed) return;
        s.nextRun = this.#clock.now() + s.spec.intervalMs;
        const u = recordScriptResult(s.counter, outcome);
        s.counter = u.counter;
        for (const line of u.logs) this.#logger.info(line);
        changed(s.spec.name);
      });
    }
  }

  close(): void {
    this.#closed = true;
  }
}
