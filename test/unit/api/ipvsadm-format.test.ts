import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConnections, formatList, largeNum } from '../../../src/api/ipvsadm-format.js';
import type { DataplaneSnapshot, RealServerSnapshot, StatsSnapshot } from '../../../src/dataplane/dataplane.js';

const zero: StatsSnapshot = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0, cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

function rs(address: string, port: number, extra: Partial<RealServerSnapshot> = {}): RealServerSnapshot {
  return {
    key: `${address}:${port}`, address, port, weight: 1, forward: 'Masq', activeConns: 0, inactiveConns: 0,
    persistConns: 0, overloaded: false, draining: false, sorry: false, stats: zero, ...extra,
  };
}

const snap: DataplaneSnapshot = {
  engine: 'proxy',
  takenAt: 0,
  totals: zero,
  services: [{
    key: 'TCP:192.168.203.107:8080', protocol: 'TCP', address: '192.168.203.107', port: 8080,
    scheduler: 'rr', schedulerFlags: {}, persistence: { timeoutMs: 50_000, granularity: 32 },
    listener: 'listening', quorumUp: true, sorryActive: false,
    stats: { ...zero, conns: 123456, inPkts: 42, inBytes: 2_500_000_000 },
    realServers: [
      // The seed's DR line; the Forward column is whatever the engine reports.
      { ...rs('192.168.203.93', 8080), forward: 'Route' as RealServerSnapshot['forward'] },
      rs('192.168.203.94', 8080, { draining: true }),
    ],
  }],
};

test('ipvsadm -Ln layout, column for column as in the seed article', () => {
  assert.equal(formatList(snap, 'plain'), [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'TCP  192.168.203.107:8080 rr persistent 50',
    '  -> 192.168.203.93:8080          Route   1      0          0',
    '',
  ].join('\n'));
});

test('--stats uses ipvsadm large-number units and 8-wide columns', () => {
  const lines = formatList(snap, 'stats').split('\n');
  assert.equal(lines[0], 'IP Virtual Server version 1.2.1 (size=4096)', 'as ipvsadm -Ln --stats, the version line first');
  assert.equal(lines[1], 'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes');
  assert.equal(lines[3], 'TCP  192.168.203.107:8080             123K       42        0    2500M        0');
  assert.equal(largeNum(99999), '   99999');
  assert.equal(largeNum(100000), '    100K');
});

test('persistence mask and sh flags appear as ipvsadm prints them', () => {
  const s2: DataplaneSnapshot = {
    ...snap,
    services: [{ ...snap.services[0]!, scheduler: 'sh', schedulerFlags: { fallback: true, port: true }, persistence: { timeoutMs: 360_000, granularity: 24 } }],
  };
  assert.match(formatList(s2, 'plain'), /^TCP {2}192\.168\.203\.107:8080 sh \(sh-fallback,sh-port\) persistent 360 mask 255\.255\.255\.0$/m);
});

test('-Lnc connection table', () => {
  const text = formatConnections([{
    protocol: 'TCP', state: 'ESTABLISHED', expiresInMs: 899_400, clientAddress: '127.0.0.1', clientPort: 51000,
    virtual: '127.0.0.1:8080', destination: '127.0.0.1:9001',
  }]);
  assert.equal(text.split('\n')[2], 'TCP 14:59  ESTABLISHED 127.0.0.1:51000    127.0.0.1:8080     127.0.0.1:9001');
});
