// The BGP side of one director: the announcement policy, the BIRD daemon it drives (run
// by halb, or attached to), and what status and metrics show of both. The daemon feeds it
// policy events after every dataplane apply; changes are pushed to BIRD one at a time
// (rewrite config, `configure`), sessions are polled once a second.
import { writeFileSync, renameSync } from 'node:fs';
import type { BgpConfig } from '../config/model/bgp.js';
import type { Logger } from '../core/log.js';
import { renderBirdConfig, renderStatic, neighborProtocol } from './bird-config.js';
import { BirdDaemon, type DaemonState } from './bird-daemon.js';
import { birdCommand, parseProtocols } from './bird-socket.js';
import { announcedPrefixes, initialPolicy, step, type PolicyEvent, type PolicyState } from './policy.js';

export interface BgpSessionView {
  readonly neighbor: string;
  readonly remoteAs: number;
  readonly protocol: string;
  /** BIRD's protocol state (up, start, down) and BGP state (Established, Active, ...). */
  readonly state: string;
  readonly bgpState: string;
}

export interface BgpSnapshot {
  readonly mode: 'bird' | 'attach';
  readonly daemon: { readonly state: DaemonState['kind'] | 'unreachable'; readonly pid?: number; readonly error?: string; readonly restarts: number; readonly socket: string };
  readonly localAs: number;
  readonly routerId: string;
  readonly sessions: readonly BgpSessionView[];
  readonly prefixes: readonly { readonly prefix: string; readonly announced: boolean; readonly reason: string }[];
  /** Announces and withdrawals since start, by reason. */
  readonly changes: readonly { readonly kind: 'announce' | 'withdraw'; readonly reason: string; readonly count: number }[];
  /** The last failure to push the announcements to the daemon, cleared by a success. */
  readonly pushError?: string;
}

export interface SpeakerOptions {
  readonly log: Logger;
  /** Where halb keeps its daemon's files: `<base>.bird.conf`, `.bird.ctl`, `.bird.pid`. */
  readonly fileBase: string;
  readonly pollMs?: number;
}

/** Reasons are free text with addresses in them; counts are kept by their gist. */
export function reasonClass(reason: string): 'dataplane' | 'quorum' | 'stop' | 'config' {
  if (reason.startsWith('dataplane')) return 'dataplane';
  if (reason.includes('quorum')) return 'quorum';
  if (reason === 'clean stop') return 'stop';
  return 'config';
}

export class BgpSpeaker {
  #cfg: BgpConfig;
  readonly #o: SpeakerOptions;
  #policy: PolicyState;
  readonly #daemon: BirdDaemon | undefined;
  #sessions: BgpSessionView[] = [];
  #reachable = true;
  #reachError: string | undefined;
  #pushError: string | undefined;
  #dirty = true;
  #chain: Promise<void> = Promise.resolve();
  #poll: NodeJS.Timeout | undefined;
  readonly #changes = new Map<string, { kind: 'announce' | 'withdraw'; reason: string; count: number }>();
  #stopped = false;

  constructor(cfg: BgpConfig, o: SpeakerOptions) {
    this.#cfg = cfg;
    this.#o = o;
    this.#policy = initialPolicy(cfg.announces);
    this.#daemon = cfg.daemon === 'bird'
      ? new BirdDaemon({
        birdPath: cfg.birdPath, configFile: `${o.fileBase}.bird.conf`, socket: this.socket, pidFile: `${o.fileBase}.bird.pid`, log: o.log,
        onState: (s) => this.#daemonState(s),
      })
      : undefined;
  }

  get socket(): string {
    return this.#cfg.controlSocket ?? `${this.#o.fileBase}.bird.ctl`;
  }

  /** Write the daemon's files and start it (or reach the attached one); never throws on a missing daemon. */
  start(): void {
    this.#writeFiles();
    this.#daemon?.start();
    this.#poll = setInterval(() => { void this.#tick(); }, this.#o.pollMs ?? 1000);
    this.#poll.unref();
    void this.#tick();
  }

