// An in-memory IPVS for the engine's unit tests: the kernel's answers for the cases the
// engine must handle (EEXIST, a scheduler without its module, a refused destination).
import { SysError } from '../../../src/core/errors.js';
import type { IpvsBackend, IpvsServiceRead } from '../../../src/dataplane/ipvs/backend.js';
import type { IpvsOp } from '../../../src/dataplane/ipvs/plan.js';
import { destKey, keyOfService, type IpvsDestDef, type IpvsServiceDef, type IpvsTimeouts } from '../../../src/dataplane/ipvs/table.js';

const ZERO = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0, cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

export class FakeIpvs implements IpvsBackend {
  readonly services = new Map<string, { service: IpvsServiceDef; dests: Map<string, IpvsDestDef> }>();
  readonly ops: IpvsOp[] = [];
  owned: string[] = [];
  timeouts: IpvsTimeouts | undefined;
  schedulers = new Set(['rr', 'wrr', 'lc', 'wlc', 'sh', 'mh', 'dh', 'sed', 'nq', 'fo', 'ovf', 'lblc', 'lblcr']);
  /** Destination addresses the kernel refuses (EINVAL). */
  refuse = new Set<string>();
  closed = false;

  /** An operator's own service, as `ipvsadm -A` would add it. */
  addForeign(service: IpvsServiceDef, dests: IpvsDestDef[] = []): void {
    this.services.set(keyOfService(service), { service, dests: new Map(dests.map((d) => [destKey(d), d])) });
  }

  read(): Promise<IpvsServiceRead[]> {
    return Promise.resolve([...this.services.values()].map((s) => ({
      service: s.service, stats: ZERO,
      dests: [...s.dests.values()].map((d) => ({ ...d, activeConns: 0, inactiveConns: 0, persistConns: 0, stats: ZERO })),
    })));
  }

  run(op: IpvsOp): Promise<void> {
    this.ops.push(op);
    const key = keyOfService(op.service);
    const cur = this.services.get(key);
    const fail = (errno: string): Promise<void> => Promise.reject(new SysError('netlink', `${op.kind}: ${errno}`, errno));
    switch (op.kind) {
      case 'add-service':
        if (cur) return fail('EEXIST');
        if (!this.schedulers.has(op.service.scheduler)) return fail('ENOENT');
        this.services.set(key, { service: op.service, dests: new Map() });
        break;
      case 'edit-service':
        if (!cur) return fail('ESRCH');
        if (!this.schedulers.has(op.service.scheduler)) return fail('ENOENT');
        cur.service = op.service;
        break;
      case 'del-service':
        this.services.delete(key);
        break;
      case 'add-dest':
        if (!cur) return fail('ESRCH');
        if (this.refuse.has(op.dest.address)) return fail('EINVAL');
        if (cur.dests.has(destKey(op.dest))) return fail('EEXIST');
        cur.dests.set(destKey(op.dest), op.dest);
        break;
      case 'edit-dest':
        if (!cur?.dests.has(destKey(op.dest))) return fail('ENOENT');
        cur.dests.set(destKey(op.dest), op.dest);
        break;
      case 'del-dest':
        cur?.dests.delete(destKey(op.dest));
        break;
    }
    return Promise.resolve();
  }

  setTimeouts(t: IpvsTimeouts): Promise<void> {
    this.timeouts = t;
    return Promise.resolve();
  }
  connections(): Promise<never[]> {
    return Promise.resolve([]);
  }
  loadOwned(): Promise<string[]> {
    return Promise.resolve([...this.owned]);
  }
  saveOwned(keys: readonly string[]): Promise<void> {
    this.owned = [...keys];
    return Promise.resolve();
  }
  close(): void {
    this.closed = true;
  }
}
