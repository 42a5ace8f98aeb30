// conntrackd beside the nft NAT dataplane (halb_conntrack_sync): halb writes its
// conntrackd.conf, runs it, keeps it running, and drives it from the VRRP instance it
// follows as conntrack-tools' doc/sync/primary-backup.sh does from keepalived's notify:
//
//   becoming MASTER   -c commit the other director's flows into the kernel   <- BEFORE the
//                        VIPs are added and GARP sent (beforeVips), so no packet of a
//                        flow reaches this director before its entry (keepalived #2254)
//                     then -f flush the caches, -R resync the internal cache, -B bulk send
//   becoming BACKUP   -t shorten the kernel timers (a former master's zombies), -n resync
//   becoming FAULT    -t
//   starting          StartupResync: halb waits (bounded) until the other director's
//                     table has arrived before it starts VRRP, so a returning master
//                     never preempts without the flows (keepalived #237, #1076)
//
// conntrackd dying or missing never stops halb: it is logged, shown in `halb ctl status`
// and /metrics, and started again with a backoff (1 s doubling to 30 s; every 30 s when
// the binary is missing). Without it, NAT connections simply do not survive a failover.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import type { Logger } from '../core/log.js';
import type { KeepalivedConfig } from '../config/index.js';
import type { ConntrackSyncStatus } from '../api/control-protocol.js';
import { conntrackdCtl, parseConntrackdStats, spawnConntrackd, type ConntrackdCtl, type ConntrackdHandle, type CtlOutcome } from '../sys/conntrackd.js';
import { renderConntrackdConf, type ConntrackdConfInput } from './conntrackd-conf.js';

/** Backoff between restarts of a conntrackd that died, and the retry period when it is not installed. */
export const CONNTRACKD_BACKOFF = { firstMs: 1000, maxMs: 30_000, missingRetryMs: 30_000, healthyAfterMs: 60_000 } as const;
/** Time limits: one control command; the whole startup resync wait. */
export const CONNTRACKD_LIMITS = { ctlMs: 5000, resyncMaxMs: 5000, resyncPollMs: 200, resyncMinMs: 1000, statsEveryMs: 10_000 } as const;

export type InterfaceAddresses = (ifname?: string) => readonly string[];

/** The host's addresses (all interfaces, or one), from os.networkInterfaces(). */
export const hostAddresses: InterfaceAddresses = (ifname) => {
  const all = networkInterfaces();
  const lists = ifname === undefined ? Object.values(all) : [all[ifname]];
  return lists.flatMap((l) => (l ?? []).map((a) => a.address.split('%')[0] as string));
};

export interface ResolvedSync {
  readonly instance: string;
  /** The instance and the other members of its sync group: any of them becoming MASTER commits. */
  readonly members: ReadonlySet<string>;
  readonly binary: string;
  readonly conf: ConntrackdConfInput;
  readonly transport: string;
}

/**
 * halb_conntrack_sync and the config around it → what conntrackd needs. Pure but for the
 * address lookup, injected. A reason instead when it cannot be set up.
 */
export function resolveConntrackSync(cfg: KeepalivedConfig, files: { readonly base: string; readonly origin: string }, addrs: InterfaceAddresses):
  { ok: true; sync: ResolvedSync } | { ok: false; reason: string } | undefined {
  const c = cfg.global.conntrackSync;
  if (c === undefined) return undefined;
  const at = `(${c.pos.file}: Line ${c.pos.line}) halb_conntrack_sync`;
  const inst = cfg.vrrpInstances.find((i) => i.name === c.instance);
  if (inst === undefined) return { ok: false, reason: `${at}: no vrrp_instance ${c.instance}` };
  const ifname = c.interface ?? inst.interface;
  if (ifname === undefined) return { ok: false, reason: `${at}: vrrp_instance ${c.instance} has no interface; give one with \`interface IF\`` };
  const local = addrs(ifname).find((a) => isIP(a) === 4);
  if (local === undefined) return { ok: false, reason: `${at}: interface ${ifname} has no IPv4 address to send from` };
  const peers = inst.unicastPeers.filter((p) => isIP(p.address) === 4);
  const peer = c.peer ?? (peers.length === 1 ? peers[0]!.address : undefined);
  const group = cfg.syncGroups.find((g) => g.members.includes(c.instance));
  // The VIPs and virtual server addresses move between directors: their connections are
  // the ones to replicate. Everything else on the host is the director's own.
  const moving = new Set<string>([
    ...cfg.vrrpInstances.flatMap((i) => [...i.vips, ...i.evips].map((v) => v.address)),
    ...cfg.virtualServers.flatMap((v) => (v.key.kind === 'addr' ? [v.key.addr] : [])),
  ]);
  const ignore = ['127.0.0.1', '::1', ...addrs().filter((a) => !moving.has(a) && !a.startsWith('fe80:'))];
  const transport = peer !== undefined ? { kind: 'udp' as const, peer, port: c.port } : { kind: 'multicast' as const, group: c.group, port: c.port };
  return {
    ok: true,
    sync: {
      instance: c.instance,
      members: new Set(group?.members ?? [c.instance]),
      binary: c.binary,
      transport: `${peer !== undefined ? `udp ${peer}` : `multicast ${c.group}`}:${c.port} on ${ifname}`,
      conf: {
        interface: ifname, localAddress: local, transport, ignore,
        unixPath: `${files.base}.conntrackd.ctl`, lockFile: `${files.base}.conntrackd.lock`, origin: files.origin,
      },
    },
  };
}

