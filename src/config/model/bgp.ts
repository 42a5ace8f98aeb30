// halb's own `halb_bgp { }` block (no keepalived counterpart): this director announces
// VIPs over BGP through an existing BGP daemon, so that routers spread flows over every
// director by ECMP. See docs/bgp.md.
import type { SourcePos } from '../diagnostics.js';

export interface BgpNeighbor {
  readonly pos: SourcePos;
  readonly address: string;
  readonly family: 4 | 6;
  readonly remoteAs: number;
  readonly port: number;
  /** Local address the session leaves from (BIRD `local`); the daemon picks one when absent. */
  readonly source?: string;
  readonly bfd: boolean;
  readonly password?: string;
  /** eBGP multihop TTL; absent = directly connected. */
  readonly multihop?: number;
}

/** One VIP announced as a host route, under a condition on its virtual servers. */
export interface BgpAnnounce {
  readonly pos: SourcePos;
  readonly address: string;
  readonly family: 4 | 6;
  /** `all`: every virtual server on the address must have quorum; `any`: one is enough. */
  readonly require: 'all' | 'any';
}

export interface BgpConfig {
  readonly pos: SourcePos;
  /** `bird`: halb starts and supervises BIRD 2; `attach`: a BIRD the site already runs. */
  daemon: 'bird' | 'attach';
  birdPath: string;
  birdcPath: string;
  /** BIRD's control socket: halb's own (dflt under /run/halb) or the attached daemon's. */
  controlSocket?: string;
  /** attach: the file halb writes with its static protocol, `include`d by the site's bird.conf. */
  includeFile?: string;
  localAs?: number;
  routerId?: string;
  holdTimeS: number;
  keepaliveS: number;
  connectRetryS: number;
  /** BFD on every neighbour (also per neighbour with `bfd`). */
  bfd: boolean;
  bfdIntervalMs: number;
  bfdMultiplier: number;
  neighbors: BgpNeighbor[];
  announces: BgpAnnounce[];
}

export function emptyBgpConfig(pos: SourcePos): BgpConfig {
  return {
    pos, daemon: 'bird', birdPath: 'bird', birdcPath: 'birdc',
    holdTimeS: 3, keepaliveS: 1, connectRetryS: 1, bfd: false, bfdIntervalMs: 100, bfdMultiplier: 3,
    neighbors: [], announces: [],
  };
}
