// conntrackd.conf for one director, from halb_conntrack_sync and the VRRP instance it
// follows: FTFW (the reliable mode: sequence numbers, acknowledgements, resend) over
// multicast on the instance's interface, or over UDP to the instance's only unicast peer.
// Layout and values follow conntrack-tools' doc/sync/ftfw/conntrackd.conf; the
// differences are deliberate:
//  - LogFile/Syslog off: conntrackd runs in the foreground and halb logs its lines;
//  - LockFile and the UNIX socket are halb's own (beside the control socket), so two
//    directors on one host (the lab) or an operator's own conntrackd do not collide;
//  - Address Ignore lists the director's own addresses but NOT the VIPs: the example is
//    a firewall, where connections to a VIP end on the box; on a load balancer the
//    DNATed connections to the VIP are exactly what must be replicated;
//  - UDP is accepted beside TCP (virtual services may be UDP);
//  - StartupResync on: a director that starts asks the other for its table at once, so a
//    returning master holds the flows before it preempts (keepalived issues 237, 1076).
// Pure; golden-tested (test/fixtures/conntrackd/).

export type ConntrackTransport =
  | { readonly kind: 'multicast'; readonly group: string; readonly port: number }
  | { readonly kind: 'udp'; readonly peer: string; readonly port: number };

export interface ConntrackdConfInput {
  /** The sync link. */
  readonly interface: string;
  /** This director's IPv4 address on it (the source of sync messages). */
  readonly localAddress: string;
  readonly transport: ConntrackTransport;
  /** Addresses whose connections are the director's own (never replicated). */
  readonly ignore: readonly string[];
  readonly unixPath: string;
  readonly lockFile: string;
  /** Where this file came from, for the header. */
  readonly origin: string;
}

const BUFFER = 1249280;

function transportBlock(i: ConntrackdConfInput): string[] {
  const t = i.transport;
  const common = [`\t\tInterface ${i.interface}`, `\t\tSndSocketBuffer ${BUFFER}`, `\t\tRcvSocketBuffer ${BUFFER}`, '\t\tChecksum on'];
  if (t.kind === 'multicast') {
    return ['\tMulticast {', `\t\tIPv4_address ${t.group}`, `\t\tGroup ${t.port}`, `\t\tIPv4_interface ${i.localAddress}`, ...common, '\t}'];
  }
  return ['\tUDP {', `\t\tIPv4_address ${i.localAddress}`, `\t\tIPv4_Destination_Address ${t.peer}`, `\t\tPort ${t.port}`, ...common, '\t}'];
}

export function renderConntrackdConf(i: ConntrackdConfInput): string {
  const ignore = [...new Set(i.ignore)].map((a) => `\t\t\t${a.includes(':') ? 'IPv6_address' : 'IPv4_address'} ${a}`);
  const lines = [
    `# Written by halb from ${i.origin}; rewritten at every start and reload.`,
    'Sync {',
    '\tMode FTFW {',
    '\t\tResendQueueSize 131072',
    '\t\tStartupResync on',
    '\t}',
    ...transportBlock(i),
    '\tOptions {',
    '\t\tTCPWindowTracking Off',
    '\t}',
    '}',
    'General {',
    '\tHashSize 32768',
    '\tHashLimit 131072',
    '\tLogFile off',
    '\tSyslog off',
    `\tLockFile ${i.lockFile}`,
    '\tUNIX {',
    `\t\tPath ${i.unixPath}`,
    '\t}',
    '\tNetlinkBufferSize 2097152',
    '\tNetlinkBufferSizeMaxGrowth 8388608',
    '\tFilter From Userspace {',
    '\t\tProtocol Accept {',
    '\t\t\tTCP',
    '\t\t\tUDP',
    '\t\t}',
    ...(ignore.length > 0 ? ['\t\tAddress Ignore {', ...ignore, '\t\t}'] : []),
    '\t}',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}
