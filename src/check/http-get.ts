// HTTP_GET and SSL_GET (keepalived check_http.c / check_ssl.c): every url must answer
// with an accepted status code, the configured MD5 digest and regex verdict. Each url has
// connect_timeout as its total budget (connect + TLS + request + whole body), so a
// server that trickles its body cannot hold a check open.
import { isIP } from 'node:net';
import type { HttpCheck, HttpUrl } from '../config/model/checkers.js';
import { errorText, failed, passed, reasonFromError, sameConfig, targetLabel, type CheckOutcome, type Checker, type CheckerSnapshot } from './checker.js';
import { compileRegex, regexMatches, type CompiledRegex } from './http-body.js';
import { fetchRaw } from './http-fetch.js';
import { buildGetRequest, statusAccepted } from './http-wire.js';
import { AbortedRun, abortReason, since, type TlsOptions } from './net-util.js';

export interface HttpCheckerOptions {
  /** The real server's (or virtual server's) virtualhost, used when neither url nor checker sets one. */
  rsVirtualhost?: string;
  /** Client TLS material from the top-level SSL block (files already read). */
  tls?: Omit<TlsOptions, 'servername'>;
}

export class HttpGetChecker implements Checker {
  readonly kind: 'HTTP_GET' | 'SSL_GET';
  readonly target: string;
  readonly budgetMs: number;
  readonly #cfg: HttpCheck;
  readonly #opts: HttpCheckerOptions;
  readonly #regex: Map<HttpUrl, CompiledRegex>;

  constructor(cfg: HttpCheck, opts: HttpCheckerOptions = {}) {
    this.kind = cfg.kind;
    this.#cfg = cfg;
    this.#opts = opts;
    this.target = targetLabel(cfg.connect.addr, 'tcp', cfg.connect.port);
    this.budgetMs = cfg.connect.timeoutMs * Math.max(1, cfg.urls.length);
    this.#regex = new Map();
    for (const u of cfg.urls) if (u.regex !== undefined) this.#regex.set(u, compileRegex(u.regex));
  }

  /** Regex options PCRE2 has and JavaScript lacks, for a startup warning. */
  regexWarnings(): string[] {
    const out: string[] = [];
    for (const [u, c] of this.#regex) {
      if (!c.ok) out.push(`url ${u.path}: regex does not compile: ${c.error}`);
      else if (c.ignored.length > 0) out.push(`url ${u.path}: regex options without a JavaScript equivalent ignored: ${c.ignored.join(' ')}`);
    }
    return out;
  }

  async run(signal: AbortSignal): Promise<CheckOutcome> {
    const t0 = performance.now();
    for (const url of this.#cfg.urls) {
      const r = await this.#checkUrl(url, signal);
      if (!r.ok) return { ...r, latencyMs: since(t0) };
    }
    return passed(`${this.#cfg.urls.length} url(s) ok`, since(t0));
  }

  async #checkUrl(url: HttpUrl, outer: AbortSignal): Promise<CheckOutcome> {
    const t0 = performance.now();
    const vhost = url.virtualhost ?? this.#cfg.virtualhost ?? this.#opts.rsVirtualhost;
    const co = this.#cfg.connect;
    const signal = AbortSignal.any([outer, AbortSignal.timeout(co.timeoutMs)]);
    const regex = this.#regex.get(url);
    try {
      const res = await fetchRaw({
        connect: co,
        ...(this.kind === 'SSL_GET' ? { tls: { ...this.#opts.tls, ...this.#sni(vhost) } } : {}),
        request: buildGetRequest({ path: url.path, protocol: this.#cfg.httpProtocol, addr: co.addr, port: co.port, ...(vhost !== undefined ? { virtualhost: vhost } : {}) }),
        digest: url.digest !== undefined,
        keepForRegex: regex !== undefined,
      }, signal);
      const lat = since(t0);
      if (!res.head.complete) return failed('no-data', `url ${url.path}: no data received`, lat);
      const code = res.head.statusCode;
      if (!statusAccepted(code, url.statusCodes)) return failed('bad-status', `url ${url.path}: HTTP status code ${code}`, lat);
      if (url.digest !== undefined) {
        const got = res.body.digestHex();
        if (got !== url.digest) return failed('digest-mismatch', `url ${url.path}: MD5 digest ${got ?? '-'} != ${url.digest}`, lat);
      }
      if (url.regex !== undefined && regex !== undefined) {
        if (!regex.ok) return failed('regex-mismatch', `url ${url.path}: regex does not compile: ${regex.error}`, lat);
        const matched = regexMatches(res.body.body(), url.regex, regex);
        if (matched === url.regex.noMatch) return failed('regex-mismatch', `url ${url.path}: regex ${url.regex.noMatch ? 'matched (regex_no_match)' : 'did not match'}`, lat);
      }
      return passed(`url ${url.path}: status ${code}`, lat);
    } catch (e) {
      const lat = since(t0);
      if (e instanceof AbortedRun) {
        const why = abortReason(signal);
        return failed(why, `url ${url.path}: ${why === 'timeout' ? `no complete answer within ${co.timeoutMs} ms` : 'check stopped'}`, lat);
      }
      return failed(reasonFromError(e), `url ${url.path}: ${errorText(e)}`, lat);
    }
  }

  #sni(vhost: string | undefined): Pick<TlsOptions, 'servername'> {
    if (!this.#cfg.enableSni) return {};
    const name = this.#cfg.sniName ?? vhost;
    // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in "HostName"."
    if (name === undefined || isIP(name) !== 0) return {};
    return { servername: name };
  }

  sameAs(other: Checker): boolean {
    return other instanceof HttpGetChecker && sameConfig(this.#settings(), other.#settings());
  }

  snapshot(): CheckerSnapshot {
    return { kind: this.kind, target: this.target, config: this.#settings() };
  }

  #settings(): Record<string, unknown> {
    const c = this.#cfg;
    return {
      kind: c.kind,
      connect: c.connect,
      httpProtocol: c.httpProtocol,
      virtualhost: c.virtualhost ?? this.#opts.rsVirtualhost,
      enableSni: c.enableSni,
      sniName: c.sniName,
      urls: c.urls.map((u) => ({ path: u.path, digest: u.digest, statusCodes: u.statusCodes, virtualhost: u.virtualhost, regex: u.regex })),
    };
  }
}
