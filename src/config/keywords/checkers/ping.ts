// PING_CHECK { }: ICMP / ICMPv6 echo to the real server (keepalived's check_ping.c);
// only the shared keywords.
import type { Handler } from '../../parser.js';
import { checkerBlock, requireConn, type CheckerContext } from './common.js';

export function pingCheck(ctx: CheckerContext): Handler {
  return (s, p) => checkerBlock(ctx, s, p, () => ({
    connection: true,
    timers: true,
    keywords: {},
    build: (t, c) => ({ kind: 'PING_CHECK', pos: s.pos, ...t, connect: requireConn(c) }),
  }));
}
