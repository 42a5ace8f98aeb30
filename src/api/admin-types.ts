// What the admin HTTP API, the metrics and the dashboard see of the daemon: snapshots,
// a few run-time commands keepalived cannot do without a reload, and a typed event
// stream. The daemon implements AdminBackend; src/api never reaches into engines.
import type { DataplaneSnapshot } from '../dataplane/dataplane.js';
import type { DaemonStatus } from './control-protocol.js';

/** A run-time weight decision made through the API (or `halb ctl`), kept across reloads. */
export interface WeightOverride {
  readonly service: string;
  readonly realServer: string;
  /** The weight in force; 0 while drained. */
  readonly weight: number;
  readonly drained: boolean;
  readonly at: number;
  readonly by: string;
}

export interface AdminStatus {
  readonly daemon: DaemonStatus;
  /** The VRRP engine's snapshot (instances: state, priorities and contributors, counters), when VRRP runs. */
  readonly vrrp?: unknown;
  /** Health checking: per real server, its checkers, last results and scheduling lateness. */
  readonly health?: unknown;
  readonly dataplane: DataplaneSnapshot;
  readonly overrides: readonly WeightOverride[];
  /**
   * The health snapshot's real-server ids by the dataplane's names, keyed
   * `serviceKey|endpointKey` (e.g. `TCP:127.0.0.1:8080|127.0.0.1:9001`), so the API joins a
   * real server's checkers to its dataplane row. When absent the API derives the join from
   * the id's keepalived labels, which cannot name virtual_server_group members.
   */
  readonly realServerIds?: Readonly<Record<string, string>>;
  /** Event-loop delay of the main thread (ms), from perf_hooks.monitorEventLoopDelay. */
  readonly eventLoopLagMs: { readonly mean: number; readonly max: number; readonly p99: number };
}

export type AdminEvent =
  | { readonly kind: 'vrrp-transition'; readonly at: number; readonly instance: string; readonly from: string; readonly to: string; readonly priority: number; readonly reason: string }
  | { readonly kind: 'real-server'; readonly at: number; readonly realServer: string; readonly virtualServer: string; readonly alive: boolean; readonly weight: number; readonly reason: string }
  | { readonly kind: 'reload'; readonly at: number; readonly applied: boolean; readonly summary: string }
  | { readonly kind: 'override'; readonly at: number; readonly override: WeightOverride; readonly cleared: boolean };

/** A release that happened: what was released, the hold, and when mastership comes back. */
export interface ReleaseNotice {
  readonly instances: readonly string[];
  readonly holdMs: number;
  readonly message: string;
}

export class AdminCommandError extends Error {
  /** HTTP status the API answers with (404 unknown target, 409 not possible now, 400 bad value). */
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'AdminCommandError';
    this.status = status;
  }
}

export interface AdminBackend {
  status(): Promise<AdminStatus>;
  /** Set a real server's weight (0..2147483647) until enabled again or the config changes its weight. */
  setWeight(service: string, realServer: string, weight: number, by: string): Promise<WeightOverride>;
  /** Weight 0: established connections finish, no new ones. */
  drain(service: string, realServer: string, by: string): Promise<WeightOverride>;
  /** Drop any override: back to the configured weight and the checkers' verdict. */
  enable(service: string, realServer: string, by: string): Promise<void>;
  /** Make a VRRP instance give up mastership now (a priority-0 advert, then BACKUP). */
  releaseMastership(instance: string, by: string): Promise<ReleaseNotice>;
  /** Re-read the configuration, as SIGHUP or `halb ctl reload` do. */
  reload(by: string): Promise<{ readonly applied: boolean; readonly summary: string }>;
  onEvent(cb: (ev: AdminEvent) => void): () => void;
}
