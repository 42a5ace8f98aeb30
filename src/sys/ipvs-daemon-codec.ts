// The IPVS sync daemon over generic netlink (include/uapi/linux/ip_vs.h,
// net/netfilter/ipvs/ip_vs_ctl.c ip_vs_genl_new_daemon / ip_vs_genl_fill_daemon):
// NEW_DAEMON starts the kernel's master (sender) or backup (receiver) sync thread,
// DEL_DAEMON stops it, GET_DAEMON dumps the running ones as NEW_DAEMON messages. What
// keepalived's libipvs ipvs_start_daemon / ipvs_stop_daemon send, and `ipvsadm
// --start-daemon / --stop-daemon / -L --daemon`. Pure: no sockets.
//
// Byte order as the kernel reads them: STATE and SYNC_ID u32, SYNC_MAXLEN and MCAST_PORT
// u16 in HOST order (nla_get_u16, unlike the service's big-endian port), MCAST_TTL u8,
// MCAST_GROUP the IPv4 address as it is on the wire (nla_get_in_addr), MCAST_GROUP6 the
// 16 bytes. SYNC_MAXLEN .. MCAST_TTL need Linux >= 4.3; older kernels ignore them.
import { IPVS_CMD, IPVS_CMD_ATTR, IPVS_GENL_VERSION, genlMessage, parseGenl } from './ipvs-codec.js';
import { addrBytes, bytesToAddr, nla, nlaNested, nlaStr, nlaU32, nlaU8, parseAttrs, NLM_F } from './netlink-codec.js';
import type { IpvsSyncDaemon, IpvsSyncRole } from '../core/ipvs-types.js';

export const IPVS_DAEMON_ATTR = {
  STATE: 1, MCAST_IFN: 2, SYNC_ID: 3, SYNC_MAXLEN: 4, MCAST_GROUP: 5, MCAST_GROUP6: 6, MCAST_PORT: 7, MCAST_TTL: 8,
} as const;

/** ip_vs.h IP_VS_STATE_MASTER / IP_VS_STATE_BACKUP. */
export const IP_VS_STATE = { MASTER: 1, BACKUP: 2 } as const;

const u16 = (type: number, v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v, 0);
  return nla(type, b);
};

function daemonAttrs(d: IpvsSyncDaemon): Buffer[] {
  const out = [nlaU32(IPVS_DAEMON_ATTR.STATE, IP_VS_STATE[d.role]), nlaStr(IPVS_DAEMON_ATTR.MCAST_IFN, d.interface), nlaU32(IPVS_DAEMON_ATTR.SYNC_ID, d.syncId)];
  // As libipvs: optional values are sent only when set, so an old kernel sees what it knows.
  if (d.maxLen !== undefined && d.maxLen > 0) out.push(u16(IPVS_DAEMON_ATTR.SYNC_MAXLEN, d.maxLen));
  if (d.port !== undefined && d.port > 0) out.push(u16(IPVS_DAEMON_ATTR.MCAST_PORT, d.port));
  if (d.ttl !== undefined && d.ttl > 0) out.push(nlaU8(IPVS_DAEMON_ATTR.MCAST_TTL, d.ttl));
  if (d.group !== undefined) {
    const g = addrBytes(d.group);
    out.push(nla(g.family === 4 ? IPVS_DAEMON_ATTR.MCAST_GROUP : IPVS_DAEMON_ATTR.MCAST_GROUP6, g.bytes));
  }
  return out;
}

const REQ = NLM_F.REQUEST | NLM_F.ACK;

/** NEW_DAEMON: start the master or backup sync thread (EEXIST when that role already runs). */
export function encodeNewDaemon(familyId: number, seq: number, d: IpvsSyncDaemon): Buffer {
  return genlMessage(familyId, IPVS_CMD.NEW_DAEMON, IPVS_GENL_VERSION, REQ, seq, [nlaNested(IPVS_CMD_ATTR.DAEMON, daemonAttrs(d))]);
}

/** DEL_DAEMON: stop the thread of one role (the kernel reads STATE only; ESRCH when none runs). */
export function encodeDelDaemon(familyId: number, seq: number, role: IpvsSyncRole, syncId: number): Buffer {
  return genlMessage(familyId, IPVS_CMD.DEL_DAEMON, IPVS_GENL_VERSION, REQ, seq, [
    nlaNested(IPVS_CMD_ATTR.DAEMON, [nlaU32(IPVS_DAEMON_ATTR.STATE, IP_VS_STATE[role]), nlaU32(IPVS_DAEMON_ATTR.SYNC_ID, syncId)]),
  ]);
}

/** GET_DAEMON, a dump: one NEW_DAEMON message per running thread. */
export function encodeGetDaemons(familyId: number, seq: number): Buffer {
  return genlMessage(familyId, IPVS_CMD.GET_DAEMON, IPVS_GENL_VERSION, NLM_F.REQUEST | NLM_F.DUMP, seq);
}

/** One entry of a GET_DAEMON dump; undefined when it is not a well-formed daemon. Never throws. */
export function decodeDaemon(body: Buffer): IpvsSyncDaemon | undefined {
  const nest = parseGenl(body)?.attrs.find((a) => a.type === IPVS_CMD_ATTR.DAEMON);
  if (nest === undefined) return undefined;
  const m = new Map(parseAttrs(nest.value).map((a) => [a.type, a.value]));
  const state = m.get(IPVS_DAEMON_ATTR.STATE);
  const ifn = m.get(IPVS_DAEMON_ATTR.MCAST_IFN);
  const id = m.get(IPVS_DAEMON_ATTR.SYNC_ID);
  if (state === undefined || state.length < 4 || ifn === undefined || id === undefined || id.length < 4) return undefined;
  const code = state.readUInt32LE(0);
  const role: IpvsSyncRole | undefined = code === IP_VS_STATE.MASTER ? 'MASTER' : code === IP_VS_STATE.BACKUP ? 'BACKUP' : undefined;
  if (role === undefined) return undefined;
  const nul = ifn.indexOf(0);
  const rd16 = (t: number): number | undefined => {
    const b = m.get(t);
    return b !== undefined && b.length >= 2 ? b.readUInt16LE(0) : undefined;
  };
  const g4 = m.get(IPVS_DAEMON_ATTR.MCAST_GROUP);
  const g6 = m.get(IPVS_DAEMON_ATTR.MCAST_GROUP6);
  const group = g6 !== undefined && g6.length >= 16 ? bytesToAddr(g6.subarray(0, 16)) : g4 !== undefined && g4.length >= 4 ? bytesToAddr(g4.subarray(0, 4)) : undefined;
  const ttl = m.get(IPVS_DAEMON_ATTR.MCAST_TTL);
  const maxLen = rd16(IPVS_DAEMON_ATTR.SYNC_MAXLEN);
  const port = rd16(IPVS_DAEMON_ATTR.MCAST_PORT);
  return {
    role, interface: ifn.subarray(0, nul === -1 ? ifn.length : nul).toString('latin1'), syncId: id.readUInt32LE(0),
    ...(maxLen !== undefined ? { maxLen } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(ttl !== undefined && ttl.length >= 1 ? { ttl: ttl[0]! } : {}),
  };
}
