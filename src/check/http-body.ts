// What HTTP_GET/SSL_GET judge in a response body: the MD5 digest (over at most
// Content-Length bytes, as keepalived's http_process_response() feeds EVP_DigestUpdate)
// and the url's regex with its offsets and regex_no_match. Pure: bytes in, verdict out.
import { createHash, type Hash } from 'node:crypto';
import type { HttpRegex } from '../config/model/checkers.js';

/** How much body a regex looks at; keepalived streams PCRE2 partial matches instead. */
export const REGEX_BODY_LIMIT = 1 << 20;

/** PCRE2 options with a JavaScript equivalent; the rest are reported by compileRegex. */
const FLAG_OF: Readonly<Record<string, string>> = { caseless: 'i', multiline: 'm', dotall: 's', utf: 'u', ucp: 'u' };
/** Options that only tune PCRE2's engine and do not change what matches. */
const NEUTRAL = new Set(['no_auto_possess', 'no_start_optimize', 'no_dotstar_anchor', 'never_backslash_c', 'never_ucp', 'never_utf', 'auto_callout', 'no_auto_capture', 'dupnames', 'allow_empty_class', 'use_offset_limit', 'alt_verbnames', 'alt_bsux', 'alt_circumflex', 'match_unset_backref', 'firstline', 'dollar_endonly']);

export type CompiledRegex =
  | { readonly ok: true; readonly re: RegExp; readonly utf: boolean; readonly ignored: readonly string[] }
  | { readonly ok: false; readonly error: string };

export function compileRegex(r: HttpRegex): CompiledRegex {
  let flags = 'g';
  const ignored: string[] = [];
  for (const o of r.options) {
    const f = FLAG_OF[o];
    if (f !== undefined) {
      if (!flags.includes(f)) flags += f;
    } else if (!NEUTRAL.has(o)) {
      ignored.push(o); // extended, ungreedy: no JavaScript equivalent
    }
  }
  try {
    return { ok: true, re: new RegExp(r.pattern, flags), utf: flags.includes('u'), ignored };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Does the body contain a match starting in [minOffset, maxOffset]? */
export function regexMatches(body: Buffer, r: HttpRegex, compiled: { re: RegExp; utf: boolean }): boolean {
  const text = body.toString(compiled.utf ? 'utf8' : 'latin1');
  const re = new RegExp(compiled.re.source, compiled.re.flags);
  re.lastIndex = r.minOffset;
  const m = re.exec(text);
  if (m === null) return false;
  return r.maxOffset === undefined || m.index <= r.maxOffset;
}

/** Streams a body: hashes what Content-Length allows and keeps what a regex needs. */
export class BodyAccumulator {
  readonly #hash: Hash | undefined;
  readonly #keep: boolean;
  readonly #limit: number | undefined;
  #received = 0;
  #chunks: Buffer[] = [];
  #kept = 0;

  constructor(opts: { digest: boolean; keepForRegex: boolean; contentLength: number | undefined }) {
    this.#hash = opts.digest ? createHash('md5') : undefined;
    this.#keep = opts.keepForRegex;
    this.#limit = opts.contentLength;
  }

  push(chunk: Buffer): void {
    const room = this.#limit === undefined ? chunk.length : Math.max(0, this.#limit - this.#received);
    const part = room >= chunk.length ? chunk : chunk.subarray(0, room);
    this.#received += chunk.length;
    if (part.length === 0) return;
    this.#hash?.update(part);
    if (this.#keep && this.#kept < REGEX_BODY_LIMIT) {
      const k = part.subarray(0, REGEX_BODY_LIMIT - this.#kept);
      this.#chunks.push(k);
      this.#kept += k.length;
    }
  }

  /** Body bytes seen (including any past Content-Length). */
  get received(): number {
    return this.#received;
  }

  /** True once Content-Length bytes have arrived (never without a Content-Length). */
  get complete(): boolean {
    return this.#limit !== undefined && this.#received >= this.#limit;
  }

  digestHex(): string | undefined {
    return this.#hash?.digest('hex');
  }

  body(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}
