// Socket plumbing the network checkers share: a TCP (or TLS) connect that honours
// bindto/bind_port and the run's AbortSignal, and the mapping from an abort to a reason.
// keepalived's layer4.c tcp_bind_connect() does the same job with non-blocking sockets.
import net from 'node:net';
import tls from 'node:tls';
import { CheckTimeoutError } from '../core/errors.js';
import type { ConnectOptions } from '../config/model/checkers.js';
import type { FailReason } from './checker.js';

/** A scheduler timeout (or AbortSignal.timeout) is a 'timeout'; anything else stopped the run. */
export function abortReason(signal: AbortSignal): FailReason {
  const r: unknown = signal.reason;
  if (r instanceof CheckTimeoutError) return 'timeout';
  if (r instanceof Error && r.name === 'TimeoutError') return 'timeout';
  return 'aborted';
}

export function abortText(signal: AbortSignal, budgetMs: number): string {
  return abortReason(signal) === 'timeout' ? `no answer within ${budgetMs} ms` : 'check stopped';
}

export class AbortedRun extends Error {
  constructor(readonly signal: AbortSignal) {
    super('aborted');
  }
}

/**
 * Run `body` with a cleanup that is called exactly once, when it settles or when the signal
 * aborts (then the promise rejects with AbortedRun so callers map it to a reason).
 */
export function abortable<T>(
  signal: AbortSignal,
  body: (resolve: (v: T) => void, reject: (e: unknown) => void, onCleanup: (fn: () => void) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanups: Array<() => void> = [];
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      signal.removeEventListener('abort', onAbort);
      for (const c of cleanups.splice(0)) c();
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(new AbortedRun(signal));
    };
    if (signal.aborted) {
      reject(new AbortedRun(signal));
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      body(
        (v) => { if (finish()) resolve(v); },
        (e) => { if (finish()) reject(e); },
        (fn) => { if (done) fn(); else cleanups.push(fn); },
      );
    } catch (e) {
      if (finish()) reject(e);
    }
  });
}

export interface TlsOptions {
  /** SNI host name; absent = no SNI (keepalived without enable_sni). */
  servername?: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
}

/**
 * Connect to the checker's destination. Resolves with a connected (and, with `tlsOpts`,
 * handshaken) socket; rejects with the socket error or AbortedRun. The caller owns the socket.
 */
export function connectStream(co: ConnectOptions, signal: AbortSignal, tlsOpts?: TlsOptions): Promise<net.Socket> {
  return abortable<net.Socket>(signal, (resolve, reject, onCleanup) => {
    const base = {
      host: co.addr,
      port: co.port,
      family: co.family,
      ...(co.bindAddr !== undefined ? { localAddress: co.bindAddr } : {}),
      ...(co.bindPort !== undefined ? { localPort: co.bindPort } : {}),
    };
    let sock: net.Socket;
    if (tlsOpts === undefined) {
      sock = net.connect(base);
      sock.once('connect', () => { settled = true; resolve(sock); });
    } else {
      // keepalived's SSL_GET does not verify the server certificate: it checks the service,
      // not its identity (check_ssl.c sets no verify callback).
      sock = tls.connect({
        ...base,
        rejectUnauthorized: false,
        ...(tlsOpts.servername !== undefined ? { servername: tlsOpts.servername } : {}),
        ...(tlsOpts.ca !== undefined ? { ca: tlsOpts.ca } : {}),
        ...(tlsOpts.cert !== undefined ? { cert: tlsOpts.cert } : {}),
        ...(tlsOpts.key !== undefined ? { key: tlsOpts.key } : {}),
        ...(tlsOpts.passphrase !== undefined ? { passphrase: tlsOpts.passphrase } : {}),
      });
      sock.once('secureConnect', () => { settled = true; resolve(sock); });
    }
    let settled = false;
    sock.once('error', reject);
    onCleanup(() => {
      sock.removeListener('error', reject);
      if (!settled) sock.destroy();
      else sock.on('error', () => undefined); // late errors belong to the caller's read phase
    });
  });
}

/** Milliseconds since `t0` (performance.now()), rounded to µs. */
export function since(t0: number): number {
  return Math.round((performance.now() - t0) * 1000) / 1000;
}
