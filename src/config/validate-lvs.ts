// PLACEHOLDER: replaced by the LVS keyword work.
import type { Diagnostics } from './diagnostics.js';
import type { KeepalivedConfig } from './model/index.js';
export function validateLvs(_cfg: KeepalivedConfig, _diag: Diagnostics): void {}
