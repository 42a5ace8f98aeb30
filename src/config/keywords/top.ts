// The root keyword table (keepalived's install_keyword_root calls), assembled from the
// VRRP side (global_defs, static_*, trackers, sync groups, instances) and the LVS side
// (virtual_server_group, virtual_server, SSL), plus halb's own halb_bgp block.
import type { KeepalivedConfig } from '../model/index.js';
import type { KeywordTable } from '../parser.js';
import { vrrpTopKeywords } from './vrrp-top.js';
import { lvsTopKeywords } from './lvs-top.js';
import { halbBgpKeywords } from './halb-bgp.js';

export function topKeywords(cfg: KeepalivedConfig): KeywordTable {
  return { ...vrrpTopKeywords(cfg), ...lvsTopKeywords(cfg), ...halbBgpKeywords(cfg) };
}
