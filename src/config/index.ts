export * from './load.js';
export * from './diagnostics.js';
export type * from './model/index.js';
export type { HostInfo, HostInterface, ScriptHost, ScriptCheck, AccountLookup } from './host.js';
export { SC } from './host.js';
export type { ConfigFs } from './source.js';
export { nodeFs, memoryFs } from './source.js';
