// PLACEHOLDER: replaced by the VRRP keyword work.
import type { Diagnostics } from './diagnostics.js';
import type { HostInfo } from './host.js';
import type { KeepalivedConfig } from './model/index.js';
export function validateVrrp(_cfg: KeepalivedConfig, _diag: Diagnostics, _host: HostInfo | undefined): void {}
