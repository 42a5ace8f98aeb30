// Small helpers for the admin server's node:http handlers: JSON answers, JSON errors
// with the status a command failure carries, and bounded request bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HalbError } from '../core/errors.js';
import { AdminCommandError } from './admin-types.js';

/** Bodies are tiny JSON objects ({"weight": 5}); anything larger is refused. */
export const MAX_BODY_BYTES = 16 * 1024;

export class HttpError extends Error {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** The HTTP status for an error a handler threw. */
export function errorStatus(e: unknown): number {
  if (e instanceof HttpError || e instanceof AdminCommandError) return e.status;
  // A HalbError is a refusal the daemon explains (e.g. VRRP not running with -C).
  if (e instanceof HalbError) return 409;
  return 500;
}

export function sendError(res: ServerResponse, e: unknown): void {
  const status = errorStatus(e);
  const message = e instanceof Error ? e.message : String(e);
  sendJson(res, status, { error: { status, message } }, e instanceof HttpError ? e.headers : {});
}

export function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        // Answer now and let the rest of the body drain: destroying the socket would lose the answer.
        tooLarge = true;
        reject(new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`, { connection: 'close' }));
        return;
      }
      chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (tooLarge) return;
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') {
        resolve({});
        return;
      }
      try {
        const v: unknown = JSON.parse(text);
        if (typeof v !== 'object' || v === null || Array.isArray(v)) reject(new HttpError(400, 'the request body must be a JSON object'));
        else resolve(v as Record<string, unknown>);
      } catch {
        reject(new HttpError(400, 'the request body is not JSON'));
      }
    });
  });
}