type State = ConntrackSyncStatus['state'];

/**
 * conntrackd says nothing when a resync is complete, so: the bulk transfer has arrived once
 * the external cache's count over the last three readings moved by no more than the
 * other director's ordinary churn (new flows replicated as they come, taken as 5 % of the
 * table, at least 2). A quiet peer gives a constant count; a busy one a slow climb. Pure.
 */
export function resyncSettled(counts: readonly number[]): boolean {
  const last = counts.slice(-3);
  if (last.length < 3) return false;
  const lo = Math.min(...last);
  const hi = Math.max(...last);
  return hi - lo <= Math.max(2, Math.ceil(hi * 0.05));
}

export interface ConntrackSyncOptions {
  readonly log: Logger;
  /** conntrackd's files are `<base>.conntrackd.{conf,ctl,lock}` (the control socket's path). */
  readonly fileBase: string;
  readonly addresses?: InterfaceAddresses;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ConntrackSync {
  readonly #o: ConntrackSyncOptions;
  readonly #log: Logger;
  #sync: ResolvedSync | undefined;
  #rendered = '';
  #child: ConntrackdHandle | undefined;
  #state: State = 'stopped';
  #restarts = 0;
  #lastError: string | undefined;
  #role: ConntrackSyncStatus['role'] = 'unknown';
  #commits = 0;
  #commitFailures = 0;
  #lastCommitMs: number | undefined;
  #stats: { internal: number; external: number } | undefined;
  #startupResync: ConntrackSyncStatus['startupResync'];
  #backoffMs: number = CONNTRACKD_BACKOFF.firstMs;
  #retry: NodeJS.Timeout | undefined;
  #statsTimer: NodeJS.Timeout | undefined;
  #commit: Promise<void> | undefined;
  #generation = 0;
  #stopping = false;

  constructor(o: ConntrackSyncOptions) {
    this.#o = o;
    this.#log = o.log.child({ component: 'conntrack-sync' });
  }

  get #conf(): string {
    return `${this.#o.fileBase}.conntrackd.conf`;
  }

