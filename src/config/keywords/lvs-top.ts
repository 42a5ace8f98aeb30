// PLACEHOLDER: replaced by the LVS keyword work.
import type { KeepalivedConfig } from '../model/index.js';
import type { KeywordTable } from '../parser.js';
export function lvsTopKeywords(_cfg: KeepalivedConfig): KeywordTable {
  return {};
}
