// PING_CHECK (keepalived check_ping.c): one ICMP / ICMPv6 echo, success on the reply.
// keepalived uses an unprivileged IPPROTO_ICMP datagram socket; Node has no ICMP socket
// without native code and check/ may not use the addon (src/sys), so the default
// transport execs iputils' `ping -c 1 -W <timeout> -n` (argv, no shell). It uses the same
// unprivileged ICMP datagram socket when net.ipv4.ping_group_range allows the caller,
// else its file capability (cap_net_raw) for a raw one. The daemon may inject another
// EchoTransport (e.g. one built on the addon).
import { spawn } from 'node:child_process';
import type { PingCheck } from '../config/model/checkers.js';
import { failed, passed, sameConfig, targetLabel, type CheckOutcome, type Checker, type CheckerSnapshot, type FailReason } from './checker.js';
import { abortReason, since } from './net-util.js';

export type EchoResult = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly reason: FailReason; readonly detail: string };

export interface EchoTransport {
  echo(o: { addr: string; family: 4 | 6; timeoutMs: number; bindAddr?: string }, signal: AbortSignal): Promise<EchoResult>;
}

/** iputils ping exit codes: 0 a reply, 1 no reply, 2 any other error. */
export class SpawnPing implements EchoTransport {
  constructor(private readonly binary = 'ping') {}

  echo(o: { addr: string; family: 4 | 6; timeoutMs: number; bindAddr?: string }, signal: AbortSignal): Promise<EchoResult> {
    const secs = Math.max(0.001, o.timeoutMs / 1000).toFixed(3);
    const args = [o.family === 6 ? '-6' : '-4', '-n', '-q', '-c', '1', '-W', secs, ...(o.bindAddr !== undefined ? ['-I', o.bindAddr] : []), o.addr];
    return new Promise<EchoResult>((resolve) => {
      let err = '';
      let child;
      try {
        child = spawn(this.binary, args, { stdio: ['ignore', 'ignore', 'pipe'], signal });
      } catch (e) {
        resolve({ ok: false, reason: 'spawn-error', detail: e instanceof Error ? e.message : String(e) });
        return;
      }
      child.stderr.on('data', (c: Buffer) => { if (err.length < 500) err += c.toString(); });
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (signal.aborted) resolve({ ok: false, reason: abortReason(signal), detail: 'ping stopped' });
        else if (e.code === 'ENOENT') resolve({ ok: false, reason: 'spawn-error', detail: `'${this.binary}' not found: install iputils-ping` });
        else resolve({ ok: false, reason: 'spawn-error', detail: e.message });
      });
      child.once('exit', (code) => {
        if (signal.aborted) return; // 'error' reports the abort
        if (code === 0) resolve({ ok: true, detail: 'echo reply' });
        else if (code === 1) resolve({ ok: false, reason: 'timeout', detail: `no echo reply within ${o.timeoutMs} ms` });
        else resolve({ ok: false, reason: 'unreachable', detail: `ping failed (${code}): ${err.trim().split('\n')[0] ?? ''}` });
      });
    });
  }
}

export class PingChecker implements Checker {
  readonly kind = 'PING_CHECK' as const;
  readonly target: string;
  readonly budgetMs: number;
  readonly #cfg: PingCheck;
  readonly #transport: EchoTransport;

  constructor(cfg: PingCheck, transport: EchoTransport = new SpawnPing()) {
    this.#cfg = cfg;
    this.#transport = transport;
    this.target = targetLabel(cfg.connect.addr, 'icmp', 0);
    // ping's own -W is the deadline; allow it time to start and report.
    this.budgetMs = cfg.connect.timeoutMs + 1000;
  }

  async run(signal: AbortSignal): Promise<CheckOutcome> {
    const t0 = performance.now();
    const co = this.#cfg.connect;
    const r = await this.#transport.echo({ addr: co.addr, family: co.family, timeoutMs: co.timeoutMs, ...(co.bindAddr !== undefined ? { bindAddr: co.bindAddr } : {}) }, signal);
    return r.ok ? passed(r.detail, since(t0)) : failed(r.reason, `PING: ${r.detail}`, since(t0));
  }

  sameAs(other: Checker): boolean {
    return other instanceof PingChecker && sameConfig(this.#settings(), other.#settings());
  }

  snapshot(): CheckerSnapshot {
    return { kind: this.kind, target: this.target, config: this.#settings() };
  }

  #settings(): Record<string, unknown> {
    return { connect: this.#cfg.connect };
  }
}