  /** Start, restart (the rendered file changed) or stop conntrackd for `cfg`; returns a summary line. */
  async apply(cfg: KeepalivedConfig, configFile: string): Promise<string> {
    const r = resolveConntrackSync(cfg, { base: this.#o.fileBase, origin: configFile }, this.#o.addresses ?? hostAddresses);
    if (r === undefined) {
      if (this.#sync === undefined && this.#state !== 'failed') return 'conntrack sync: off';
      await this.#halt();
      this.#sync = undefined;
      this.#state = 'stopped';
      return 'conntrack sync: stopped';
    }
    if (!r.ok) {
      await this.#halt();
      this.#sync = undefined;
      this.#state = 'failed';
      this.#lastError = r.reason;
      this.#log.error(`${r.reason}; conntrack state is not replicated`);
      return `conntrack sync: not started (${r.reason})`;
    }
    const text = renderConntrackdConf(r.sync.conf);
    if (text === this.#rendered && r.sync.binary === this.#sync?.binary && this.#state !== 'stopped') {
      this.#sync = r.sync;
      return 'conntrack sync: unchanged';
    }
    await this.#halt();
    this.#sync = r.sync;
    this.#rendered = text;
    writeFileSync(this.#conf, text);
    this.#stopping = false;
    this.#backoffMs = CONNTRACKD_BACKOFF.firstMs;
    await this.#launch();
    return `conntrack sync: conntrackd ${this.#state} (${r.sync.transport}, following ${r.sync.instance})`;
  }

  async #launch(): Promise<void> {
    const s = this.#sync;
    if (s === undefined || this.#stopping) return;
    // A conntrackd killed with us (power loss, kill -9) leaves its lock and socket: they are ours.
    for (const f of [s.conf.lockFile, s.conf.unixPath]) if (existsSync(f)) rmSync(f, { force: true });
    this.#state = 'starting';
    const gen = ++this.#generation;
    const startedAt = performance.now();
    const child = spawnConntrackd(s.binary, this.#conf, {
      onLine: (line) => this.#log.info(`conntrackd: ${line.replace(/^\[[^\]]*\] \(pid=\d+\) /, '')}`),
      onExit: (end) => this.#exited(gen, end, performance.now() - startedAt),
    });
    this.#child = child;
    const end = performance.now() + 3000;
    while (performance.now() < end && gen === this.#generation && this.#state === 'starting') {
      const o = await this.#ctl('stats');
      if (o.ok) {
        this.#state = 'running';
        this.#readStats(o.stdout);
        this.#log.info(`conntrackd running (pid ${child.pid ?? '?'}; ${s.transport}; following ${s.instance})`);
        this.#statsTimer ??= setInterval(() => void this.#poll(), CONNTRACKD_LIMITS.statsEveryMs).unref();
        return;
      }
      await pause(100);
    }
  }

  #exited(gen: number, end: { code: number | null; signal: string | null; error?: NodeJS.ErrnoException }, ranMs: number): void {
    if (gen !== this.#generation) return;
    this.#child = undefined;
    if (this.#stopping) return;
    const s = this.#sync;
    if (s === undefined) return;
    if (end.error?.code === 'ENOENT') {
      // Said once; the retries every 30 s stay quiet until something changes.
      const again = this.#state === 'missing';
      this.#state = 'missing';
      this.#lastError = `${s.binary} not found: install conntrackd (Debian: apt-get install conntrackd)`;
      this.#log[again ? 'debug' : 'error'](`${this.#lastError}; NAT connections will not survive a failover; trying again every ${CONNTRACKD_BACKOFF.missingRetryMs / 1000} s`);
      this.#schedule(CONNTRACKD_BACKOFF.missingRetryMs);
      return;
    }
    if (ranMs > CONNTRACKD_BACKOFF.healthyAfterMs) this.#backoffMs = CONNTRACKD_BACKOFF.firstMs;
    this.#restarts++;
    this.#state = 'restarting';
    this.#lastError = end.error !== undefined ? `conntrackd could not start: ${end.error.message}`
      : `conntrackd ${end.signal !== null ? `killed by ${end.signal}` : `exited with code ${end.code}`}`;
    this.#log.error(`${this.#lastError}; NAT connections are not replicated until it runs again; restarting in ${this.#backoffMs / 1000} s`);
    this.#schedule(this.#backoffMs);
    this.#backoffMs = Math.min(CONNTRACKD_BACKOFF.maxMs, this.#backoffMs * 2);
  }

  #schedule(ms: number): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#launch();
    }, ms);
    this.#retry.unref();
  }

  async #poll(): Promise<void> {
    if (this.#state !== 'running') return;
    const o = await this.#ctl('stats');
    if (o.ok) this.#readStats(o.stdout);
    else if (o.reason === 'timeout' && this.#child !== undefined) {
      // Alive but not answering: treat as dead (the exit handler restarts it).
      this.#log.error(`conntrackd does not answer (${o.detail}); killing it`);
      await this.#child.stop(1000);
    }
  }

  #readStats(text: string): void {
    const st = parseConntrackdStats(text);
    if (st !== undefined) this.#stats = st;
  }

  #ctl(what: ConntrackdCtl): Promise<CtlOutcome> {
    return conntrackdCtl(this.#sync?.binary ?? 'conntrackd', this.#conf, what, CONNTRACKD_LIMITS.ctlMs);
  }

