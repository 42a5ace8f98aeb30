// The admin HTTP server (node:http): the status API, the run-time commands, Prometheus
// metrics, the live dashboard and its event stream. It sees the daemon only through
// AdminBackend. Loopback by default; another address needs a bearer token, and once a
// token is set every data route needs it, on loopback too. Without a token the API is
// read-only: every write answers 403 naming `halb ctl` and --admin-token-file. The
// dashboard's static files carry no data and are served to anyone, so a browser can
// load the page and then ask for the token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/log.js';
import type { AdminBackend, AdminEvent } from './admin-types.js';
import { bearerMatches, checkListenPolicy, hostHeaderAllowed, type ListenAddress } from './admin-listen.js';
import { handleCommand, WRITES_NEED_TOKEN } from './admin-routes.js';
import { DASHBOARD_CSS, DASHBOARD_HTML } from './dashboard-page.js';
import { DASHBOARD_JS } from './dashboard-script.js';
import { errorStatus, HttpError, sendError, sendJson } from './http-util.js';
import { createMetrics, type Metrics } from './metrics.js';
import { SseHub } from './sse.js';
import { statusView, type StatusView, type TransitionEvent } from './status-view.js';

export interface AdminServerOptions {
  readonly backend: AdminBackend;
  readonly listen: ListenAddress;
  /** Bearer token; required for a non-loopback address. */
  readonly token?: string;
  readonly log: Logger;
  /** Status pushes on the event stream while a dashboard is open (default 1000 ms). */
  readonly statusIntervalMs?: number;
  /** Wall clock for the hello frame. */
  readonly wallNow?: () => number;
  /** /metrics labels VRRP series `instance` as before (`--metrics-legacy-instance-label`). */
  readonly legacyInstanceLabel?: boolean;
}

const RECENT_EVENTS = 200;

const STATIC: Readonly<Record<string, { type: string; body: string }>> = {
  '/': { type: 'text/html; charset=utf-8', body: DASHBOARD_HTML },
  '/dashboard.js': { type: 'text/javascript; charset=utf-8', body: DASHBOARD_JS },
  '/dashboard.css': { type: 'text/css; charset=utf-8', body: DASHBOARD_CSS },
};

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export class AdminServer {
  readonly #o: AdminServerOptions;
  readonly #server: Server;
  readonly #events: AdminEvent[] = [];
  readonly #transitions: TransitionEvent[] = [];
  readonly #sse: SseHub;
  readonly #metrics: Metrics;
  readonly #unsubscribe: () => void;

  private constructor(o: AdminServerOptions) {
    this.#o = o;
    this.#metrics = createMetrics(() => o.backend.status(), { legacyInstanceLabel: o.legacyInstanceLabel === true });
    this.#sse = new SseHub({
      status: () => this.view(),
      hello: () => ({ serverTime: (o.wallNow ?? Date.now)(), events: this.#events }),
      intervalMs: o.statusIntervalMs ?? 1000,
      log: o.log,
    });
    this.#unsubscribe = o.backend.onEvent((ev) => this.#onEvent(ev));
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (errorStatus(e) >= 500) {
          o.log.error(`admin API ${req.method ?? '?'} ${req.url ?? ''}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        }
        sendError(res, e);
      });
    });
    // A dashboard's event stream stays open: no request timeout on this server.
    this.#server.requestTimeout = 0;
    this.#server.headersTimeout = 10_000;
  }

  /** Check the listen policy, bind, and serve. Throws (UsageError) on a network address without a token. */
  static async start(o: AdminServerOptions): Promise<AdminServer> {
    checkListenPolicy(o.listen, o.token);
    const s = new AdminServer(o);
    await new Promise<void>((resolve, reject) => {
      s.#server.once('error', reject);
      s.#server.listen(o.listen.port, o.listen.host, () => {
        s.#server.off('error', reject);
        resolve();
      });
    });
    s.#server.on('error', (e) => o.log.error(`admin API: ${e.message}`));
    const a = s.address;
    o.log.info(`Admin API on http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/ (${o.token !== undefined ? 'bearer token required' : 'no token: loopback only, read-only'})`);
    return s;
  }

  get address(): ListenAddress {
    const a = this.#server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** The status view the API, the dashboard and the dumps share. */
  async view(): Promise<StatusView> {
    return statusView(await this.#o.backend.status(), this.#transitions);
  }

  #onEvent(ev: AdminEvent): void {
    this.#events.push(ev);
    if (this.#events.length > RECENT_EVENTS) this.#events.shift();
    if (ev.kind === 'vrrp-transition') {
      this.#transitions.push(ev);
      if (this.#transitions.length > RECENT_EVENTS) this.#transitions.shift();
    }
    this.#sse.publish('admin', ev);
    this.#sse.pushStatus();
  }

  #authorise(req: IncomingMessage): void {
    if (this.#o.token !== undefined) {
      if (!bearerMatches(req.headers.authorization, this.#o.token)) {
        throw new HttpError(401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer realm="halb"' });
      }
      return;
    }
    if (!hostHeaderAllowed(req.headers.host)) throw new HttpError(403, `Host ${req.headers.host ?? ''} refused: use an IP address or localhost`);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const path = url.pathname;
    const file = STATIC[path];
    if (file !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : file.body);
      return;
    }
    this.#authorise(req);
    const by = `api ${req.socket.remoteAddress ?? '?'}`;
    const writable = this.#o.token !== undefined;
    if (await handleCommand(req, res, path, { backend: this.#o.backend, by, writable })) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${path} takes GET`, { allow: 'GET, HEAD' });
    switch (path) {
      case '/api/v1/status':
        sendJson(res, 200, await this.view());
        return;
      case '/api/v1/access':
        sendJson(res, 200, writable ? { writes: true } : { writes: false, reason: WRITES_NEED_TOKEN });
        return;
      case '/api/v1/snapshot':
        sendJson(res, 200, await this.#o.backend.status());
        return;
      case '/api/v1/events':
        this.#sse.add(req, res);
        return;
      case '/metrics': {
        const text = await this.#metrics.render();
        res.writeHead(200, { 'content-type': this.#metrics.contentType, 'cache-control': 'no-store' });
        res.end(text);
        return;
      }
      default:
        throw new HttpError(404, `no route ${path}`);
    }
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    this.#sse.close();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
