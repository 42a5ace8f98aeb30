// halb-only global_defs keyword: `halb_conntrack_sync INSTANCE [interface IF] [peer ADDR]
// [group ADDR] [port N] [binary PATH]`. halb then runs conntrackd in FTFW mode beside the
// nft NAT dataplane and drives its commit/flush/resync from INSTANCE's transitions, as
// conntrack-tools' primary-backup.sh does from keepalived's notify scripts
// (docs/conntrack-sync.md). keepalived 2.2.7 reads the keyword as unknown and ignores it,
// so one file still serves both. Options are parsed in lvs_sync_daemon's manner.
import { isIP } from 'node:net';
import { isMulticastAddress } from '../../core/address.js';
import type { ConntrackSyncConf, GlobalDefs } from '../model/global.js';
import type { KeywordTable, Parser } from '../parser.js';
import type { Stmt } from '../lexer.js';
import { normaliseAddr, readInt } from '../readers.js';

/** conntrackd's example FTFW set-up: multicast group 225.0.0.50, port ("Group") 3780. */
export const CONNTRACK_SYNC_DEFAULTS = { group: '225.0.0.50', port: 3780, binary: 'conntrackd' } as const;

const IFNAMSIZ = 16;

function parse(g: GlobalDefs, s: Stmt, p: Parser): void {
  const kw = s.words[0];
  if (g.conntrackSync !== undefined) {
    p.diag.error(s.pos, `halb_conntrack_sync has already been specified for ${g.conntrackSync.instance} - ignoring`, kw);
    return;
  }
  const instance = s.words[1];
  if (instance === undefined) {
    p.diag.error(s.pos, 'halb_conntrack_sync requires a vrrp_instance name', kw);
    return;
  }
  const c: ConntrackSyncConf = { instance, pos: s.pos, ...CONNTRACK_SYNC_DEFAULTS };
  for (let i = 2; i < s.words.length; i += 2) {
    const w = s.words[i] as string;
    const v = s.words[i + 1];
    if (!['interface', 'peer', 'group', 'port', 'binary'].includes(w)) {
      p.diag.error(s.pos, `Unknown option ${w} specified for halb_conntrack_sync (expected interface, peer, group, port or binary)`, kw);
      continue;
    }
    if (v === undefined) {
      p.diag.error(s.pos, `No value specified for halb_conntrack_sync ${w} - ignoring`, kw);
      continue;
    }
    switch (w) {
      case 'interface':
        if (v.length >= IFNAMSIZ) p.diag.error(s.pos, `halb_conntrack_sync interface name '${v}' too long - ignoring`, kw);
        else c.interface = v;
        break;
      case 'peer':
        if (isIP(v) !== 4) p.diag.error(s.pos, `Invalid halb_conntrack_sync peer (${v}): expected an IPv4 address - ignoring`, kw);
        else c.peer = normaliseAddr(v, 4);
        break;
      case 'group':
        if (isIP(v) !== 4 || !isMulticastAddress(v)) p.diag.error(s.pos, `Invalid halb_conntrack_sync group (${v}): expected an IPv4 multicast address - ignoring`, kw);
        else c.group = normaliseAddr(v, 4);
        break;
      case 'port': {
        const n = readInt(s, p, i + 1, 1, 65535);
        if (n !== undefined) c.port = n;
        break;
      }
      case 'binary':
        c.binary = v;
        break;
    }
  }
  g.conntrackSync = c;
}

export function conntrackSyncKeywords(g: GlobalDefs): KeywordTable {
  return { halb_conntrack_sync: (s, p) => parse(g, s, p) };
}
