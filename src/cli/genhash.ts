// `halb genhash`: keepalived's genhash (`keepalived --genhash`, check_genhash.c). Fetches a
// page exactly as HTTP_GET/SSL_GET would and prints the MD5 digest of its body as 32
// lower-case hex digits, the value a url's `digest` expects. With -v it also prints the
// response head and body the way genhash's verbose mode frames them.
import { isIP } from 'node:net';
import { Command, Option } from 'commander';
import { fetchRaw } from '../check/http-fetch.js';
import { buildGetRequest, type HttpProtocol } from '../check/http-wire.js';
import { AbortedRun } from '../check/net-util.js';
import { UsageError } from '../core/errors.js';

interface GenhashOptions {
  server: string;
  port: string;
  url: string;
  useSsl?: boolean;
  useSni?: boolean;
  useVirtualhost?: string;
  protocol: string;
  timeout?: string;
  verbose?: boolean;
}

const DELIM = (title: string): string => `-----------------------[${title}]-----------------------\n`;

function protocolOf(p: string): HttpProtocol {
  if (p === '1.0') return '1.0';
  if (p === '1.0c' || p === '1.0C') return '1.0C';
  if (p === '1.1') return '1.1';
  throw new UsageError(`invalid HTTP protocol version '${p}'`);
}

/** Resolves with the exit status (0 digest printed, 1 failure). */
export async function runGenhash(o: GenhashOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const family = isIP(o.server);
  if (family === 0) throw new UsageError(`server should be an IP, not ${o.server}`);
  const port = Number(o.port);
  if (!/^\d+$/.test(o.port) || port <= 0 || port > 65535) throw new UsageError(`invalid port number '${o.port}'`);
  let timeoutMs: number | undefined;
  if (o.timeout !== undefined) {
    if (!/^\s*\d+$/.test(o.timeout)) throw new UsageError(`invalid timeout '${o.timeout}'`);
    timeoutMs = Number(o.timeout) * 1000;
  }
  const protocol = protocolOf(o.protocol);
  const request = buildGetRequest({ path: o.url, protocol, addr: o.server, port, ...(o.useVirtualhost !== undefined ? { virtualhost: o.useVirtualhost } : {}) });
  const signal = timeoutMs !== undefined ? AbortSignal.timeout(timeoutMs) : new AbortController().signal;
  const sni = o.useSni === true && o.useVirtualhost !== undefined && isIP(o.useVirtualhost) === 0 ? { servername: o.useVirtualhost } : {};
  try {
    const res = await fetchRaw({
      connect: { addr: o.server, family: family as 4 | 6, port, timeoutMs: timeoutMs ?? 0 },
      ...(o.useSsl === true ? { tls: sni } : {}),
      request,
      digest: true,
      keepForRegex: false,
      ...(o.verbose === true ? { onBody: (c: Buffer) => out.write(c.toString('latin1')) } : {}),
    }, signal);
    if (!res.head.complete) {
      err.write('no data received from remote webserver\n');
      return 1;
    }
    const digest = res.body.digestHex() ?? '';
    if (o.verbose === true) {
      out.write(`\n${DELIM(' HTTP Header Ascii Buffer ')}${res.headBytes.toString('latin1')}\n`);
      out.write(`${DELIM(' HTML hash final resulting ')}`);
      out.write(`MD5SUM = ${digest}\n`);
    } else {
      out.write(`${digest}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof AbortedRun) err.write(`Timeout connecting ${o.server}:${port}\n`);
    else err.write(`Error connecting ${o.server}:${port}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

export function genhashCommand(): Command {
  return new Command('genhash')
    .description("print the MD5 digest of a page for HTTP_GET/SSL_GET `digest` (keepalived's genhash)")
    .requiredOption('-s, --server <ADDR>', 'server IP address')
    .requiredOption('-p, --port <PORT>', 'server port')
    .requiredOption('-u, --url <PATH>', 'url path to fetch')
    .option('-S, --use-ssl', 'use an SSL/TLS connection')
    .option('-I, --use-sni', 'send SNI in the TLS handshake (the -V virtualhost)')
    .option('-V, --use-virtualhost <HOST>', 'Host header to send')
    .addOption(new Option('-P, --protocol <VERSION>', "HTTP protocol: '1.0', '1.0c' (1.0 with Connection: close) or '1.1'").default('1.0'))
    .option('-t, --timeout <SECONDS>', 'give up after this many seconds')
    .option('-v, --verbose', 'also print the response head and body')
    .action(async (o: GenhashOptions) => {
      try {
        process.exitCode = await runGenhash(o);
      } catch (e) {
        if (e instanceof UsageError) {
          process.stderr.write(`${e.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw e;
      }
    });
}
