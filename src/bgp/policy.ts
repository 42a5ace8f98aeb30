// Announcement policy as a pure state machine: state x event -> state + actions. A VIP is
// announced while this director can serve it: its dataplane is up, and its virtual
// servers have quorum (all of them, or one with `announce VIP any`). It is withdrawn when
// that stops being true and on a clean stop. Every change carries its reason, which the
// daemon logs and counts.
import type { BgpAnnounce } from '../config/model/bgp.js';

/** What the daemon knows about one virtual server on an announced VIP. */
export interface ServiceHealth {
  readonly label: string;
  readonly quorum: boolean;
  /** The dataplane refused or lost this service (its apply failed). */
  readonly failed: boolean;
}

export type PolicyEvent =
  | { readonly kind: 'evaluate'; readonly dataplaneUp: boolean; readonly dataplaneError?: string; readonly services: ReadonlyMap<string, readonly ServiceHealth[]> }
  | { readonly kind: 'stop' };

export interface PrefixState {
  readonly prefix: string;
  readonly address: string;
  readonly announced: boolean;
  readonly reason: string;
}

export type PolicyState = ReadonlyMap<string, PrefixState>;

export interface PolicyAction {
  readonly kind: 'announce' | 'withdraw';
  readonly prefix: string;
  readonly reason: string;
}

export function prefixOf(a: Pick<BgpAnnounce, 'address' | 'family'>): string {
  return `${a.address}/${a.family === 4 ? 32 : 128}`;
}

/** Whether `a` may be announced, and why (or why not). */
function judge(a: BgpAnnounce, ev: PolicyEvent & { kind: 'evaluate' }): { up: boolean; reason: string } {
  if (!ev.dataplaneUp) return { up: false, reason: `dataplane down${ev.dataplaneError !== undefined ? `: ${ev.dataplaneError}` : ''}` };
  const svcs = ev.services.get(a.address) ?? [];
  if (svcs.length === 0) return { up: false, reason: 'no virtual server on this address' };
  const failed = svcs.filter((s) => s.failed);
  const serving = svcs.filter((s) => s.quorum && !s.failed);
  if (a.require === 'all') {
    if (failed.length > 0) return { up: false, reason: `dataplane failed ${failed.map((s) => s.label).join(', ')}` };
    const lost = svcs.filter((s) => !s.quorum);
    if (lost.length > 0) return { up: false, reason: `${lost.map((s) => s.label).join(', ')} lost quorum` };
    return { up: true, reason: `${svcs.map((s) => s.label).join(', ')} up with quorum` };
  }
  if (serving.length === 0) return { up: false, reason: `no virtual server on ${a.address} has quorum` };
  return { up: true, reason: `${serving.map((s) => s.label).join(', ')} up with quorum` };
}

/** The initial state: nothing announced. */
export function initialPolicy(announces: readonly BgpAnnounce[]): PolicyState {
  return new Map(announces.map((a) => [prefixOf(a), { prefix: prefixOf(a), address: a.address, announced: false, reason: 'not evaluated yet' }]));
}

export function step(
  announces: readonly BgpAnnounce[],
  state: PolicyState,
  ev: PolicyEvent,
): { state: PolicyState; actions: PolicyAction[] } {
  const next = new Map<string, PrefixState>();
  const actions: PolicyAction[] = [];
  for (const a of announces) {
    const prefix = prefixOf(a);
    const was = state.get(prefix);
    const j = ev.kind === 'stop' ? { up: false, reason: 'clean stop' } : judge(a, ev);
    if (j.up && was?.announced !== true) actions.push({ kind: 'announce', prefix, reason: j.reason });
    if (!j.up && was?.announced === true) actions.push({ kind: 'withdraw', prefix, reason: j.reason });
    next.set(prefix, { prefix, address: a.address, announced: j.up, reason: j.reason });
  }
  // A prefix dropped from the config by a reload is withdrawn.
  for (const [prefix, was] of state) {
    if (next.has(prefix) || !was.announced) continue;
    actions.push({ kind: 'withdraw', prefix, reason: 'no longer in halb_bgp' });
  }
  return { state: next, actions };
}

/** The prefixes a state announces. */
export function announcedPrefixes(state: PolicyState): string[] {
  return [...state.values()].filter((p) => p.announced).map((p) => p.prefix).sort();
}
