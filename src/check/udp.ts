// UDP_CHECK (keepalived check_udp.c): send the payload on a connected UDP socket. An ICMP
// port unreachable comes back as ECONNREFUSED on that socket and fails the check. Without
// require_reply, silence until connect_timeout is success; with it, a reply must arrive
// and match (length bounds, leading bytes with `x` wildcards).
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { UdpCheck } from '../config/model/checkers.js';
import { errorText, failed, passed, reasonFromError, sameConfig, targetLabel, type CheckOutcome, type Checker, type CheckerSnapshot } from './checker.js';
import { closeQuietly } from './dns.js';
import { AbortedRun, abortable, abortReason, since } from './net-util.js';
import { checkReply, hexBytes, type ReplyRule } from './udp-pattern.js';

/** Slack between the check's own deadline and the scheduler's abort. */
const BUDGET_SLACK_MS = 1000;

export class UdpChecker implements Checker {
  readonly kind = 'UDP_CHECK' as const;
  readonly target: string;
  readonly budgetMs: number;
  readonly #cfg: UdpCheck;
  readonly #rule: ReplyRule;

  constructor(cfg: UdpCheck) {
    this.#cfg = cfg;
    this.target = targetLabel(cfg.connect.addr, 'udp', cfg.connect.port);
    this.budgetMs = cfg.connect.timeoutMs + BUDGET_SLACK_MS;
    this.#rule = {
      ...(cfg.replyData !== undefined ? { data: hexBytes(cfg.replyData) } : {}),
      ...(cfg.replyMask !== undefined ? { mask: hexBytes(cfg.replyMask) } : {}),
      minLength: cfg.minReplyLength,
      maxLength: cfg.maxReplyLength,
    };
  }

  async run(signal: AbortSignal): Promise<CheckOutcome> {
    const t0 = performance.now();
    const co = this.#cfg.connect;
    // keepalived sends random bytes when no payload is configured.
    const payload = this.#cfg.payload !== undefined ? hexBytes(this.#cfg.payload) : randomBytes(16);
    const own = AbortSignal.timeout(co.timeoutMs);
    const both = AbortSignal.any([signal, own]);
    try {
      const reply = await abortable<Buffer>(both, (resolve, reject, onCleanup) => {
        const sock = dgram.createSocket(co.family === 6 ? 'udp6' : 'udp4');
        onCleanup(() => closeQuietly(sock));
        sock.on('error', reject);
        sock.on('message', (buf) => resolve(buf));
        const go = (): void => sock.connect(co.port, co.addr, () => sock.send(payload, (e) => { if (e) reject(e); }));
        if (co.bindAddr !== undefined || co.bindPort !== undefined) sock.bind({ address: co.bindAddr, port: co.bindPort ?? 0 }, go);
        else go();
      });
      if (!this.#cfg.requireReply) return passed(`UDP reply of ${reply.length} bytes`, since(t0));
      const v = checkReply(reply, this.#rule);
      return v.ok ? passed(`UDP reply of ${reply.length} bytes matched`, since(t0)) : failed('reply-mismatch', `UDP ${v.detail}`, since(t0));
    } catch (e) {
      if (e instanceof AbortedRun) {
        if (signal.aborted) return failed(abortReason(signal), 'UDP: check stopped', since(t0));
        // Our own deadline: silence is success unless a reply was required.
        if (!this.#cfg.requireReply) return passed(`no ICMP error within ${co.timeoutMs} ms`, since(t0));
        return failed('timeout', `UDP: no reply within ${co.timeoutMs} ms`, since(t0));
      }
      return failed(reasonFromError(e), `UDP: ${errorText(e)}`, since(t0));
    }
  }

  sameAs(other: Checker): boolean {
    return other instanceof UdpChecker && sameConfig(this.#settings(), other.#settings());
  }

  snapshot(): CheckerSnapshot {
    return { kind: this.kind, target: this.target, config: this.#settings() };
  }

  #settings(): Record<string, unknown> {
    const c = this.#cfg;
    return { connect: c.connect, payload: c.payload, requireReply: c.requireReply, replyData: c.replyData, replyMask: c.replyMask, minReplyLength: c.minReplyLength, maxReplyLength: c.maxReplyLength };
  }
}
