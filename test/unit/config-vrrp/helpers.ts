// Shared helpers for the VRRP-side config tests: parse text, find diagnostics and objects.
import assert from 'node:assert/strict';
import { parseConfigText, type LoadOptions, type LoadResult } from '../../../src/config/load.js';
import type { ConfigDiagnostic, Severity } from '../../../src/config/diagnostics.js';
import type { HostInfo } from '../../../src/config/host.js';
import type { VrrpInstance } from '../../../src/config/model/vrrp.js';

export const FILE = '/etc/keepalived/keepalived.conf';

export function parse(text: string, opts: Omit<LoadOptions, 'fs'> = {}): LoadResult {
  return parseConfigText(text, FILE, opts);
}

/** "LINE: message" (or "-: message" when keepalived names no line), for one severity. */
export function diags(r: LoadResult, severity: Severity = 'error'): string[] {
  return r.diagnostics.filter((d) => d.severity === severity).map((d) => `${d.line ?? '-'}: ${d.message}`);
}

/** The one diagnostic with exactly this message; fails the test if absent or repeated. */
export function only(r: LoadResult, message: string): ConfigDiagnostic {
  const found = r.diagnostics.filter((d) => d.message === message);
  assert.equal(found.length, 1, `expected one "${message}", got:\n${r.diagnostics.map((d) => `${d.severity} ${d.line ?? '-'}: ${d.message}`).join('\n')}`);
  return found[0] as ConfigDiagnostic;
}

export function instance(r: LoadResult, name: string): VrrpInstance {
  const v = r.config.vrrpInstances.find((i) => i.name === name);
  assert.ok(v, `instance ${name} missing`);
  return v;
}

/** A host with eth0 on 192.168.1.10/24 + 2001:db8::10/64, eth1 on 10.1.0.10/16, and lo. */
export const HOST: HostInfo = {
  interfaces: [
    { name: 'lo', loopback: true, prefixes: [{ addr: '127.0.0.1', family: 4, len: 8, lenGiven: true }] },
    {
      name: 'eth0', loopback: false, prefixes: [
        { addr: '192.168.1.10', family: 4, len: 24, lenGiven: true },
        { addr: '2001:db8::10', family: 6, len: 64, lenGiven: true },
      ],
    },
    { name: 'eth1', loopback: false, prefixes: [{ addr: '10.1.0.10', family: 4, len: 16, lenGiven: true }] },
    { name: 'dummy0', loopback: true, prefixes: [] },
  ],
};

/** A minimal valid instance body to embed. */
export function inst(name: string, body: string): string {
  return `vrrp_instance ${name} {\n${body}\n}\n`;
}
