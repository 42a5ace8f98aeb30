// UDP_CHECK { } (keepalived's check_udp.c): sends a payload and fails on an ICMP
// unreachable, or on a reply that does not match require_reply.
import type { Stmt } from '../../lexer.js';
import type { Handler } from '../../parser.js';
import { readUnsigned } from '../lvs-values.js';
import { checkerBlock, requireConn, type CheckerContext } from './common.js';

/**
 * read_hex_str(): hex digits, spaces allowed between bytes, a lone digit is one byte;
 * with wildcards `x`/`X` nibbles match anything. Undefined when invalid or empty.
 */
export function readHex(text: string, wildcards: boolean): { data: string; mask?: string } | undefined {
  let data = '';
  let mask = '';
  let i = 0;
  const nibble = (c: string | undefined): { v: string; m: string } | undefined => {
    if (c === undefined) return undefined;
    if (/[0-9a-fA-F]/.test(c)) return { v: c.toLowerCase(), m: '0' };
    if (wildcards && (c === 'x' || c === 'X')) return { v: '0', m: 'f' };
    return undefined;
  };
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (i >= text.length) break;
    const hi = nibble(text[i++]);
    if (hi === undefined) return undefined;
    if (i < text.length && text[i] !== ' ') {
      const lo = nibble(text[i++]);
      if (lo === undefined) return undefined;
      data += hi.v + lo.v;
      mask += hi.m + lo.m;
    } else {
      data += '0' + hi.v;
      mask += '0' + hi.m;
    }
  }
  if (data === '') return undefined;
  return /[^0]/.test(mask) ? { data, mask } : { data };
}

export function udpCheck(ctx: CheckerContext): Handler {
  return (s, p) => checkerBlock(ctx, s, p, (parts) => {
    let payload: string | undefined;
    let requireReply = false;
    let reply: { data: string; mask?: string } | undefined;
    let minReplyLength = 0;
    let maxReplyLength = 255;
    const length = (st: Stmt, which: 'min' | 'max'): number | undefined => {
      const v = readUnsigned(st, p, 1, 0, 65535);
      if (v === undefined && st.words[1] !== undefined) {
        p.diag.error(st.pos, `UDP_CHECK ${which} length ${st.words[1]} not valid - must be between 0 & 65535`, st.words[0]);
      }
      return v;
    };
    return {
      connection: true,
      timers: true,
      keywords: {
        payload: (st, pp) => {
          if (st.words.length === 1) return pp.diag.error(st.pos, 'UDP_CHECK payload requires a payload', 'payload');
          const hex = readHex(st.words.slice(1).join(' '), false);
          if (hex === undefined) return pp.diag.error(st.pos, 'Invalid hex string for UDP_CHECK payload', 'payload');
          payload = hex.data;
        },
        require_reply: (st, pp) => {
          requireReply = true;
          if (st.words.length === 1) return;
          reply = readHex(st.words.slice(1).join(' '), true);
          if (reply === undefined) pp.diag.error(st.pos, 'Invalid hex string for UDP_CHECK reply', 'require_reply');
        },
        min_reply_length: (st) => {
          minReplyLength = length(st, 'min') ?? minReplyLength;
        },
        max_reply_length: (st) => {
          maxReplyLength = length(st, 'max') ?? maxReplyLength;
        },
      },
      finish: (at) => {
        if (!parts.checkConn(at)) return false;
        if (minReplyLength > maxReplyLength) {
          p.diag.error(at, `UDP_CHECK min_reply length ${minReplyLength} > max_reply_length ${maxReplyLength} - will always fail`);
        }
        return true;
      },
      build: (t, c) => ({
        kind: 'UDP_CHECK',
        pos: s.pos,
        ...t,
        connect: requireConn(c),
        ...(payload !== undefined ? { payload } : {}),
        requireReply,
        ...(reply !== undefined ? { replyData: reply.data } : {}),
        ...(reply?.mask !== undefined ? { replyMask: reply.mask } : {}),
        minReplyLength,
        maxReplyLength,
      }),
    };
  });
}
