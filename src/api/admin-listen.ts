// Where the admin API listens and who may call it. Loopback by default; any other
// address needs a bearer token, so the API (which can drain real servers and hand
// mastership away) is never open to the network by accident.
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';

/** Default `--admin-listen`: loopback, a port no common exporter or Prometheus itself uses. */
export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:9480';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** `ADDR:PORT`, `[V6]:PORT` or `off` (null). */
export function parseListen(spec: string): ListenAddress | null {
  if (spec === 'off') return null;
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(spec) ?? /^([^:]+):(\d+)$/.exec(spec);
  if (m === null) throw new UsageError(`--admin-listen ${JSON.stringify(spec)}: expected ADDR:PORT, [IPv6]:PORT or off`);
  const [, host = '', portText = ''] = m;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--admin-listen ${spec}: port must be 0..65535`);
  if (host !== 'localhost' && isIP(host) === 0) throw new UsageError(`--admin-listen ${spec}: ${host} is not an IP address`);
  return { host, port };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return /^::ffff:127\./i.test(host);
}

/** The token from `--admin-token-file`: its first line, trimmed; refuses an empty one. */
export function readTokenFile(file: string): { token: string; warning?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--admin-token-file ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const token = (text.split('\n')[0] ?? '').trim();
  if (token.length < 16) throw new UsageError(`--admin-token-file ${file}: the token must be at least 16 characters`);
  const mode = statSync(file).mode;
  return (mode & 0o077) !== 0
    ? { token, warning: `--admin-token-file ${file} is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it` }
    : { token };
}

/** Refuse a listen address the network can reach unless a token guards it. */
export function checkListenPolicy(addr: ListenAddress, token: string | undefined): void {
  if (!isLoopback(addr.host) && token === undefined) {
    throw new UsageError(`refusing to serve the admin API on ${addr.host}:${addr.port} without a token: ` +
      'give --admin-token-file FILE, or listen on loopback (127.0.0.1)');
  }
}

/** Constant-time check of `Authorization: Bearer <token>`. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (m === null) return false;
  // Hash both so the comparison does not leak the token's length.
  const a = createHash('sha256').update(m[1] ?? '').digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/**
 * Without a token the API trusts whoever reaches loopback. A web page in a local
 * browser reaches it too; DNS rebinding would let it read answers, so the Host header
 * must name an address (or localhost), never a DNS name an attacker controls.
 */
export function hostHeaderAllowed(host: string | undefined): boolean {
  if (host === undefined) return true;
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(host) ?? /^([^:]+)(?::\d+)?$/.exec(host);
  if (m === null) return false;
  const h = m[1] ?? '';
  return h === 'localhost' || isIP(h) !== 0;
}
