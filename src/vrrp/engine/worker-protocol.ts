// Messages between the VRRP worker thread (worker.ts) and the thread that started it
// (worker-host.ts). Plain data only: everything crosses postMessage's structured clone.
import type { LogFields } from '../../core/log.js';
import type { EngineEvent, EngineSnapshot, EngineSpec, ReleaseOutcome } from './types.js';

export interface WorkerData {
  readonly spec: EngineSpec;
  /** Ask the host before adding VIPs (EngineOptions.beforeVips), waiting at most this long. */
  readonly beforeVipsTimeoutMs?: number;
  /** Whether to ask at all, until a 'gate' message says otherwise. */
  readonly beforeVipsOn?: boolean;
}

/** Event-loop delay of the worker thread (perf_hooks.monitorEventLoopDelay), in ms. */
export interface LoopDelay {
  readonly meanMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export type WorkerSnapshot = EngineSnapshot & { readonly eventLoop: LoopDelay };

export type ToWorker =
  | { readonly t: 'snapshot'; readonly id: number }
  /** VrrpEngine.releaseMaster(instance, { holdMs }). */
  | { readonly t: 'release'; readonly id: number; readonly instance: string; readonly holdMs?: number }
  | { readonly t: 'before-vips-done'; readonly id: number }
  /** Turn the beforeVips question on or off (no engine restart). */
  | { readonly t: 'gate'; readonly on: boolean }
  /** VrrpEngine.reload(spec): per-instance reload. */
  | { readonly t: 'reload'; readonly id: number; readonly spec: EngineSpec }
  | { readonly t: 'stop' };

export type FromWorker =
  | { readonly t: 'started' }
  | { readonly t: 'failed'; readonly error: { readonly name: string; readonly message: string; readonly code?: string } }
  | { readonly t: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly msg: string; readonly fields?: LogFields }
  | { readonly t: 'event'; readonly ev: EngineEvent }
  | { readonly t: 'snapshot'; readonly id: number; readonly snapshot: WorkerSnapshot }
  | { readonly t: 'released'; readonly id: number; readonly outcome: ReleaseOutcome }
  | { readonly t: 'before-vips'; readonly id: number; readonly instance: string }
  | { readonly t: 'reloaded'; readonly id: number; readonly outcome: ReloadOutcome }
  | { readonly t: 'stopped' };

/** What a reload did (one line per changed instance), or why it was refused (nothing changed). */
export type ReloadOutcome = { readonly ok: true; readonly lines: readonly string[] } | { readonly ok: false; readonly message: string };
