// TCP_CHECK { }: up when a TCP connection completes within connect_timeout
// (keepalived's check_tcp.c); only the shared keywords.
import type { Handler } from '../../parser.js';
import { checkerBlock, requireConn, type CheckerContext } from './common.js';

export function tcpCheck(ctx: CheckerContext): Handler {
  return (s, p) => checkerBlock(ctx, s, p, () => ({
    connection: true,
    timers: true,
    keywords: {},
    build: (t, c) => ({ kind: 'TCP_CHECK', pos: s.pos, ...t, connect: requireConn(c) }),
  }));
}