  async #run(what: ConntrackdCtl): Promise<boolean> {
    const o = await this.#ctl(what);
    if (!o.ok) this.#log.error(`conntrackd ${what} failed: ${o.detail}`);
    return o.ok;
  }

  /**
   * Before `instance` adds its VIPs as the new MASTER: commit the other director's flows
   * into the kernel. The follow-up (flush, resync, bulk send) runs after, not awaited.
   */
  beforeVips(instance: string): Promise<void> {
    const s = this.#sync;
    if (s === undefined || !s.members.has(instance)) return Promise.resolve();
    if (this.#role === 'primary' && this.#commit === undefined) return Promise.resolve();
    this.#commit ??= this.#commitNow(instance).finally(() => { this.#commit = undefined; });
    return this.#commit;
  }

  async #commitNow(instance: string): Promise<void> {
    this.#role = 'primary';
    if (this.#state !== 'running') {
      this.#log.warn(`(${instance}) becoming MASTER without committing conntrack state: conntrackd is ${this.#state}${this.#lastError !== undefined ? ` (${this.#lastError})` : ''}`);
      return;
    }
    const before = this.#stats?.external;
    const o = await this.#ctl('commit');
    if (o.ok) {
      this.#commits++;
      this.#lastCommitMs = o.ms;
      this.#log.info(`(${instance}) committed conntrackd's external cache${before !== undefined ? ` (${before} flows at the last reading)` : ''} in ${o.ms} ms; adding VIPs`);
    } else {
      this.#commitFailures++;
      this.#log.error(`(${instance}) conntrackd commit failed: ${o.detail}; adding VIPs anyway`);
    }
    void (async () => {
      for (const step of ['flush', 'resyncKernel', 'bulkSend'] as const) if (!(await this.#run(step))) break;
      await this.#poll();
    })();
  }

  /** A VRRP transition of any instance: the followed ones drive conntrackd's backup side. */
  transition(instance: string, to: string): void {
    const s = this.#sync;
    if (s === undefined || !s.members.has(instance) || this.#state !== 'running') {
      if (s?.members.has(instance) === true && to !== 'MASTER') this.#role = 'backup';
      return;
    }
    if (to === 'BACKUP' && this.#role !== 'backup') {
      this.#role = 'backup';
      void (async () => { if (await this.#run('shortenTimers')) await this.#run('requestResync'); })();
    } else if (to === 'FAULT') {
      this.#role = 'backup';
      void this.#run('shortenTimers');
    }
  }

  /**
   * At start, before VRRP: wait until the other director's table has arrived (resyncSettled),
   * at most resyncMaxMs. Resolves at once when off.
   */
  async waitResynced(maxMs: number = CONNTRACKD_LIMITS.resyncMaxMs): Promise<void> {
    if (this.#sync === undefined || this.#state !== 'running') return;
    const t0 = performance.now();
    const seen: number[] = [];
    let settled = false;
    while (performance.now() - t0 < maxMs) {
      const o = await this.#ctl('stats');
      const st = o.ok ? parseConntrackdStats(o.stdout) : undefined;
      if (st !== undefined) {
        this.#stats = st;
        seen.push(st.external);
        if (performance.now() - t0 >= CONNTRACKD_LIMITS.resyncMinMs && resyncSettled(seen)) {
          settled = true;
          break;
        }
      }
      await pause(CONNTRACKD_LIMITS.resyncPollMs);
    }
    const flows = seen.at(-1) ?? 0;
    const ms = Math.round(performance.now() - t0);
    this.#startupResync = { flows, ms, settled };
    const msg = `conntrackd holds ${flows} flow(s) from the other director after ${ms} ms`;
    if (settled) this.#log.info(`${msg}; starting VRRP`);
    else this.#log.warn(`${msg}, still changing; starting VRRP anyway`);
  }

  snapshot(): ConntrackSyncStatus | undefined {
    const s = this.#sync;
    if (s === undefined && this.#state !== 'failed') return undefined;
    return {
      instance: s?.instance ?? '', transport: s?.transport ?? '', state: this.#state,
      ...(this.#child?.pid !== undefined && this.#state === 'running' ? { pid: this.#child.pid } : {}),
      restarts: this.#restarts,
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
      role: this.#role, commits: this.#commits, commitFailures: this.#commitFailures,
      ...(this.#lastCommitMs !== undefined ? { lastCommitMs: this.#lastCommitMs } : {}),
      ...(this.#stats !== undefined ? { internalFlows: this.#stats.internal, externalFlows: this.#stats.external } : {}),
      ...(this.#startupResync !== undefined ? { startupResync: this.#startupResync } : {}),
    };
  }

  async #halt(): Promise<void> {
    this.#stopping = true;
    this.#generation++;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    const c = this.#child;
    this.#child = undefined;
    if (c !== undefined) await c.stop();
  }

  async stop(): Promise<void> {
    await this.#halt();
    clearInterval(this.#statsTimer);
    this.#statsTimer = undefined;
    if (this.#sync !== undefined) this.#state = 'stopped';
    for (const f of [this.#conf, `${this.#o.fileBase}.conntrackd.ctl`, `${this.#o.fileBase}.conntrackd.lock`]) rmSync(f, { force: true });
  }
}
