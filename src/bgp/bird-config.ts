// BIRD 2 configuration, rendered (pure). halb's daemon gets a whole bird.conf: router id,
// a static protocol holding the announced VIPs as blackhole host routes, BFD when asked,
// and one BGP session per neighbour exporting only those routes. No kernel protocol: a
// director announces, it never installs what it learns. In attach mode only the static
// protocol is written, into a file the site's own bird.conf includes.
import type { BgpConfig, BgpNeighbor } from '../config/model/bgp.js';

/** The static protocol holding the announced routes of one family. */
export const STATIC_PROTO = { 4: 'halb_vips', 6: 'halb_vips6' } as const;

/** A protocol name BIRD accepts ([A-Za-z_][A-Za-z0-9_]*), unique per neighbour address. */
export function neighborProtocol(n: Pick<BgpNeighbor, 'address'>): string {
  return `halb_n_${n.address.replace(/[^0-9a-fA-F]/g, '_')}`;
}

function quote(s: string): string {
  return `"${s}"`;
}

/** The static protocols for `prefixes` (`a.b.c.d/32`, `x::/128`); both families always present so exports can name them. */
export function renderStatic(prefixes: readonly string[]): string {
  const lines: string[] = [];
  for (const fam of [4, 6] as const) {
    const mine = prefixes.filter((p) => p.includes(':') === (fam === 6));
    lines.push(`protocol static ${STATIC_PROTO[fam]} {`, `  ipv${fam};`);
    for (const p of mine) lines.push(`  route ${p} blackhole;`);
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}

function neighborBlock(b: BgpConfig, n: BgpNeighbor): string[] {
  const local = n.source !== undefined ? ` ${n.source}` : '';
  return [
    `protocol bgp ${neighborProtocol(n)} {`,
    `  local${local} as ${b.localAs ?? 0};`,
    `  neighbor ${n.address}${n.port !== 179 ? ` port ${n.port}` : ''} as ${n.remoteAs};`,
    `  hold time ${b.holdTimeS};`,
    ...(b.holdTimeS > 0 ? [`  keepalive time ${Math.min(b.keepaliveS, Math.max(1, Math.floor(b.holdTimeS / 3)))};`] : []),
    `  connect retry time ${b.connectRetryS};`,
    // After an error BIRD waits before trying again; keep it short so a neighbour that
    // comes back is announced to within seconds.
    '  error wait time 1, 10;',
    ...(b.bfd || n.bfd ? ['  bfd on;'] : []),
    ...(n.password !== undefined ? [`  password ${quote(n.password)};`] : []),
    ...(n.multihop !== undefined ? [`  multihop ${n.multihop};`] : []),
    `  ipv${n.family} {`,
    '    import none;',
    `    export where proto = ${quote(STATIC_PROTO[n.family])};`,
    '    next hop self;',
    '  };',
    '}',
  ];
}

/** The whole bird.conf of a daemon halb runs. */
export function renderBirdConfig(b: BgpConfig, prefixes: readonly string[]): string {
  const bfd = b.bfd || b.neighbors.some((n) => n.bfd);
  const lines = [
    '# Written by halb from the halb_bgp block of keepalived.conf; halb rewrites it on every change.',
    'log stderr { info, remote, warning, error, auth, fatal, bug };',
    `router id ${b.routerId ?? '0.0.0.0'};`,
    'timeformat protocol iso long;',
    'protocol device {',
    '  scan time 10;',
    '}',
    renderStatic(prefixes).trimEnd(),
    ...(bfd ? ['protocol bfd halb_bfd {', '  interface "*" {', `    interval ${b.bfdIntervalMs} ms;`, `    multiplier ${b.bfdMultiplier};`, '  };', '}'] : []),
    ...b.neighbors.flatMap((n) => neighborBlock(b, n)),
  ];
  return `${lines.join('\n')}\n`;
}
