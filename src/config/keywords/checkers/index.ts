// The checker keywords a real_server accepts (keepalived's install_checkers_keyword),
// one file per checker.
import type { KeywordTable } from '../../parser.js';
import type { CheckerContext } from './common.js';
import { bfdCheck } from './bfd.js';
import { dnsCheck } from './dns.js';
import { fileCheck } from './file.js';
import { httpGetCheck } from './http-get.js';
import { miscCheck } from './misc.js';
import { pingCheck } from './ping.js';
import { smtpCheck } from './smtp.js';
import { tcpCheck } from './tcp.js';
import { udpCheck } from './udp.js';

export type { CheckerContext } from './common.js';

export function checkerKeywords(ctx: CheckerContext): KeywordTable {
  return {
    TCP_CHECK: tcpCheck(ctx),
    HTTP_GET: httpGetCheck(ctx, 'HTTP_GET'),
    SSL_GET: httpGetCheck(ctx, 'SSL_GET'),
    SMTP_CHECK: smtpCheck(ctx),
    DNS_CHECK: dnsCheck(ctx),
    MISC_CHECK: miscCheck(ctx),
    UDP_CHECK: udpCheck(ctx),
    PING_CHECK: pingCheck(ctx),
    FILE_CHECK: fileCheck(ctx),
    BFD_CHECK: bfdCheck(ctx),
  };
}
