// What a drill records while it runs (DrillRecord: raw observations with wall-clock
// times) and what the report says about it (DrillResult: measured figures with times
// relative to the drill's start). The JSON report (--json) is a LabReport.
import type { LongLivedFigures, LongLivedRecord } from './long-lived.js';

export const DRILLS = ['failover', 'failback', 'rs-down', 'rs-up', 'reload', 'partition', 'reload-vrrp'] as const;
export type DrillName = typeof DRILLS[number];

/** The order `drill all` runs them in: each leaves the lab where the next can start. */
export const ALL_ORDER: readonly DrillName[] = ['rs-down', 'rs-up', 'reload', 'reload-vrrp', 'failover', 'failback', 'partition'];

/** One client request, as load-client.ts prints it. Times are epoch ms. */
export interface Sample {
  readonly s: number;
  readonly e: number;
  readonly ok: boolean;
  /** The real server that answered. */
  readonly rs?: string;
  readonly err?: string;
}

/** The VIP appeared on (held) or left a director's interface. */
export interface VipEvent {
  readonly at: number;
  readonly director: string;
  readonly held: boolean;
}

export type LogEventKind = 'vrrp' | 'rs-down' | 'rs-up' | 'reload' | 'pool-applied';

/** A line of a director's log that a drill cares about. */
export interface LogEvent {
  readonly at: number;
  readonly director: string;
  readonly kind: LogEventKind;
  readonly text: string;
  /** vrrp: the state entered. */
  readonly state?: string;
  /** rs-down / rs-up: the real server's address. */
  readonly rs?: string;
  /** rs-down: 'passive ejection' (the proxy saw it refuse) or 'health checker'. */
  readonly how?: string;
}

export type MarkKind = 'action' | 'power-off' | 'power-on' | 'partition' | 'heal' | 'note';

/** Something the drill did. */
export interface Mark {
  readonly at: number;
  readonly kind: MarkKind;
  readonly text: string;
  readonly director?: string;
}

export interface DrillExpect {
  /** Master_Down_Interval of the director expected to take over (failover, partition). */
  readonly masterDownIntervalMs?: number;
  /** The director that should hold the VIP when the drill's fault is in place / is healed. */
  readonly takeoverBy?: string;
  /** The real server the drill stops or starts (address and name). */
  readonly rsAddress?: string;
  readonly rsName?: string;
  /** The director whose health view counts (the VIP holder when the drill acts). */
  readonly detectOn?: string;
}

export interface DrillRecord {
  readonly drill: DrillName;
  readonly startedAt: number;
  readonly endedAt: number;
  /** When the fault (or the repair) was applied. */
  readonly actionAt: number | undefined;
  readonly error: string | undefined;
  readonly directors: readonly string[];
  readonly realServers: readonly string[];
  readonly initialHolders: readonly string[];
  readonly initialPoweredOff: readonly string[];
  readonly samples: readonly Sample[];
  readonly vipEvents: readonly VipEvent[];
  readonly logEvents: readonly LogEvent[];
  readonly marks: readonly Mark[];
  readonly expect: DrillExpect;
  /** --long-lived N: the connections opened before the fault. */
  readonly longLived?: LongLivedRecord;
}

export interface OutageWindow {
  readonly fromMs: number;
  readonly toMs: number;
  readonly failed: number;
  /** No request succeeded after it: service had not come back when the drill ended. */
  readonly ongoing?: true;
}

export interface HolderSegment {
  readonly fromMs: number;
  readonly toMs: number;
  readonly holders: readonly string[];
}

export interface DrillResult {
  readonly drill: DrillName;
  /** The drill ran to its end (its conditions were met in time). */
  readonly ok: boolean;
  readonly error?: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly actionAtMs?: number;
  readonly requests: {
    readonly sent: number;
    readonly ok: number;
    readonly failed: number;
    /** Failed requests started after the dead real server was detected (rs-down). */
    readonly failedAfterDetection?: number;
    readonly servedBy: Readonly<Record<string, number>>;
    readonly errors: Readonly<Record<string, number>>;
  };
  readonly outage: {
    /** The longest window without service: first failed request to the next that succeeded (by start time). */
    readonly windowMs: number;
    readonly totalMs: number;
    /** The last window had not ended when the drill stopped (windowMs is then a lower bound). */
    readonly ongoing: boolean;
    readonly windows: readonly OutageWindow[];
  };
  readonly vip: {
    /** Which director(s) held the VIP when (a powered-off director holds nothing). */
    readonly segments: readonly HolderSegment[];
    /** From the action until the expected director held the VIP. */
    readonly takeoverMs?: number;
    readonly holdersAtEnd: readonly string[];
  };
  readonly detection?: {
    readonly realServer: string;
    readonly director: string;
    /** From the action until the director's health view changed. */
    readonly ms: number;
    readonly how: string;
    /**
     * rs-down: from the action until the director's dataplane had the new pool (halb's
     * "health change: ..." line after the verdict). With the kernel dataplane an nftables
     * commit takes some tens of ms after the verdict; absent for keepalived directors,
     * whose IPVS change is made as the verdict is logged.
     */
    readonly appliedMs?: number;
    /** rs-up: from the action until the client got an answer from the real server. */
    readonly firstServedMs?: number;
  };
  readonly masterDownIntervalMs?: number;
  /** --long-lived N: how many of the connections opened before the fault survived it. */
  readonly longLived?: LongLivedFigures;
  /** What the drill expects of a healthy cluster, and whether it held. */
  readonly checks: readonly DrillCheck[];
  /** What the drill did (kind 'drill') and what the directors logged ('log'), in time order. */
  readonly events: readonly { readonly atMs: number; readonly kind: 'drill' | 'log'; readonly source: string; readonly text: string }[];
  /** Per request: [start ms, duration ms, 1 ok / 0 failed, index into realServers or -1]. */
  readonly samples: readonly (readonly [number, number, 0 | 1, number])[];
}

export interface DrillCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface LabReport {
  readonly lab: {
    readonly name: string;
    readonly vip: string;
    readonly mode: string;
    readonly dataplane: string;
    readonly vrrpVersion: number;
    readonly advertIntS: number;
    readonly directors: readonly { readonly role: string; readonly software: string; readonly priority: number; readonly address: string }[];
    readonly realServers: readonly { readonly role: string; readonly address: string }[];
    readonly clientRate: number;
    readonly requestTimeoutMs: number;
  };
  readonly generatedAt: string;
  readonly drills: readonly DrillResult[];
}
