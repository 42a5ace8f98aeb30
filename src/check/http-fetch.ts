// One raw HTTP/1.x GET over TCP or TLS, bounded by an AbortSignal: write keepalived's
// request, read the head, stream the body into a BodyAccumulator until Content-Length is
// reached or the server closes. Shared by HTTP_GET/SSL_GET and `halb genhash`.
import type { ConnectOptions } from '../config/model/checkers.js';
import { BodyAccumulator } from './http-body.js';
import { parseResponseHead, type HeadResult } from './http-wire.js';
import { abortable, connectStream, type TlsOptions } from './net-util.js';

/** Bigger heads than this are a broken server, not a slow one. */
const MAX_HEAD = 64 * 1024;

export interface RawResponse {
  /** complete=false: the server closed before a full head arrived. */
  head: HeadResult;
  body: BodyAccumulator;
  /** Raw head bytes, for genhash -v. */
  headBytes: Buffer;
}

export interface FetchOptions {
  connect: ConnectOptions;
  tls?: TlsOptions;
  request: string;
  digest: boolean;
  keepForRegex: boolean;
  /** Receives each body chunk too (genhash -v). */
  onBody?: (chunk: Buffer) => void;
}

/** Rejects with the socket error or AbortedRun; a short or empty answer resolves with complete=false. */
export async function fetchRaw(o: FetchOptions, signal: AbortSignal): Promise<RawResponse> {
  const sock = await connectStream(o.connect, signal, o.tls);
  return abortable<RawResponse>(signal, (resolve, reject, onCleanup) => {
    onCleanup(() => sock.destroy());
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let head: HeadResult = { complete: false };
    let headBytes = Buffer.alloc(0);
    let body: BodyAccumulator | undefined;
    const finish = (): void => {
      resolve({ head, body: body ?? new BodyAccumulator({ digest: o.digest, keepForRegex: false, contentLength: 0 }), headBytes });
    };
    sock.on('data', (chunk: Buffer) => {
      if (body !== undefined) {
        body.push(chunk);
        o.onBody?.(chunk);
        if (body.complete) finish();
        return;
      }
      pending.push(chunk);
      pendingLen += chunk.length;
      const all = Buffer.concat(pending, pendingLen);
      head = parseResponseHead(all);
      if (!head.complete) {
        if (pendingLen > MAX_HEAD) reject(new Error(`response head larger than ${MAX_HEAD} bytes`));
        return;
      }
      headBytes = all.subarray(0, head.headLength);
      body = new BodyAccumulator({ digest: o.digest, keepForRegex: o.keepForRegex, contentLength: head.contentLength });
      pending = [];
      const rest = all.subarray(head.headLength);
      if (rest.length > 0) {
        body.push(rest);
        o.onBody?.(rest);
      }
      if (body.complete) finish();
    });
    sock.once('end', finish);
    sock.once('close', finish);
    // A read error fails the check even after the head, as keepalived's "Read error with".
    sock.once('error', reject);
    sock.write(o.request);
  });
}
