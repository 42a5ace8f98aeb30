// DNS_CHECK { } (keepalived's check_dns.c): a UDP query that must be answered without
// error. Retries default to 3 and the retry delay to delay_loop.
import type { Handler } from '../../parser.js';
import type { DnsType } from '../../model/lvs.js';
import { need } from '../lvs-values.js';
import { checkerBlock, requireConn, type CheckerContext } from './common.js';

const DNS_TYPES: readonly DnsType[] = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'];

/** keepalived's DNS_DEFAULT_TYPE, DNS_DEFAULT_NAME and DNS_DEFAULT_RETRY. */
export const DNS_DEFAULTS = { type: 'SOA' as DnsType, name: '.', retry: 3 };

/** A name with an empty label (`a..b`, `.x`) is refused, as keepalived does. */
function hasEmptyLabel(name: string): boolean {
  if (name.startsWith('.') && name !== '.') return true;
  return name.includes('..');
}

export function dnsCheck(ctx: CheckerContext): Handler {
  return (s, p) => checkerBlock(ctx, s, p, () => {
    let type = DNS_DEFAULTS.type;
    let name: string | undefined;
    return {
      connection: true,
      timers: true,
      defaultRetry: DNS_DEFAULTS.retry,
      defaultDelayBeforeRetryMs: 0,
      keywords: {
        type: (st, pp) => {
          const w = need(st, pp);
          if (w === undefined) return;
          const t = DNS_TYPES.find((x) => x === w.toUpperCase());
          if (t === undefined) pp.diag.error(st.pos, `Unknown DNS check type ${w} - ignoring`, 'type');
          else type = t;
        },
        name: (st, pp) => {
          if (name !== undefined) return pp.diag.error(st.pos, 'DNS_CHECK name already specified - ignoring', 'name');
          const w = need(st, pp);
          if (w === undefined) return;
          if (hasEmptyLabel(w)) return pp.diag.error(st.pos, `DNS_CHECK name '${w}' has empty label - ignoring`, 'name');
          name = w;
        },
      },
      build: (t, c) => ({ kind: 'DNS_CHECK', pos: s.pos, ...t, connect: requireConn(c), type, name: name ?? DNS_DEFAULTS.name }),
    };
  });
}
