// The seeds' experiments, each as a drill: a precondition reached without measuring, then
// a client load through the VIP while the fault is applied and the lab reacts, then a
// short tail. What each one does (the seeds did these by hand and watched):
//   failover   the master director loses power (cable pulled, software killed -9): the
//              next backup takes the VIP after Master_Down_Interval;
//   failback   it comes back: it preempts (higher priority) and takes the VIP back;
//   rs-down    a real server's web server is killed ("killall nginx"): its director
//              stops sending it requests once it sees it dead;
//   rs-up      the web server starts again: the checker puts it back in the pool;
//   reload     every director's real server weights change and `halb ctl reload` runs,
//              then back again: no request may fail;
//   partition  the directors stop hearing each other (split brain: both masters) while
//              the client still reaches them; 1 s into the split brain the link heals and
//              one master stays. With advert_int 1 and priorities 150/100 that heal always
//              falls where the remaining master's advert crosses first (docs/lab.md):
//              the worst case for a client that followed the other master, every time.
import { HalbError } from '../core/errors.js';
import { ensureBaseline, healthView, vipHolders, waitUntil } from './baseline.js';
import { killWeb, powerOff, powerOn, reviveWeb, setPartition } from './faults.js';
import { LoadRun, Observer, now, probe, type LoadOptions } from './observe.js';
import { reloadAll, writeConfigs } from './processes.js';
import { LongLivedRun, conntrackStatus, type LongLivedRecord } from './long-lived.js';
import { reloadVrrp } from './drill-reload-vrrp.js';
import type { DrillExpect, DrillName, DrillRecord, Mark, MarkKind } from './report-types.js';
import { writeState, type LabState } from './state.js';
import { masterDownIntervalMs, nextMaster, type Director, type RealServerHost } from './topology.js';

export interface DrillOptions extends LoadOptions {
  readonly log: (line: string) => void;
  /** Load before the fault, and after the lab has settled (ms). */
  readonly baselineMs?: number;
  readonly tailMs?: number;
  /** Keep-alive connections opened before the fault, counted after it (failover, failback). */
  readonly longLived?: number;
}

interface Ctx {
  readonly state: LabState;
  readonly obs: Observer;
  readonly load: LoadRun;
  readonly o: DrillOptions;
  readonly expect: { -readonly [K in keyof DrillExpect]: DrillExpect[K] };
  actionAt: number | undefined;
  mark(kind: MarkKind, text: string, director?: string): number;
}

