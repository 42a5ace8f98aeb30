// The root keywords of the VRRP side (keepalived's init_global_keywords() and
// init_vrrp_keywords()): global_defs, daemon facilities, static addresses/routes/rules,
// trackers, sync and GARP groups, and VRRP instances.
import type { KeepalivedConfig } from '../model/index.js';
import type { KeywordTable } from '../parser.js';
import { globalDefsKeywords } from './global-defs.js';
import { RULE_START_PRIORITY, type RulePriorities } from './ip-rule.js';
import { staticKeywords } from './static.js';
import { groupKeywords } from './sync-group.js';
import { topFacilityKeywords } from './top-facilities.js';
import { trackerKeywords } from './trackers.js';
import { bfdAndProcessKeywords } from './trackers-bfd.js';
import { vrrpInstanceKeyword } from './vrrp-instance.js';

export function vrrpTopKeywords(cfg: KeepalivedConfig): KeywordTable {
  // keepalived numbers rules without a preference from 16384 down, per family, across
  // static_rules and every instance's virtual_rules in file order.
  const priorities: RulePriorities = { next4: RULE_START_PRIORITY, next6: RULE_START_PRIORITY };
  return {
    ...globalDefsKeywords(cfg.global),
    ...topFacilityKeywords(cfg),
    ...staticKeywords(cfg, priorities),
    ...trackerKeywords(cfg),
    ...bfdAndProcessKeywords(cfg),
    ...groupKeywords(cfg),
    ...vrrpInstanceKeyword(cfg, priorities),
  };
}
