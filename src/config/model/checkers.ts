// Health checkers of a real server (keepalived's check/check_*.c keyword sets), with
// effective values: what a checker leaves unset comes from its real server, which took
// it from its virtual server, and keepalived's per-checker defaults fill the rest.
import type { SourcePos } from '../diagnostics.js';
import type { ScriptSpec } from '../readers.js';
import type { Family as IpFamily } from '../readers.js';

/** The retry/timer state machine inputs every running checker has (§12 of the surface). */
export interface CheckerTiming {
  /** alpha: start down until the first success. */
  alpha: boolean;
  /** Failures tolerated after the first before the checker goes down. */
  retry: number;
  delayLoopMs: number;
  delayBeforeRetryMs: number;
  /** Upper bound of the random delay before the first check (0 = none). */
  warmupMs: number;
  logAllFailures: boolean;
}

/** Where a network checker connects from and to. */
export interface ConnectOptions {
  /** connect_ip, else the real server's address. */
  addr: string;
  family: IpFamily;
  /** connect_port, else the real server's port. */
  port: number;
  /** bindto. */
  bindAddr?: string;
  bindPort?: number;
  bindIf?: string;
  /** SO_MARK for the check's packets. */
  fwmark?: number;
  timeoutMs: number;
}

interface CheckerBase {
  readonly pos: SourcePos;
}

export interface TcpCheck extends CheckerBase, CheckerTiming {
  readonly kind: 'TCP_CHECK';
  connect: ConnectOptions;
}

/** An inclusive range of acceptable HTTP status codes. */
export interface StatusRange {
  readonly min: number;
  readonly max: number;
}

export interface HttpRegex {
  /** The pattern as written (keepalived compiles it with PCRE2). */
  pattern: string;
  /** PCRE2 option names from regex_options (caseless, multiline, ...). */
  options: string[];
  /** regex_no_match: succeed when the pattern does NOT match. */
  noMatch: boolean;
  /** First byte offset a match may start at. */
  minOffset: number;
  /** Last byte offset a match may start at; absent = end of body. */
  maxOffset?: number;
  /** regex_stack START MAX (PCRE2 JIT stack sizes). */
  stack?: { start: number; max: number };
}

export interface HttpUrl {
  readonly pos: SourcePos;
  path: string;
  /** MD5 of the body, 32 lower-case hex digits. */
  digest?: string;
  /** Sorted, merged; 200-299 when none were given. */
  statusCodes: StatusRange[];
  virtualhost?: string;
  regex?: HttpRegex;
}

export interface HttpCheck extends CheckerBase, CheckerTiming {
  readonly kind: 'HTTP_GET' | 'SSL_GET';
  connect: ConnectOptions;
  httpProtocol: '1.0' | '1.0C' | '1.1';
  /** Host header for every url without its own; else the real server's virtualhost. */
  virtualhost?: string;
  fastRecovery: boolean;
  enableSni: boolean;
  /** SNI host name (keepalived 2.3+); else the virtualhost when enable_sni. */
  sniName?: string;
  /** Close TLS with close_notify (keepalived 2.3+). */
  tlsCompliant: boolean;
  /** Every url must pass. */
  urls: HttpUrl[];
}

export interface SmtpCheck extends CheckerBase, CheckerTiming {
  readonly kind: 'SMTP_CHECK';
  connect: ConnectOptions;
  heloName: string;
  /** Built from a deprecated `host { }` sub-block. */
  fromHostBlock: boolean;
}

export type DnsType = 'A' | 'NS' | 'CNAME' | 'SOA' | 'MX' | 'TXT' | 'AAAA' | 'RRSIG' | 'DNSKEY';

export interface DnsCheck extends CheckerBase, CheckerTiming {
  readonly kind: 'DNS_CHECK';
  connect: ConnectOptions;
  type: DnsType;
  name: string;
}

export interface MiscCheck extends CheckerBase, CheckerTiming {
  readonly kind: 'MISC_CHECK';
  script: ScriptSpec;
  /** misc_timeout, else the virtual server's delay_loop (as keepalived). */
  timeoutMs: number;
  /** misc_dynamic: exit 2..255 sets the weight to status-2. */
  dynamic: boolean;
}

export interface UdpCheck extends CheckerBase, CheckerTiming {
  readonly kind: 'UDP_CHECK';
  connect: ConnectOptions;
  /** Lower-case hex; absent = random payload. */
  payload?: string;
  requireReply: boolean;
  /** Expected leading reply bytes, lower-case hex. */
  replyData?: string;
  /** Same length as replyData: `f` nibbles are wildcards (`x` in the config). */
  replyMask?: string;
  minReplyLength: number;
  maxReplyLength: number;
}

export interface PingCheck extends CheckerBase, CheckerTiming {
  readonly kind: 'PING_CHECK';
  connect: ConnectOptions;
}

/** Follows a top-level track_file; no timing of its own. */
export interface FileCheck extends CheckerBase {
  readonly kind: 'FILE_CHECK';
  trackFile: string;
  /** Multiplier of the file's value: the checker's `weight`, else the track_file's. */
  weight: number;
  reverse: boolean;
}

/** Follows a bfd_instance; no timing of its own. */
export interface BfdCheck extends CheckerBase {
  readonly kind: 'BFD_CHECK';
  name: string;
  alpha: boolean;
}

export type Checker = TcpCheck | HttpCheck | SmtpCheck | DnsCheck | MiscCheck | UdpCheck | PingCheck | FileCheck | BfdCheck;
export type CheckerKind = Checker['kind'];
