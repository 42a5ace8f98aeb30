// The daemon's local control socket (a Unix stream socket, mode 0600): answers
// `halb ctl` requests. A stale socket file from a crashed daemon is replaced; one that
// a live daemon still answers on is refused, so two daemons never share a socket.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { SysError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import {
  decodeRequest, encodeMessage, type ControlRequest, type ControlResponse,
} from '../api/control-protocol.js';

export type ControlHandler = (req: ControlRequest) => Promise<ControlResponse>;

function inUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

export class ControlServer {
  readonly #server: Server;
  readonly #path: string;
  readonly #clients = new Set<Socket>();

  private constructor(server: Server, path: string) {
    this.#server = server;
    this.#path = path;
  }

  static async listen(path: string, handler: ControlHandler, log: Logger): Promise<ControlServer> {
    mkdirSync(dirname(path), { recursive: true });
    if (await inUse(path)) throw new SysError('bind', `control socket ${path} is in use by another running daemon`, 'EADDRINUSE');
    rmSync(path, { force: true });
    const server = createServer();
    const cs = new ControlServer(server, path);
    server.on('connection', (sock) => cs.#serve(sock, handler, log));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(new SysError('listen', `control socket ${path}: ${e.message}`, (e as NodeJS.ErrnoException).code, { cause: e })));
      server.listen(path, () => resolve());
    });
    chmodSync(path, 0o600);
    return cs;
  }

  #serve(sock: Socket, handler: ControlHandler, log: Logger): void {
    this.#clients.add(sock);
    sock.setEncoding('utf8');
    let buf = '';
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 1 << 20) {
        sock.destroy();
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const d = decodeRequest(line);
        if (!d.ok) {
          sock.write(encodeMessage({ id: d.id, ok: false, error: d.error }));
          continue;
        }
        handler(d.req).then(
          (res) => { if (!sock.destroyed) sock.write(encodeMessage(res)); },
          (err: unknown) => {
            log.error('control request failed', { cmd: d.req.cmd, err: err instanceof Error ? err.message : String(err) });
            if (!sock.destroyed) sock.write(encodeMessage({ id: d.req.id, ok: false, error: err instanceof Error ? err.message : String(err) }));
          },
        );
      }
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.#clients.delete(sock));
  }

  async close(): Promise<void> {
    for (const c of this.#clients) c.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    rmSync(this.#path, { force: true });
  }
}
