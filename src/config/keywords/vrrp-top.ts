// PLACEHOLDER: replaced by the VRRP keyword work.
import type { KeepalivedConfig } from '../model/index.js';
import type { KeywordTable } from '../parser.js';
export function vrrpTopKeywords(_cfg: KeepalivedConfig): KeywordTable {
  return {};
}