  #daemonState(s: DaemonState): void {
    if (s.kind === 'running') {
      this.#o.log.info(`BGP daemon bird running (pid ${s.pid}), control socket ${this.socket}`);
      this.#dirty = true;
    }
    if (s.kind === 'down') this.#sessions = this.#sessions.map((x) => ({ ...x, state: 'down', bgpState: 'daemon down' }));
  }

  #writeFiles(): void {
    const prefixes = announcedPrefixes(this.#policy);
    const [file, text] = this.#cfg.daemon === 'bird'
      ? [`${this.#o.fileBase}.bird.conf`, renderBirdConfig(this.#cfg, prefixes)]
      : [this.#cfg.includeFile as string, `# Written by halb (halb_bgp): the VIPs this director announces now.\n${renderStatic(prefixes)}`];
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }

  /** Feed a policy event; announces and withdrawals are logged, counted and pushed. */
  update(ev: PolicyEvent): Promise<void> {
    const r = step(this.#cfg.announces, this.#policy, ev);
    this.#policy = r.state;
    for (const a of r.actions) {
      const line = `BGP: ${a.kind === 'announce' ? 'announcing' : 'withdrawing'} ${a.prefix} (${a.reason})`;
      if (a.kind === 'announce') this.#o.log.info(line);
      else this.#o.log.warn(line);
      const key = `${a.kind}|${reasonClass(a.reason)}`;
      const c = this.#changes.get(key) ?? { kind: a.kind, reason: reasonClass(a.reason), count: 0 };
      c.count++;
      this.#changes.set(key, c);
    }
    if (r.actions.length > 0) this.#dirty = true;
    return this.#push();
  }

  /** A reload with a changed halb_bgp block: new neighbours, timers or VIPs. */
  reconfigure(cfg: BgpConfig): Promise<void> {
    this.#cfg = cfg;
    this.#dirty = true;
    return this.#push();
  }

  #push(): Promise<void> {
    const run = async (): Promise<void> => {
      if (!this.#dirty) return;
      this.#dirty = false;
      this.#writeFiles();
      const st = this.#daemon?.state;
      // A daemon halb runs that is not up reads the file as it starts.
      if (st !== undefined && st.kind !== 'running') return;
      try {
        await birdCommand(this.socket, 'configure');
        if (this.#pushError !== undefined) this.#o.log.info(`BGP: daemon reconfigured again after: ${this.#pushError}`);
        this.#pushError = undefined;
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (msg !== this.#pushError) this.#o.log.error(`BGP: cannot push announcements: ${msg}`);
        this.#pushError = msg;
        this.#dirty = true;
      }
    };
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    if (this.#dirty) await this.#push();
    const st = this.#daemon?.state;
    if (st !== undefined && st.kind !== 'running') return;
    try {
      const rows = parseProtocols(await birdCommand(this.socket, 'show protocols', 3000));
      if (!this.#reachable) this.#o.log.info(`BGP daemon on ${this.socket} reachable again`);
      this.#reachable = true;
      this.#reachError = undefined;
      this.#daemon?.healthy();
      const next = this.#cfg.neighbors.map((n): BgpSessionView => {
        const row = rows.find((r) => r.name === neighborProtocol(n));
        return { neighbor: n.address, remoteAs: n.remoteAs, protocol: neighborProtocol(n), state: row?.state ?? 'absent', bgpState: row?.info ?? '' };
      });
      for (const s of next) {
        const was = this.#sessions.find((x) => x.neighbor === s.neighbor);
        const wasUp = was?.bgpState.startsWith('Established') === true;
        const isUp = s.bgpState.startsWith('Established');
        if (wasUp !== isUp) {
          if (isUp) this.#o.log.info(`BGP: session with ${s.neighbor} (AS ${s.remoteAs}) Established`);
          else if (was !== undefined) this.#o.log.warn(`BGP: session with ${s.neighbor} (AS ${s.remoteAs}) left Established: ${s.bgpState || s.state}`);
        }
      }
      this.#sessions = next;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (this.#reachable) this.#o.log.error(`BGP daemon unreachable: ${msg}`);
      this.#reachable = false;
      this.#reachError = msg;
      this.#sessions = this.#sessions.map((x) => ({ ...x, state: 'down', bgpState: 'daemon unreachable' }));
    }
  }

  snapshot(): BgpSnapshot {
    const st = this.#daemon?.state;
    const daemon: BgpSnapshot['daemon'] = {
      state: st === undefined ? (this.#reachable ? 'running' : 'unreachable') : (st.kind === 'running' && !this.#reachable ? 'unreachable' : st.kind),
      ...(st?.kind === 'running' ? { pid: st.pid } : {}),
      ...(st?.kind === 'down' ? { error: st.error } : this.#reachError !== undefined ? { error: this.#reachError } : {}),
      restarts: this.#daemon?.restarts ?? 0,
      socket: this.socket,
    };
    return {
      mode: this.#cfg.daemon,
      daemon,
      localAs: this.#cfg.localAs ?? 0,
      routerId: this.#cfg.routerId ?? '',
      sessions: this.#cfg.neighbors.map((n) => this.#sessions.find((s) => s.neighbor === n.address)
        ?? { neighbor: n.address, remoteAs: n.remoteAs, protocol: neighborProtocol(n), state: 'unknown', bgpState: '' }),
      prefixes: [...this.#policy.values()].map((p) => ({ prefix: p.prefix, announced: p.announced, reason: p.reason })),
      changes: [...this.#changes.values()].map((c) => ({ ...c })),
      ...(this.#pushError !== undefined ? { pushError: this.#pushError } : {}),
    };
  }

  /** Clean stop: withdraw everything, then stop a daemon halb runs (its sessions close). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    await this.update({ kind: 'stop' });
    this.#stopped = true;
    if (this.#poll !== undefined) clearInterval(this.#poll);
    await this.#chain;
    await this.#daemon?.stop();
  }
}
