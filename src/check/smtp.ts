// SMTP_CHECK (keepalived check_smtp.c): connect, expect the 220 greeting, send
// `HELO helo_name`, expect 250, send QUIT and read its answer. Any other code fails.
import type { SmtpCheck } from '../config/model/checkers.js';
import { errorText, failed, passed, reasonFromError, sameConfig, targetLabel, type CheckOutcome, type Checker, type CheckerSnapshot } from './checker.js';
import { AbortedRun, abortReason, abortText, connectStream, since } from './net-util.js';
import { SmtpSession } from './smtp-session.js';

export class SmtpChecker implements Checker {
  readonly kind = 'SMTP_CHECK' as const;
  readonly target: string;
  readonly budgetMs: number;
  readonly #cfg: SmtpCheck;

  constructor(cfg: SmtpCheck) {
    this.#cfg = cfg;
    this.target = targetLabel(cfg.connect.addr, 'tcp', cfg.connect.port);
    this.budgetMs = cfg.connect.timeoutMs;
  }

  async run(signal: AbortSignal): Promise<CheckOutcome> {
    const t0 = performance.now();
    let session: SmtpSession | undefined;
    try {
      session = new SmtpSession(await connectStream(this.#cfg.connect, signal));
      const greeting = await session.reply(signal);
      if (greeting.code !== 220) return failed('protocol-error', `bad greeting ${greeting.code} ${greeting.text}`, since(t0));
      const helo = await session.command(`HELO ${this.#cfg.heloName}\r\n`, signal);
      if (helo.code !== 250) return failed('protocol-error', `bad HELO response ${helo.code} ${helo.text}`, since(t0));
      // keepalived reads one more line after QUIT before declaring success.
      const quit = await session.command('QUIT\r\n', signal);
      return passed(`SMTP HELO accepted (QUIT ${quit.code})`, since(t0));
    } catch (e) {
      if (e instanceof AbortedRun) return failed(abortReason(signal), `SMTP: ${abortText(signal, this.budgetMs)}`, since(t0));
      const reason = reasonFromError(e);
      return failed(reason === 'connect-error' && session !== undefined ? 'protocol-error' : reason, `SMTP: ${errorText(e)}`, since(t0));
    } finally {
      session?.close();
    }
  }

  sameAs(other: Checker): boolean {
    return other instanceof SmtpChecker && sameConfig(this.#settings(), other.#settings());
  }

  snapshot(): CheckerSnapshot {
    return { kind: this.kind, target: this.target, config: this.#settings() };
  }

  #settings(): Record<string, unknown> {
    return { connect: this.#cfg.connect, heloName: this.#cfg.heloName };
  }
}
