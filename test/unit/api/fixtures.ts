// A daemon status as AdminBackend.status() returns it, built from the real snapshot
// types so a change in any of them breaks the build here first: one virtual service
// with a checked real server up, one down (out of the dataplane's pool) and one
// drained, and one VRRP instance that became MASTER.
import type { AdminStatus, WeightOverride } from '../../../src/api/admin-types.js';
import type { RealServerSnapshot, ServiceSnapshot, StatsSnapshot } from '../../../src/dataplane/dataplane.js';
import type { InstanceSnapshot } from '../../../src/vrrp/engine/types.js';
import type { WorkerSnapshot } from '../../../src/vrrp/engine/worker-protocol.js';
import type { HealthSnapshot } from '../../../src/check/scheduler.js';
import type { VrrpStatus } from '../../../src/api/status-view.js';

export const SVC = 'TCP:192.0.2.10:80';
export const RS_UP = '192.0.2.11:8080';
export const RS_DOWN = '192.0.2.12:8080';
export const RS_DRAINED = '192.0.2.13:8080';

export function stats(conns: number, bytes = conns * 100): StatsSnapshot {
  return { conns, inPkts: conns * 2, outPkts: conns * 3, inBytes: bytes, outBytes: bytes * 4, cps: 1, inPps: 2, outPps: 3, inBps: 40, outBps: 160 };
}

function rs(key: string, weight: number, conns: number): RealServerSnapshot {
  const [address = '', port = '0'] = key.split(':');
  return {
    key, address, port: Number(port), weight, forward: 'Masq', activeConns: 2, inactiveConns: 1, persistConns: 0,
    overloaded: false, draining: false, sorry: false, stats: stats(conns),
  };
}

export function service(realServers: readonly RealServerSnapshot[] = [rs(RS_UP, 3, 7), rs(RS_DRAINED, 0, 5)]): ServiceSnapshot {
  return {
    key: SVC, protocol: 'TCP', address: '192.0.2.10', port: 80, scheduler: 'wrr', schedulerFlags: { port: false, fallback: false },
    listener: 'listening', quorumUp: true, sorryActive: false, stats: stats(12), realServers,
  };
}

export function instance(over: Partial<InstanceSnapshot> = {}): InstanceSnapshot {
  return {
    name: 'VI_1', vrid: 51, version: 2, family: 4, interface: 'eth0', unicast: false, primaryAddr: '192.0.2.1',
    state: 'MASTER', wantState: 'MASTER', basePriority: 100, effectivePriority: 90,
    contributors: [{ name: 'chk_web', kind: 'script', weight: 10, reverse: true, status: 'FAIL', delta: -10, fault: false }],
    faults: [], masterAddr: null, masterPriority: null, vipSet: true, vips: ['192.0.2.50/24'], syncGroup: null,
    lastTransition: 1_700_000_000_250, releasedUntil: null,
    counters: {
      advertsSent: 12, advertsReceived: 30, sendErrors: 0,
      drops: { INVALID_TTL: 2, AUTH_FAILURE: 1, VIP_MISMATCH: 3, ADDR_COUNT_MISMATCH: 1, PKT_LEN_MISMATCH: 4 },
      transitions: 2, becomeMaster: 1, releaseMaster: 0, priZeroSent: 0, priZeroReceived: 1, garpsSent: 5, nasSent: 0,
      vipsReadded: 0, addressErrors: 0, notifies: 2,
    },
    ...over,
  };
}

function checker(target: string, up: boolean): HealthSnapshot['realServers'][number]['checkers'][number] {
  return {
    checker: { kind: 'TCP_CHECK', target, config: {} }, up, retryIt: 0, runs: 9, failures: up ? 0 : 4, nextInMs: 500,
    last: up ? { ok: true, detail: 'TCP connection succeeded', latencyMs: 1.5 } : { ok: false, reason: 'refused', detail: 'connect ECONNREFUSED', latencyMs: 0.4 },
  };
}

export function health(): HealthSnapshot {
  const vs = '[192.0.2.10]:tcp:80';
  return {
    realServers: [
      { rsId: `${vs}/192.0.2.11:8080`, label: '[192.0.2.11]:tcp:8080', alive: true, weight: 3, checkers: [checker('[192.0.2.11]:tcp:8080', true)] },
      { rsId: `${vs}/192.0.2.12:8080`, label: '[192.0.2.12]:tcp:8080', alive: false, weight: 1, checkers: [checker('[192.0.2.12]:tcp:8080', false)] },
    ],
    lateness: { runs: 20, meanMs: 1.25, maxMs: 8 },
  };
}

export const DRAIN: WeightOverride = { service: SVC, realServer: RS_DRAINED, weight: 0, drained: true, at: 1_700_000_100_000, by: 'api 127.0.0.1' };

/** The VRRP side's status with these instances (default: VI_1 as MASTER). */
export function vrrpWith(...instances: InstanceSnapshot[]): VrrpStatus {
  const engine: WorkerSnapshot = {
    instances: instances.length > 0 ? instances : [instance()], syncGroups: [], timers: { fired: 100, late: 1, maxLateMs: 12 },
    unattributedDrops: { BAD_CHECKSUM: 2 }, eventLoop: { meanMs: 0.5, p99Ms: 2, maxMs: 4 },
  };
  return { engine, transitions: [{ instance: 'VI_1', from: 'BACKUP', to: 'MASTER', reason: 'no advertisement within Master_Down_Interval' }] };
}

export function status(over: Partial<AdminStatus> = {}): AdminStatus {
  const vrrp = vrrpWith();
  return {
    daemon: { pid: 4242, configFile: '/etc/keepalived/keepalived.conf', startedAt: 1_699_999_000_000, reloads: 3, lastReload: { at: 1_700_000_000_000, applied: false, summary: 'refused' } },
    vrrp,
    health: health(),
    dataplane: { engine: 'proxy', takenAt: 1_700_000_200_000, services: [service()], totals: stats(12) },
    overrides: [DRAIN],
    eventLoopLagMs: { mean: 1.5, max: 20, p99: 9 },
    ...over,
  };
}
