// Root keywords outside global_defs that set daemon facilities (keepalived/core/
// global_parser.c, vrrp_parser.c): namespaces, instance name, pid dir, link polling,
// interface debounce delays and track groups of static items.
import type { KeepalivedConfig } from '../model/index.js';
import type { KeywordTable } from '../parser.js';
import { skipBlock, tableBlock } from '../parser.js';
import { readDecimalFixed, readInt } from '../readers.js';
import { groupListKeyword, needArg, restValue, secondsToMs, wordsBlock } from './kw-util.js';
import type { TrackGroup } from '../model/trackers.js';

function trackGroupKeyword(cfg: KeepalivedConfig): KeywordTable {
  return {
    track_group: (s, p) => {
      if (s.words.length !== 2) {
        p.diag.error(s.pos, 'track_group must have a name - skipping', s.words[0]);
        return skipBlock;
      }
      const name = s.words[1] as string;
      if (cfg.trackGroups.some((g) => g.name === name)) {
        p.diag.error(s.pos, `track_group ${name} already defined`, s.words[0]);
        return skipBlock;
      }
      // keepalived 2.2.7 registers the group at once, members or not.
      const tg: TrackGroup = { name, pos: s.pos, members: [] };
      cfg.trackGroups.push(tg);
      return tableBlock({
        group: groupListKeyword(name, 'track', tg.members),
      });
    },
  };
}

export function topFacilityKeywords(cfg: KeepalivedConfig): KeywordTable {
  const top = cfg.top;
  return {
    net_namespace: (s, p) => {
      if (s.words.length < 2) p.diag.error(s.pos, 'net_namespace name missing - ignoring', s.words[0]);
      else if (top.netNamespace !== undefined) p.diag.error(s.pos, `Duplicate net_namespace definition ${s.words[1]} - ignoring`, s.words[0]);
      else {
        top.netNamespace = restValue(s);
        top.usePidDir = true;
      }
    },
    net_namespace_ipvs: (s, p) => {
      if (top.netNamespaceIpvs !== undefined) p.diag.error(s.pos, `Duplicate net_namespace_ipvs definition ${s.words[1] ?? ''} - ignoring`, s.words[0]);
      else top.netNamespaceIpvs = restValue(s);
    },
    namespace_with_ipsets: () => { top.namespaceWithIpsets = true; },
    instance: (s, p) => {
      if (s.words.length < 2) p.diag.error(s.pos, 'instance name missing - ignoring', s.words[0]);
      else if (top.instance !== undefined) p.diag.error(s.pos, `Duplicate instance definition ${s.words[1]} - ignoring`, s.words[0]);
      else {
        top.instance = restValue(s);
        top.usePidDir = true;
      }
    },
    use_pid_dir: () => { top.usePidDir = true; },
    linkbeat_use_polling: () => { top.linkbeatUsePolling = true; },
    child_wait_time: (s, p) => {
      if (!needArg(s, p)) return;
      const v = readInt(s, p, 1, 0, 4294967295);
      if (v === undefined) p.diag.error(s.pos, `Invalid child_wait_time ${s.words[1]}`, s.words[0]);
      else top.childWaitTimeS = v;
    },
    linkbeat_interfaces: (_s, p) => wordsBlock((words, ls) => {
      const [name, type, extra] = words;
      const lb = { name: name as string, pos: ls.pos };
      if (type === 'MII' || type === 'ETHTOOL' || type === 'IOCTL') top.linkbeatInterfaces.push({ ...lb, type });
      else top.linkbeatInterfaces.push(lb);
      if ((type !== undefined && !['MII', 'ETHTOOL', 'IOCTL'].includes(type)) || extra !== undefined) {
        p.diag.error(ls.pos, `extra characters ${type} in linkbeat interface`, name);
      }
    }),
    interface_up_down_delays: (_s, p) => wordsBlock((words, ls) => {
      const name = words[0] as string;
      // keepalived only logs these (no configuration error), hence warnings.
      if (words.length < 2) {
        p.diag.warn(ls.pos, `No timeouts specified for ${name} up/down delays`, name);
        return;
      }
      if (words.length > 3) p.diag.warn(ls.pos, `Too many parameters for ${name} up/down delays`, name);
      const down = readDecimalFixed(ls, p, 1, 0, 255);
      if (down === undefined) {
        p.diag.warn(ls.pos, `Invalid down delay ${words[1]} for ${name}`, name);
        return;
      }
      const up = words.length >= 3 ? readDecimalFixed(ls, p, 2, 0, 255) : 0;
      if (up === undefined) {
        p.diag.warn(ls.pos, `Invalid up delay ${words[2]} for ${name}`, name);
        return;
      }
      const existing = top.interfaceUpDownDelays.findIndex((d) => d.interface === name);
      const entry = { interface: name, pos: ls.pos, downDelayMs: secondsToMs(down), upDelayMs: secondsToMs(up) };
      if (existing >= 0) top.interfaceUpDownDelays[existing] = entry;
      else top.interfaceUpDownDelays.push(entry);
    }),
    ...trackGroupKeyword(cfg),
  };
}
