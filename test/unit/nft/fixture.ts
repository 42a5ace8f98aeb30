// Desired states, routes and the golden-file helper shared by the nft engine's unit
// tests. Not a test file itself (the runner only loads *.test.js).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DesiredState, RealServerSpec, VirtualServiceSpec } from '../../../src/dataplane/model.js';
import type { RouteInfo } from '../../../src/dataplane/nft/plan.js';

export const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/nft/', import.meta.url));

/** HALB_UPDATE_GOLDEN=1 rewrites the golden files from what the code renders now. */
export const UPDATE = process.env.HALB_UPDATE_GOLDEN === '1';

/** Compare `value` with test/fixtures/nft/<name>.json (or write it under HALB_UPDATE_GOLDEN=1). */
export function golden(name: string, value: unknown): void {
  const file = `${FIXTURES}${name}.json`;
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (UPDATE) {
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `golden file ${file} is missing: run with HALB_UPDATE_GOLDEN=1 to create it`);
  assert.equal(text, readFileSync(file, 'utf8'), `${name}.json differs from the render (HALB_UPDATE_GOLDEN=1 to accept)`);
}

/** The golden files present, so a test can insist each one is still produced. */
export function goldenFiles(): string[] {
  return readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
}

export const rs = (address: string, over: Partial<RealServerSpec> = {}): RealServerSpec => ({ address, port: 80, weight: 1, healthy: true, ...over });

export function svc(over: Partial<VirtualServiceSpec> = {}): VirtualServiceSpec {
  return {
    protocol: 'TCP', address: '203.0.113.10', port: 80, scheduler: 'rr', quorumUp: true,
    realServers: [rs('192.0.2.11'), rs('192.0.2.12')],
    ...over,
  };
}

export const state = (...services: VirtualServiceSpec[]): DesiredState => ({ services });

/** Every real server of the fixtures on eth0, directly connected. */
export const ROUTES: ReadonlyMap<string, RouteInfo> = new Map([
  ...['192.0.2.11', '192.0.2.12', '192.0.2.13', '2001:db8::11', '2001:db8::12'].map((a): [string, RouteInfo] => [a, { device: 'eth0', local: false }]),
  ['198.51.100.20', { device: 'eth1', local: false }],
  ['203.0.113.99', { device: 'eth0', gateway: '192.0.2.254', local: false }],
]);
