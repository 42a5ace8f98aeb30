// TCP_CHECK (keepalived check_tcp.c): success is a completed TCP handshake within
// connect_timeout; the connection is closed at once.
import type { TcpCheck } from '../config/model/checkers.js';
import { failed, passed, reasonFromError, errorText, sameConfig, targetLabel, type CheckOutcome, type Checker, type CheckerSnapshot } from './checker.js';
import { AbortedRun, abortReason, abortText, connectStream, since } from './net-util.js';

export class TcpChecker implements Checker {
  readonly kind = 'TCP_CHECK' as const;
  readonly target: string;
  readonly budgetMs: number;
  readonly #cfg: TcpCheck;

  constructor(cfg: TcpCheck) {
    this.#cfg = cfg;
    this.target = targetLabel(cfg.connect.addr, 'tcp', cfg.connect.port);
    this.budgetMs = cfg.connect.timeoutMs;
  }

  async run(signal: AbortSignal): Promise<CheckOutcome> {
    const t0 = performance.now();
    try {
      const sock = await connectStream(this.#cfg.connect, signal);
      sock.destroy();
      return passed('TCP connection succeeded', since(t0));
    } catch (e) {
      if (e instanceof AbortedRun) return failed(abortReason(signal), `TCP connection: ${abortText(signal, this.budgetMs)}`, since(t0));
      return failed(reasonFromError(e), `TCP connection failed: ${errorText(e)}`, since(t0));
    }
  }

  sameAs(other: Checker): boolean {
    return other instanceof TcpChecker && sameConfig(this.#settings(), other.#settings());
  }

  snapshot(): CheckerSnapshot {
    return { kind: this.kind, target: this.target, config: this.#settings() };
  }

  #settings(): Record<string, unknown> {
    return { connect: this.#cfg.connect };
  }
}
