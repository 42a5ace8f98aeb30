// DNS_CHECK (keepalived check_dns.c): one UDP query for `name`/`type` with a random id and
// RD set; success is a response (QR set) with the same id and RCODE NOERROR. Datagrams
// with another id, or queries, are ignored and the wait goes on, as keepalived does.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { DnsCheck } from '../config/model/checkers.js';
import { errorText, failed, passed, reasonFromError, sameConfig, targetLabel, type CheckOutcome, type Checker, type CheckerSnapshot } from './checker.js';
import { DNS_TYPE, RCODE, decodeMessage, encodeQuery } from './dns-codec.js';
import { AbortedRun, abortable, abortReason, abortText, since } from './net-util.js';

const RCODE_NAME: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(RCODE).map(([k, v]) => [v, k]));

export class DnsChecker implements Checker {
  readonly kind = 'DNS_CHECK' as const;
  readonly target: string;
  readonly budgetMs: number;
  readonly #cfg: DnsCheck;

  constructor(cfg: DnsCheck) {
    this.#cfg = cfg;
    this.target = targetLabel(cfg.connect.addr, 'udp', cfg.connect.port);
    this.budgetMs = cfg.connect.timeoutMs;
  }

  async run(signal: AbortSignal): Promise<CheckOutcome> {
    const t0 = performance.now();
    const id = randomInt(0x10000);
    const query = encodeQuery({ id, name: this.#cfg.name, type: DNS_TYPE[this.#cfg.type] });
    if (typeof query === 'string') return failed('protocol-error', `cannot build query: ${query}`, 0);
    const co = this.#cfg.connect;
    try {
      const rcode = await abortable<number>(signal, (resolve, reject, onCleanup) => {
        const sock = dgram.createSocket(co.family === 6 ? 'udp6' : 'udp4');
        onCleanup(() => closeQuietly(sock));
        sock.on('error', reject);
        sock.on('message', (buf) => {
          const d = decodeMessage(buf);
          if (!d.ok || d.msg.id !== id || !d.msg.qr) return;
          resolve(d.msg.rcode);
        });
        const go = (): void => sock.connect(co.port, co.addr, () => sock.send(query, (e) => { if (e) reject(e); }));
        if (co.bindAddr !== undefined || co.bindPort !== undefined) sock.bind({ address: co.bindAddr, port: co.bindPort ?? 0 }, go);
        else go();
      });
      if (rcode !== RCODE.NOERROR) return failed('dns-rcode', `DNS answer with RCODE ${RCODE_NAME[rcode] ?? rcode}`, since(t0));
      return passed(`DNS ${this.#cfg.type} ${this.#cfg.name} answered`, since(t0));
    } catch (e) {
      if (e instanceof AbortedRun) return failed(abortReason(signal), `DNS: ${abortText(signal, this.budgetMs)}`, since(t0));
      return failed(reasonFromError(e), `DNS: ${errorText(e)}`, since(t0));
    }
  }

  sameAs(other: Checker): boolean {
    return other instanceof DnsChecker && sameConfig(this.#settings(), other.#settings());
  }

  snapshot(): CheckerSnapshot {
    return { kind: this.kind, target: this.target, config: this.#settings() };
  }

  #settings(): Record<string, unknown> {
    return { connect: this.#cfg.connect, type: this.#cfg.type, name: this.#cfg.name };
  }
}

export function closeQuietly(sock: dgram.Socket): void {
  try {
    sock.close();
  } catch {
    // already closed after an error
  }
}
