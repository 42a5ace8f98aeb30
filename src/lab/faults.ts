// The seeds' experiments as operations on the lab. Each records in state.json what it
// changed, so the next command (another drill, `status`, `down`) knows where the lab is.
//  - power off a director: its cable is pulled at the switch and its software killed
//    with SIGKILL, so nothing of it is left to send a priority-0 advert or an ARP reply;
//  - power it on: the runtime state a reboot would lose (the VIPs, the kernel's conntrack
//    table, its IPVS table with --dataplane ipvs) is gone, the cable is back, its software starts from its keepalived.conf;
//  - partition: the directors' switch ports are isolated from each other (bridge port
//    isolation), so their adverts no longer meet while client and real servers still
//    reach every director: the split brain of the seeds' 脑裂;
//  - stop / start a real server's web server ("killall nginx").
import { NotSupportedError } from '../core/errors.js';
import { execCommand } from '../sys/exec-ns.js';
import { removeAddress, setLinkUp, setPortIsolated } from '../sys/netns.js';
import { startDirector, startWeb, stopDirector, stopWeb } from './processes.js';
import { writeState, type LabState } from './state.js';
import { LAN_IF, type Director, type RealServerHost } from './topology.js';

export async function powerOff(state: LabState, d: Director): Promise<void> {
  await setLinkUp(state.topology.switchNs, d.switchPort, false);
  if (!state.poweredOff.includes(d.role)) state.poweredOff.push(d.role);
  writeState(state);
  await stopDirector(state, d, 'SIGKILL');
}

export async function powerOn(state: LabState, d: Director): Promise<void> {
  const t = state.topology;
  for (const vip of [t.vip, ...(t.gatewayVip !== undefined ? [t.gatewayVip] : [])]) await removeAddress(d.ns, LAN_IF, vip);
  // Whatever the director tracked before its power loss must not help it now.
  const flushes: [string, string[]][] = [['conntrack', ['-F']], ...(t.options.dataplane === 'ipvs' ? [['ipvsadm', ['-C']] as [string, string[]]] : [])];
  for (const [cmd, args] of flushes) {
    // A missing tool (NotSupportedError) leaves that table as the crash left it; halb adopts its own leftovers.
    await execCommand(cmd, args, { netns: d.ns }).catch((e: unknown) => {
      if (!(e instanceof NotSupportedError)) throw e;
    });
  }
  await setLinkUp(t.switchNs, d.switchPort, true);
  state.poweredOff = state.poweredOff.filter((r) => r !== d.role);
  writeState(state);
  await startDirector(state, d);
}

export async function setPartition(state: LabState, on: boolean): Promise<void> {
  for (const d of state.topology.directors) await setPortIsolated(state.topology.switchNs, d.switchPort, on);
}

export async function killWeb(state: LabState, rs: RealServerHost): Promise<void> {
  await stopWeb(state, rs, 'SIGKILL');
  if (!state.stoppedWeb.includes(rs.role)) state.stoppedWeb.push(rs.role);
  writeState(state);
}

export async function reviveWeb(state: LabState, rs: RealServerHost): Promise<void> {
  state.stoppedWeb = state.stoppedWeb.filter((r) => r !== rs.role);
  await startWeb(state, rs);
}