interface Drill {
  /** Reach the drill's starting point (not measured). */
  prepare(state: LabState, o: DrillOptions): Promise<void>;
  run(c: Ctx): Promise<void>;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const master = (s: LabState): Director => s.topology.directors[0] as Director;
const firstRs = (s: LabState): RealServerHost => s.topology.realServers[0] as RealServerHost;
const settle = (c: Ctx): number => c.o.timeoutMs + 200;

const baseline = (state: LabState, o: DrillOptions): Promise<void> => ensureBaseline(state, o.log);

/** The master, and the backup expected to take over from it after Master_Down_Interval (recorded in c.expect). */
function expectTakeover(c: Ctx, drill: string): { m: Director; next: Director; mdi: number } {
  const m = master(c.state);
  const next = nextMaster(c.state.topology, new Set([m.role]));
  if (next === undefined) throw new HalbError('HALB_ERR_USAGE', `${drill} needs a second director (--directors 2 or more)`);
  const mdi = masterDownIntervalMs(c.state.options.advertInt, next.priority);
  c.expect.takeoverBy = next.role;
  c.expect.masterDownIntervalMs = mdi;
  return { m, next, mdi };
}

const failover: Drill = {
  prepare: baseline,
  async run(c) {
    const { m, next, mdi } = expectTakeover(c, 'failover');
    const at = c.mark('power-off', `${m.role} loses power (cable pulled, ${m.software} killed -9)`, m.role);
    c.actionAt = at;
    await powerOff(c.state, m);
    await waitUntil(`${next.role} to take the VIP`, () => c.obs.holders().includes(next.role), mdi + 5000, 20);
    const took = c.mark('note', `${next.role} holds the VIP`, next.role);
    await waitUntil('the client to be served again', () => c.load.recovered(took, 10, settle(c)), 15_000, 50);
  },
};

const failback: Drill = {
  async prepare(state, o) {
    const m = master(state);
    if (state.poweredOff.includes(m.role) && state.poweredOff.length === 1 && state.stoppedWeb.length === 0) return;
    await ensureBaseline(state, o.log);
    const next = nextMaster(state.topology, new Set([m.role]));
    if (next === undefined) throw new HalbError('HALB_ERR_USAGE', 'failback needs a second director (--directors 2 or more)');
    o.log(`failback: first powering ${m.role} off (not measured)`);
    await powerOff(state, m);
    await waitUntil(`${next.role} to take the VIP`, async () => (await vipHolders(state)).includes(next.role), 20_000, 100);
    await waitUntil('the client to be served', async () => (await probe(state, 5, 50)).every((s) => s.ok), 15_000, 200);
  },
  async run(c) {
    const m = master(c.state);
    c.expect.takeoverBy = m.role;
    const at = c.mark('power-on', `${m.role} powers on: cable back, ${m.software} starts and preempts (priority ${m.priority})`, m.role);
    c.actionAt = at;
    await powerOn(c.state, m);
    await waitUntil(`${m.role} alone to hold the VIP`, () => c.obs.holders().join() === m.role, 20_000, 20);
    const took = c.mark('note', `${m.role} holds the VIP alone`, m.role);
    await waitUntil('the client to be served', () => c.load.recovered(took, 10, settle(c)), 15_000, 50);
  },
};

const rsDown: Drill = {
  prepare: baseline,
  async run(c) {
    const rs = firstRs(c.state);
    const holder = c.obs.holders()[0] ?? master(c.state).role;
    Object.assign(c.expect, { rsAddress: rs.address, rsName: rs.role, detectOn: holder });
    const at = c.mark('action', `${rs.role}'s web server is killed (killall nginx)`);
    c.actionAt = at;
    await killWeb(c.state, rs);
    await waitUntil(`${holder} to see ${rs.role} down`,
      () => c.obs.logEvents.some((e) => e.director === holder && e.kind === 'rs-down' && e.rs === rs.address && e.at >= at), 15_000, 20);
    // Keep the load on: after detection no request may go to the dead server.
    await pause(2000);
  },
};

const rsUp: Drill = {
  async prepare(state, o) {
    const rs = firstRs(state);
    if (state.stoppedWeb.length === 1 && state.stoppedWeb[0] === rs.role && state.poweredOff.length === 0) return;
    await ensureBaseline(state, o.log);
    o.log(`rs-up: first killing ${rs.role}'s web server (not measured)`);
    await killWeb(state, rs);
    await waitUntil(`${rs.role} down in ${master(state).role}'s health view`, async () => (await healthView(state, master(state))).get(rs.address) === false, 20_000, 200);
  },
  async run(c) {
    const rs = firstRs(c.state);
    const holder = c.obs.holders()[0] ?? master(c.state).role;
    Object.assign(c.expect, { rsAddress: rs.address, rsName: rs.role, detectOn: holder });
    const at = c.mark('action', `${rs.role}'s web server starts again`);
    c.actionAt = at;
    await reviveWeb(c.state, rs);
    await waitUntil(`${holder} to see ${rs.role} up`,
      () => c.obs.logEvents.some((e) => e.director === holder && e.kind === 'rs-up' && e.rs === rs.address && e.at >= at), 20_000, 20);
    await waitUntil(`the client to be served by ${rs.role}`, () => c.load.samples.some((s) => s.ok && s.rs === rs.role && s.s >= at), 10_000, 20);
  },
};

const reload: Drill = {
  prepare: baseline,
  async run(c) {
    for (const w of [2, 1]) {
      c.state.weight = w;
      writeState(c.state);
      writeConfigs(c.state);
      const at = c.mark('action', `every real server's weight set to ${w}; halb ctl reload on each director`);
      c.actionAt ??= at;
      for (const line of await reloadAll(c.state)) c.mark('note', line);
      await pause(1500);
    }
  },
};

const partition: Drill = {
  prepare: baseline,
  async run(c) {
    const { m, mdi } = expectTakeover(c, 'partition');
    const at = c.mark('partition', 'the directors stop hearing each other (their switch ports isolated)');
    c.actionAt = at;
    await setPartition(c.state, true);
    await waitUntil('split brain (two masters)', () => c.obs.holders().length >= 2, mdi + 5000, 20);
    c.mark('note', `split brain: ${c.obs.holders().join(' and ')} hold the VIP`);
    await pause(1000);
    c.mark('heal', 'the link between the directors heals');
    await setPartition(c.state, false);
    await waitUntil(`${m.role} alone to hold the VIP`, () => c.obs.holders().join() === m.role, 15_000, 20);
    const alone = c.mark('note', `${m.role} holds the VIP alone`, m.role);
    // A client that followed the split-brain master keeps its MAC until its neighbour
    // entry expires, unless the remaining master announces itself again.
    await waitUntil('the client to be served again after the heal', () => c.load.recovered(alone, 10, settle(c)), 10_000, 50);
  },
};

export const DRILL_TABLE: Readonly<Record<DrillName, Drill>> = {
  failover, failback, 'rs-down': rsDown, 'rs-up': rsUp, reload, partition, 'reload-vrrp': reloadVrrp,
};

/** Run one drill; a failure is recorded in the record (error), never thrown. */
export async function runDrill(state: LabState, name: DrillName, o: DrillOptions): Promise<DrillRecord> {
  const t = state.topology;
  const base = { drill: name, directors: t.directors.map((d) => d.role), realServers: t.realServers.map((r) => r.role) };
  try {
    await DRILL_TABLE[name].prepare(state, o);
  } catch (e) {
    const at = now();
    return {
      ...base, startedAt: at, endedAt: at, actionAt: undefined, error: `could not reach the drill's starting point: ${e instanceof Error ? e.message : String(e)}`,
      initialHolders: [], initialPoweredOff: [...state.poweredOff], samples: [], vipEvents: [], logEvents: [], marks: [], expect: {},
    };
  }
  const obs = new Observer(state);
  await obs.start();
  const initialPoweredOff = [...state.poweredOff];
  const startedAt = now();
  const load = new LoadRun(state, o);
  const marks: Mark[] = [];
  const c: Ctx = {
    state, obs, load, o, expect: {}, actionAt: undefined,
    mark(kind, text, director) {
      const at = now();
      marks.push({ at, kind, text, ...(director !== undefined ? { director } : {}) });
      return at;
    },
  };
  let error: string | undefined;
  let ll: LongLivedRun | undefined;
  let longLived: LongLivedRecord | undefined;
  try {
    if (o.longLived !== undefined && o.longLived > 0 && (name === 'failover' || name === 'failback')) ll = await LongLivedRun.start(state, o.longLived);
    await load.sending(60_000);
    await pause(o.baselineMs ?? 1000);
    await DRILL_TABLE[name].run(c);
    await pause(o.tailMs ?? 1000);
    if (ll !== undefined) {
      // Every survivor has asked ~10 times a second since the client was served again.
      await pause(2000);
      const holder = t.directors.find((d) => d.role === obs.holders()[0]);
      const status = holder !== undefined ? await conntrackStatus(state, holder) : undefined;
      const conns = await ll.stop();
      ll = undefined;
      longLived = {
        dataplane: t.options.dataplane, opened: o.longLived!, conns,
        ...(holder !== undefined && status !== undefined ? { sync: { director: holder.role, status } } : {}),
      };
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  await ll?.stop();
  await load.stop();
  obs.stop();
  return {
    ...base, startedAt, endedAt: now(), actionAt: c.actionAt, error,
    initialHolders: obs.initialHolders, initialPoweredOff, samples: load.samples,
    vipEvents: obs.vipEvents, logEvents: obs.logEvents, marks, expect: c.expect,
    ...(longLived !== undefined ? { longLived } : {}),
  };
}
