// HTTP_GET { } and SSL_GET { } (keepalived's check_http.c / check_ssl.c): one or more
// url blocks, all of which must pass. sni_name and tls_compliant come from keepalived
// 2.3+; 2.2.7 rejects them, so we accept them with a warning.
import type { Handler } from '../../parser.js';
import type { HttpUrl } from '../../model/lvs.js';
import { LIMITS, readFlag, readUnsigned } from '../lvs-values.js';
import { checkerBlock, requireConn, type CheckerContext } from './common.js';
import { urlBlock } from './http-url.js';

export function httpGetCheck(ctx: CheckerContext, kind: 'HTTP_GET' | 'SSL_GET'): Handler {
  return (s, p) => checkerBlock(ctx, s, p, (parts) => {
    const urls: HttpUrl[] = [];
    let httpProtocol: '1.0' | '1.0C' | '1.1' = '1.0';
    let virtualhost: string | undefined;
    let fastRecovery = false;
    let enableSni = false;
    let sniName: string | undefined;
    let tlsCompliant = false;
    const newer = (kw: string): string => `'${kw}' is not known to keepalived 2.2.7 (added in 2.3)`;
    return {
      connection: true,
      timers: true,
      defaultDelayBeforeRetryMs: 3000,
      keywords: {
        nb_get_retry: (st, pp) => {
          pp.diag.error(st.pos, "nb_get_retry is deprecated - please use 'retry'", st.words[0]);
          const v = readUnsigned(st, pp, 1, 0, LIMITS.UINT_MAX);
          if (v === undefined) {
            if (st.words[1] !== undefined) pp.diag.error(st.pos, `Invalid nb_get_retry value '${st.words[1]}'`, st.words[0]);
          } else {
            parts.timing.retry = v;
          }
        },
        virtualhost: (st, pp) => {
          if (st.words[1] === undefined) pp.diag.error(st.pos, 'HTTP_GET virtualhost name missing', st.words[0]);
          else virtualhost = st.words[1];
        },
        http_protocol: (st, pp) => {
          const w = st.words[1];
          if (w === undefined) return pp.diag.error(st.pos, 'Missing http_protocol version', st.words[0]);
          if (w === '1.0' || w === '1.1') httpProtocol = w;
          else if (w === '1.0C' || w === '1.0c') httpProtocol = '1.0C';
          else pp.diag.error(st.pos, `Invalid http_protocol version ${w}`, st.words[0]);
        },
        enable_sni: (st, pp) => {
          const v = readFlag(st, pp, (w) => `Invalid enable_sni parameter ${w}`);
          if (v !== undefined) enableSni = v;
        },
        fast_recovery: (st, pp) => {
          const v = readFlag(st, pp, (w) => `Invalid fast_recovery parameter ${w}`);
          if (v !== undefined) fastRecovery = v;
        },
        sni_name: (st, pp) => {
          pp.diag.warn(st.pos, newer('sni_name'), st.words[0]);
          if (st.words[1] === undefined) pp.diag.error(st.pos, 'sni_name: missing name', st.words[0]);
          else sniName = st.words[1];
        },
        tls_compliant: (st, pp) => {
          pp.diag.warn(st.pos, newer('tls_compliant'), st.words[0]);
          const v = readFlag(st, pp, (w) => `Invalid tls_compliant parameter ${w}`);
          if (v !== undefined) tlsCompliant = v;
        },
        url: (st, pp) => urlBlock(st, pp, urls),
      },
      finish: (at) => {
        let keep = true;
        if (urls.length === 0) {
          p.diag.error(at, 'HTTP/SSL_GET checker has no urls specified - ignoring');
          keep = false;
        }
        // keepalived checks the connection even after dropping the checker.
        return parts.checkConn(at) && keep;
      },
      build: (t, c) => ({
        kind,
        pos: s.pos,
        ...t,
        connect: requireConn(c),
        httpProtocol,
        // The Host header: the checker's, else the real server's, else the virtual server's.
        ...withVirtualhost(virtualhost ?? ctx.rs.virtualhost ?? ctx.vs.virtualhost),
        fastRecovery,
        enableSni,
        ...(sniName !== undefined ? { sniName } : {}),
        tlsCompliant,
        urls,
      }),
    };
  });
}

function withVirtualhost(v: string | undefined): { virtualhost?: string } {
  return v !== undefined ? { virtualhost: v } : {};
}
