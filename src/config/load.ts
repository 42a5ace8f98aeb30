// Entry point of config/: file -> pre-processor -> keyword tables -> typed model ->
// validation. Never throws on bad input: everything wrong is a diagnostic.
import { Diagnostics, type ConfigDiagnostic } from './diagnostics.js';
import { emptyConfig, type KeepalivedConfig } from './model/index.js';
import { resolveHostname } from './model/global.js';
import { parseStatements } from './parser.js';
import { Preprocessor } from './preprocess.js';
import { nodeFs, memoryFs, type ConfigFs } from './source.js';
import { seededRandom } from './params.js';
import { topKeywords } from './keywords/top.js';
import { validateVrrp } from './validate-vrrp.js';
import { validateLvs } from './validate-lvs.js';
import { validateBgp } from './validate-bgp.js';
import type { HostInfo, ScriptHost } from './host.js';
import { auditScripts } from './validate-scripts.js';

export interface LoadOptions {
  readonly fs?: ConfigFs;
  /** `-i ID` for @ID conditional lines and ${_INSTANCE}; keepalived defaults to the short host name. */
  readonly configId?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Seed for ${_RANDOM} (global_defs random_seed overrides it). */
  readonly randomSeed?: number;
  /** When given, host-dependent checks run too (interfaces exist, VIP subnets). */
  readonly host?: HostInfo;
  /** The machine's host name: global_defs router_id defaults to it (else $HOSTNAME, else 'localhost'). */
  readonly hostname?: string;
  /** Accounts and file permissions for the script audit; absent: every script counts as present and safe. */
  readonly scripts?: ScriptHost;
}

export interface LoadResult {
  readonly config: KeepalivedConfig;
  readonly diagnostics: readonly ConfigDiagnostic[];
  /** Every file read, main file first. */
  readonly files: readonly string[];
  /** True when nothing fatal or erroneous was found (warnings allowed). */
  readonly ok: boolean;
}

export function loadConfig(file: string, opts: LoadOptions = {}): LoadResult {
  const diag = new Diagnostics();
  const pre = new Preprocessor({
    fs: opts.fs ?? nodeFs,
    configId: opts.configId,
    env: opts.env ?? {},
    random: seededRandom(opts.randomSeed ?? 0x6b61),
  }, diag);
  const stmts = pre.run(file);
  const config = emptyConfig();
  config.global.routerId = resolveHostname(opts.hostname, opts.env ?? {});
  if (diag.worst() !== 'fatal') {
    parseStatements(stmts, topKeywords(config), diag);
    validateVrrp(config, diag, opts.host);
    validateLvs(config, diag);
    validateBgp(config, diag);
    auditScripts(config, diag, opts.scripts);
  }
  return { config, diagnostics: diag.items, files: pre.files, ok: !diag.hasErrors() };
}

/** Parse config text held in memory (tests, the admin API's dry-run). */
export function parseConfigText(text: string, name = '/keepalived.conf', opts: Omit<LoadOptions, 'fs'> = {}): LoadResult {
  return loadConfig(name, { ...opts, fs: memoryFs({ [name]: text }) });
}
