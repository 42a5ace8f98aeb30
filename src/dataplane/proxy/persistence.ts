// Persistence templates with IPVS's semantics (ip_vs_core.c ip_vs_sched_persist,
// ip_vs_conn.c ip_vs_check_template / ip_vs_conn_expire), pure and clock-free: callers
// pass `now` and run sweep() from their own timer.
//
//  - A template maps (client address & granularity mask) to one destination.
//  - Each new connection through a template restarts its timer with the full timeout
//    (ip_vs_conn_put(ct) after ip_vs_control_add), and counts as "controlled".
//  - When the timer fires while controlled connections remain, it is re-armed for another
//    timeout ("do not expire connection with connection entries pointing to it"), so the
//    template outlives the last connection by up to one timeout.
//  - A template whose destination is no longer available (left the pool; or has weight 0
//    when expire_quiescent_template is set) is invalidated on lookup: it stops matching
//    but lives on, counted in persistconns, until it expires like any other.

import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** What a template needs to know about its destination. */
export interface PersistDest {
  /** In the service's pool (IPVS IP_VS_DEST_F_AVAILABLE). */
  readonly inPool: boolean;
  readonly weight: number;
  /** IPVS persistconns: templates pointing at this destination. */
  persistConns: number;
}

export interface Template<D extends PersistDest> {
  readonly key: string;
  readonly dest: D;
  /** Clock ms when the template's timer fires. */
  expiresAt: number;
  /** Connections created through this template and still alive (IPVS n_control). */
  controlled: number;
  /** False once invalidated or dropped: it matches no new client. */
  valid: boolean;
  /** False once dropped from the table (persistconns already decremented). */
  alive: boolean;
}

export interface PersistenceOptions {
  readonly timeoutMs: number;
  /** Prefix length of the client address that selects the template. */
  readonly prefix: number;
  /** sysctl expire_quiescent_template: a weight-0 destination invalidates its templates (IPVS default off). */
  readonly expireQuiescent?: boolean;
}

/** The client address with the bits past `prefix` cleared, in canonical text. */
export function maskAddress(address: string, prefix: number): string {
  const family = isIP(address);
  if (family === 0) return address;
  if (family === 4 && prefix >= 32) return address;
  if (family === 6 && prefix >= 128) return address;
  const bytes = ipaddr.parse(address).toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * What ServiceRuntime needs of a template table: PersistenceTable in one process,
 * SharedTemplates (shared-templates.ts) across the proxy's processes.
 */
export interface Templates<D extends PersistDest> {
  timeoutMs: number;
  keyFor(clientAddress: string): string;
  find(key: string, now: number): Template<D> | undefined;
  /** A new template, or undefined when there is no room for one (the connection then goes without). */
  create(key: string, dest: D, now: number): Template<D> | undefined;
  attach(t: Template<D>, now: number): void;
  detach(t: Template<D>): void;
  sweep(now: number): number | undefined;
  clear(): void;
  entries(): IterableIterator<Template<D>>;
}

export class PersistenceTable<D extends PersistDest> implements Templates<D> {
  #timeoutMs: number;
  readonly #prefix: number;
  readonly #expireQuiescent: boolean;
  readonly #live = new Map<string, Template<D>>();
  /** Invalidated templates still held by connections or waiting for their timer. */
  readonly #invalid = new Set<Template<D>>();

  constructor(opts: PersistenceOptions) {
    this.#timeoutMs = opts.timeoutMs;
    this.#prefix = opts.prefix;
    this.#expireQuiescent = opts.expireQuiescent === true;
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }
  /** A reload changed persistence_timeout: templates pick it up at their next restart, as in IPVS. */
  set timeoutMs(ms: number) {
    this.#timeoutMs = ms;
  }
  get size(): number {
    return this.#live.size + this.#invalid.size;
  }

  keyFor(clientAddress: string): string {
    return maskAddress(clientAddress, this.#prefix);
  }

  /** The valid template for `key`, or undefined (then schedule and create() one). */
  find(key: string, now: number): Template<D> | undefined {
    const t = this.#live.get(key);
    if (!t) return undefined;
    if (t.expiresAt <= now && t.controlled === 0) {
      // Its timer is due but the sweep has not run yet: it is gone.
      this.#drop(t);
      return undefined;
    }
    const d = t.dest;
    if (!d.inPool || (this.#expireQuiescent && d.weight === 0)) {
      this.#invalidate(t);
      return undefined;
    }
    return t;
  }

  /** A new template for a freshly scheduled destination (not yet attached). */
  create(key: string, dest: D, now: number): Template<D> {
    const old = this.#live.get(key);
    if (old) this.#invalidate(old);
    const t: Template<D> = { key, dest, expiresAt: now + this.#timeoutMs, controlled: 0, valid: true, alive: true };
    this.#live.set(key, t);
    dest.persistConns++;
    return t;
  }

  /** A connection now runs through `t`: count it and restart the template's timer. */
  attach(t: Template<D>, now: number): void {
    t.controlled++;
    t.expiresAt = now + this.#timeoutMs;
  }

  /** A controlled connection ended; the timer is left alone (ip_vs_control_del). */
  detach(t: Template<D>): void {
    if (t.controlled > 0) t.controlled--;
  }

  /** Expire due templates (or re-arm those still controlling connections). Returns the next deadline. */
  sweep(now: number): number | undefined {
    let next: number | undefined;
    const visit = (t: Template<D>): void => {
      if (t.expiresAt <= now) {
        if (t.controlled > 0) t.expiresAt = now + this.#timeoutMs;
        else { this.#drop(t); return; }
      }
      if (next === undefined || t.expiresAt < next) next = t.expiresAt;
    };
    for (const t of this.#live.values()) visit(t);
    for (const t of this.#invalid) visit(t);
    return next;
  }

  /** Persistence switched off: every template goes now (connections keep their destination). */
  clear(): void {
    for (const t of [...this.#live.values(), ...this.#invalid]) this.#drop(t);
  }

  *entries(): IterableIterator<Template<D>> {
    yield* this.#live.values();
    yield* this.#invalid;
  }

  #invalidate(t: Template<D>): void {
    if (this.#live.get(t.key) === t) this.#live.delete(t.key);
    t.valid = false;
    this.#invalid.add(t);
  }

  #drop(t: Template<D>): void {
    if (!t.alive) return;
    t.alive = false;
    t.valid = false;
    if (this.#live.get(t.key) === t) this.#live.delete(t.key);
    this.#invalid.delete(t);
    t.dest.persistConns--;
  }
}
