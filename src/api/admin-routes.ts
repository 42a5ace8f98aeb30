// The admin API's routes. Reads go through the status view; writes are the run-time
// commands keepalived has no equivalent for (weight, drain, enable, release) and reload,
// answered as JSON with the status the backend's AdminCommandError carries. Service and
// real server are named as the dataplane names them: `TCP:127.0.0.1:8080`, `127.0.0.1:9001`.
// Writes need authority: without an admin token the HTTP API is read-only (any local
// process can reach a loopback port, and a TCP peer's user cannot be proven), and the
// writes go through the control socket, mode 0600 (`halb ctl`), instead.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminBackend } from './admin-types.js';
import { HttpError, readJsonBody, sendJson } from './http-util.js';

export interface RouteContext {
  readonly backend: AdminBackend;
  /** Who asked, for the backend's log and the override record (`api 127.0.0.1`). */
  readonly by: string;
  /** An admin token is configured (and this request carried it): writes are allowed. */
  readonly writable: boolean;
}

/** Why a write over HTTP is refused without a token; the dashboard shows it on its buttons. */
export const WRITES_NEED_TOKEN = 'the admin HTTP API is read-only without a token: use `halb ctl` (the control socket, root only), '
  + 'or start halb with --admin-token-file FILE and send Authorization: Bearer TOKEN';

type Command = (ctx: RouteContext, params: readonly string[], body: Record<string, unknown>) => Promise<unknown>;

const RS = '/api/v1/services/([^/]+)/real-servers/([^/]+)';

/** The write routes (for docs/api.md and the tests that walk every one of them). */
export const WRITE_ROUTES: readonly string[] = [
  '/api/v1/services/{service}/real-servers/{realServer}/weight',
  '/api/v1/services/{service}/real-servers/{realServer}/drain',
  '/api/v1/services/{service}/real-servers/{realServer}/enable',
  '/api/v1/vrrp/instances/{instance}/release',
  '/api/v1/reload',
];

/** POST routes: pattern over the decoded path segments, and what they do. */
const COMMANDS: ReadonlyArray<{ readonly re: RegExp; readonly run: Command }> = [
  {
    re: new RegExp(`^${RS}/weight$`),
    run: async (ctx, [svc = '', rs = ''], body) => {
      const w = body.weight;
      if (typeof w !== 'number') throw new HttpError(400, 'body must be {"weight": <integer>}');
      return { override: await ctx.backend.setWeight(svc, rs, w, ctx.by) };
    },
  },
  {
    re: new RegExp(`^${RS}/drain$`),
    run: async (ctx, [svc = '', rs = '']) => ({ override: await ctx.backend.drain(svc, rs, ctx.by) }),
  },
  {
    re: new RegExp(`^${RS}/enable$`),
    run: async (ctx, [svc = '', rs = '']) => {
      await ctx.backend.enable(svc, rs, ctx.by);
      return { enabled: { service: svc, realServer: rs } };
    },
  },
  {
    re: /^\/api\/v1\/vrrp\/instances\/([^/]+)\/release$/,
    run: async (ctx, [instance = '']) => {
      await ctx.backend.releaseMastership(instance, ctx.by);
      return { released: instance };
    },
  },
  {
    re: /^\/api\/v1\/reload$/,
    run: async (ctx) => ({ reload: await ctx.backend.reload(ctx.by) }),
  },
];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `bad percent-encoding in ${JSON.stringify(segment)}`);
  }
}

export function matchCommand(path: string): { run: Command; params: string[] } | undefined {
  for (const c of COMMANDS) {
    const m = c.re.exec(path);
    if (m !== null) return { run: c.run, params: m.slice(1).map(decode) };
  }
  return undefined;
}

/**
 * A browser page from elsewhere can send a "simple" cross-origin POST to loopback; it
 * cannot send application/json without a CORS preflight, which this server never
 * grants. An Origin header naming another host is refused outright.
 */
function checkWriteRequest(req: IncomingMessage): void {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (ct !== 'application/json') throw new HttpError(415, 'POST needs Content-Type: application/json');
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      throw new HttpError(403, 'bad Origin header');
    }
    if (host !== req.headers.host) throw new HttpError(403, `cross-origin request from ${origin} refused`);
  } else if (origin === 'null') {
    throw new HttpError(403, 'cross-origin request refused');
  }
}

export async function handleCommand(req: IncomingMessage, res: ServerResponse, path: string, ctx: RouteContext): Promise<boolean> {
  const cmd = matchCommand(path);
  if (cmd === undefined) return false;
  if (req.method !== 'POST') throw new HttpError(405, `${path} takes POST`, { allow: 'POST' });
  if (!ctx.writable) throw new HttpError(403, WRITES_NEED_TOKEN);
  checkWriteRequest(req);
  const body = await readJsonBody(req);
  sendJson(res, 200, await cmd.run(ctx, cmd.params, body));
  return true;
}
