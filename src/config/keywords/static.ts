// static_ipaddress / static_routes / static_rules: configured at start, removed at stop,
// never moved by VRRP (keepalived/vrrp/vrrp_parser.c static_*_handler).
import type { KeepalivedConfig } from '../model/index.js';
import type { KeywordTable } from '../parser.js';
import { linesBlock } from '../parser.js';
import { parseAddressLine } from './ip-address.js';
import { parseRouteLine } from './ip-route.js';
import { parseRuleLine, type RulePriorities } from './ip-rule.js';

export function staticKeywords(cfg: KeepalivedConfig, priorities: RulePriorities): KeywordTable {
  const trackGroups = (): string[] => cfg.trackGroups.map((g) => g.name);
  return {
    static_ipaddress: (_s, p) => linesBlock((ls) => {
      const a = parseAddressLine(ls, p, { isStatic: true, trackGroups: trackGroups() });
      if (a !== undefined) cfg.staticAddresses.push(a);
    }),
    static_routes: (_s, p) => linesBlock((ls) => {
      const r = parseRouteLine(ls, p, { allowTrackGroup: true, trackGroups: trackGroups() });
      if (r !== undefined) cfg.staticRoutes.push(r);
    }),
    static_rules: (_s, p) => linesBlock((ls) => {
      const r = parseRuleLine(ls, p, { allowTrackGroup: true, trackGroups: trackGroups(), priorities });
      if (r !== undefined) cfg.staticRules.push(r);
    }),
  };
}
