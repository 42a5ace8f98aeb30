// The HTTP bytes HTTP_GET/SSL_GET write and read, as pure functions: the request exactly
// as keepalived's check_http.c request_template builds it, and the response head as its
// extract_html()/extract_status_code()/extract_content_length() read it. The body is
// taken raw (no chunked decoding), as keepalived hashes it, so digests from
// `keepalived --genhash` and `halb genhash` agree.

export type HttpProtocol = '1.0' | '1.0C' | '1.1';

export interface RequestSpec {
  path: string;
  protocol: HttpProtocol;
  /** Host header value when a virtualhost applies (sent without a port). */
  virtualhost?: string;
  /** Destination, used for the Host header when there is no virtualhost. */
  addr: string;
  port: number;
}

/** `GET path HTTP/1.x`, User-Agent, `Connection: close` for 1.0C and 1.1, Host. */
export function buildGetRequest(r: RequestSpec): string {
  const minor = r.protocol === '1.1' ? 1 : 0;
  const conn = r.protocol === '1.0' ? '' : 'Connection: close\r\n';
  // RFC 2732: a literal IPv6 address in a Host header is bracketed.
  const host = r.virtualhost ?? `${r.addr.includes(':') ? `[${r.addr}]` : r.addr}:${r.port}`;
  return `GET ${r.path} HTTP/1.${minor}\r\nUser-Agent: KeepAliveClient\r\n${conn}Host: ${host}\r\n\r\n`;
}

export type HeadResult =
  | { readonly complete: false }
  | {
    readonly complete: true;
    /** Bytes up to and including the blank line. */
    readonly headLength: number;
    /** 0 when the status line has no readable code. */
    readonly statusCode: number;
    /** undefined when there is no (valid) Content-Length. */
    readonly contentLength: number | undefined;
  };

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');

/** Parse the response head from the bytes received so far. Never throws. */
export function parseResponseHead(buf: Buffer): HeadResult {
  const a = buf.indexOf(CRLFCRLF);
  const b = buf.indexOf(LFLF);
  let end: number;
  if (a >= 0 && (b < 0 || a < b)) end = a + 4;
  else if (b >= 0) end = b + 2;
  else return { complete: false };
  const head = buf.subarray(0, end).toString('latin1');
  const lines = head.split(/\r?\n/);
  const status = /^HTTP\/\d+(?:\.\d+)?\s+(\d{3})(?:\s|$)/i.exec(lines[0] ?? '');
  let contentLength: number | undefined;
  for (const line of lines.slice(1)) {
    const m = /^content-length\s*:\s*(\d+)\s*$/i.exec(line);
    if (m?.[1] !== undefined) {
      const n = Number(m[1]);
      if (Number.isSafeInteger(n)) contentLength = n;
    }
  }
  return { complete: true, headLength: end, statusCode: status?.[1] !== undefined ? Number(status[1]) : 0, contentLength };
}

/** An inclusive range check over the url's merged status_code ranges. */
export function statusAccepted(code: number, ranges: ReadonlyArray<{ min: number; max: number }>): boolean {
  return ranges.some((r) => code >= r.min && code <= r.max);
}
