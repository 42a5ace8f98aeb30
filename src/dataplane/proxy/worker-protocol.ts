// Messages between the primary proxy process and its workers (child_process IPC,
// JSON). Listening sockets travel as IPC handles next to a `listener` message; IPC
// keeps them in order with the other messages.

import type { BackendEvent, DataplaneSnapshot } from '../dataplane.js';
import type { DesiredState } from '../model.js';
import type { Layout } from './shared-layout.js';

/** Engine settings a worker can take over the wire (no functions: workers use createScheduler). */
export interface WorkerEngineSettings {
  readonly tickMs?: number;
  readonly connectTimeoutMs?: number;
  readonly connectAttempts?: number;
  readonly expireQuiescentTemplate?: boolean;
  readonly backlog?: number;
  /** How often the worker pushes its counters (ms). */
  readonly reportMs: number;
  /** The shared scheduling segment: its descriptor in the worker and the worker's process slot. */
  readonly shared?: { readonly fd: number; readonly proc: number };
}

export type ToWorker =
  | { readonly t: 'init'; readonly settings: WorkerEngineSettings }
  /** Sent with the service's listening socket as the IPC handle. */
  | { readonly t: 'listener'; readonly key: string }
  /** `layout`: the shared slots of the services in `desired` that share their state. */
  | { readonly t: 'apply'; readonly id: number; readonly desired: DesiredState; readonly layout: Layout }
  | { readonly t: 'report'; readonly id: number; readonly connections: boolean }
  | { readonly t: 'events'; readonly on: boolean }
  | { readonly t: 'close'; readonly id: number };

export interface WireFailure {
  readonly service: string;
  readonly message: string;
  readonly errno?: string;
}

export type FromWorker =
  | { readonly t: 'ready' }
  | { readonly t: 'applied'; readonly id: number; readonly failed: readonly WireFailure[]; readonly error?: string }
  | { readonly t: 'stats'; readonly id?: number; readonly snapshot: DataplaneSnapshot }
  | { readonly t: 'events'; readonly events: readonly BackendEvent[] }
  | { readonly t: 'closed'; readonly id: number };
