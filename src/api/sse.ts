// Server-sent events for the dashboard (GET /api/v1/events): each admin event as it
// happens, and the status view right after it and every interval while anyone listens.
// One status is built per push and shared by every client; pushes that pile up while
// one is being built collapse into one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/log.js';

export interface SseHubOptions {
  /** The status payload (built once per push). */
  readonly status: () => Promise<unknown>;
  /** The first message a client gets (recent events, server time). */
  readonly hello: () => unknown;
  /** Status pushes while clients are connected. */
  readonly intervalMs: number;
  readonly log: Logger;
}

/** A client that stopped reading this much is dropped rather than buffered without end. */
const MAX_BUFFERED = 4 * 1024 * 1024;

export function sseFrame(event: string, data: unknown, id?: number): string {
  // A data line may not contain a newline: JSON.stringify without indentation never does.
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class SseHub {
  readonly #o: SseHubOptions;
  readonly #clients = new Set<ServerResponse>();
  #timer: NodeJS.Timeout | undefined;
  #building = false;
  #again = false;
  #seq = 0;
  #closed = false;

  constructor(o: SseHubOptions) {
    this.#o = o;
  }

  get clients(): number {
    return this.#clients.size;
  }

  add(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Tell proxies (nginx) not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 1000\n\n${sseFrame('hello', this.#o.hello(), ++this.#seq)}`);
    this.#clients.add(res);
    const drop = (): void => {
      this.#clients.delete(res);
      if (this.#clients.size === 0) this.#stopTimer();
    };
    req.on('close', drop);
    res.on('error', drop);
    if (this.#timer === undefined && !this.#closed) {
      this.#timer = setInterval(() => this.pushStatus(), this.#o.intervalMs);
      this.#timer.unref();
    }
    this.pushStatus();
  }

  publish(event: string, data: unknown): void {
    if (this.#clients.size === 0) return;
    this.#broadcast(sseFrame(event, data, ++this.#seq));
  }

  /** Build and send the status now (or once more after the build in progress). */
  pushStatus(): void {
    if (this.#clients.size === 0 || this.#closed) return;
    if (this.#building) {
      this.#again = true;
      return;
    }
    this.#building = true;
    this.#o.status().then(
      (s) => this.#broadcast(sseFrame('status', s, ++this.#seq)),
      (e: unknown) => this.#o.log.warn(`admin events: status failed: ${e instanceof Error ? e.message : String(e)}`),
    ).finally(() => {
      this.#building = false;
      if (this.#again) {
        this.#again = false;
        this.pushStatus();
      }
    });
  }

  #broadcast(frame: string): void {
    for (const res of this.#clients) {
      if (res.writableLength > MAX_BUFFERED) {
        this.#clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  close(): void {
    this.#closed = true;
    this.#stopTimer();
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}
