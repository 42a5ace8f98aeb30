// A line-level SMTP client session over a connected socket: send a command, await the
// reply. The protocol decisions (which code is acceptable) stay with the callers.
import type { Socket } from 'node:net';
import { abortable } from './net-util.js';
import { parseReply } from './smtp-reply.js';

export interface Reply {
  readonly code: number;
  readonly text: string;
}

/** Replies longer than this are not SMTP (keepalived's SMTP_BUFFER_MAX is far smaller). */
const MAX_REPLY = 16 * 1024;

export class SmtpSession {
  readonly #sock: Socket;
  #buf = Buffer.alloc(0);
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;

  constructor(sock: Socket) {
    this.#sock = sock;
    sock.on('data', (c: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, c]);
      this.#wake?.();
    });
    sock.on('end', () => { this.#ended = true; this.#wake?.(); });
    sock.on('close', () => { this.#ended = true; this.#wake?.(); });
    sock.on('error', (e) => { this.#error = e; this.#wake?.(); });
  }

  /** Resolve with the next reply; reject on close, error, garbage or abort. */
  reply(signal: AbortSignal): Promise<Reply> {
    return abortable<Reply>(signal, (resolve, reject, onCleanup) => {
      const check = (): void => {
        const r = parseReply(this.#buf);
        if (r.complete) {
          this.#buf = this.#buf.subarray(r.consumed);
          if ('malformed' in r) reject(new Error(`malformed SMTP reply '${r.text.slice(0, 80)}'`));
          else resolve({ code: r.code, text: r.text });
        } else if (this.#error !== undefined) {
          reject(this.#error);
        } else if (this.#ended) {
          reject(new Error('server closed the connection'));
        } else if (this.#buf.length > MAX_REPLY) {
          reject(new Error('SMTP reply too long'));
        }
      };
      this.#wake = check;
      onCleanup(() => { this.#wake = undefined; });
      check();
    });
  }

  send(line: string): void {
    this.#sock.write(line);
  }

  async command(line: string, signal: AbortSignal): Promise<Reply> {
    this.send(line);
    return this.reply(signal);
  }

  close(): void {
    this.#sock.destroy();
  }
}
