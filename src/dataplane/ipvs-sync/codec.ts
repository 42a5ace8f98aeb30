// IPVS connection synchronisation, protocol version 1: the UDP payloads the kernel's
// sync daemon (keepalived's `lvs_sync_daemon`) multicasts from the master director to
// the backups, by default to 224.0.0.81:8848. Layout from the kernel's
// net/netfilter/ipvs/ip_vs_sync.c (header comment and struct ip_vs_sync_mesg /
// ip_vs_sync_v4 / ip_vs_sync_v6); the checks are those of ip_vs_process_message() and
// ip_vs_proc_sync_conn(), with their log text as the detail. Pure: bytes in, values out.
//
//   message  reserved u8 = 0 | syncid u8 | size be16 | nr_conns u8 | version s8 = 1 | spare u16 = 0
//   conn     type u8 (bit 0 IPv6) | protocol u8 | ver_size be16 (version << 12 | size)
//            flags be32 | state be16 | cport vport dport be16 | fwmark be32 | timeout be32 (s)
//            caddr vaddr daddr (4 or 16 bytes each)        36 bytes IPv4, 72 IPv6
//            options: type u8 | len u8 | data              SEQ_DATA 1 (24 bytes), PE_DATA 2, PE_NAME 3;
//                                                         unknown types without bit 0x40 are mandatory
//            next conn starts 32-bit aligned
import { isIP } from 'node:net';

export const IPVS_SYNC = {
  /** IP_VS_SYNC_GROUP / IP_VS_SYNC_PORT */
  group: '224.0.0.81',
  port: 8848,
  /** SYNC_PROTO_VER */
  version: 1,
  headerSize: 8,
  connSizeV4: 36,
  connSizeV6: 72,
  /** STYPE_F_INET6 */
  typeInet6: 0x01,
  /** SVER_SHIFT / SVER_MASK */
  verShift: 12,
  sizeMask: 0x0fff,
  optSeqData: 1,
  optPeData: 2,
  optPeName: 3,
  /** IPVS_OPT_F_PARAM: options with this bit set may be skipped by a receiver that does not know them */
  optFlagParam: 1 << (7 - 1),
  /** sizeof(struct ip_vs_sync_conn_options): two struct ip_vs_seq */
  seqOptSize: 24,
  /** IP_VS_PEDATA_MAXLEN, IP_VS_PENAME_MAXLEN */
  peDataMax: 255,
  peNameMax: 16,
} as const;

/** struct ip_vs_seq: NAT sequence number deltas (FTP helper). */
export interface SyncSeq {
  readonly initSeq: number;
  readonly delta: number;
  readonly previousDelta: number;
}

export interface SyncConn {
  readonly family: 4 | 6;
  /** IP protocol: 6 TCP, 17 UDP, 132 SCTP. */
  readonly protocol: number;
  /** IP_VS_CONN_F_* (0x100 INACTIVE, 0x1000 TEMPLATE, forwarding method in the low bits). */
  readonly flags: number;
  /** The protocol's IPVS state (TCP: 1 ESTABLISHED, 4 FIN_WAIT, 5 TIME_WAIT, ...). */
  readonly state: number;
  readonly cport: number;
  readonly vport: number;
  readonly dport: number;
  readonly fwmark: number;
  readonly timeoutS: number;
  readonly caddr: string;
  readonly vaddr: string;
  readonly daddr: string;
  readonly seq?: { readonly in: SyncSeq; readonly out: SyncSeq };
  readonly peName?: string;
  readonly peData?: Uint8Array;
  /** Skippable options this codec does not know (type has IPVS_OPT_F_PARAM), kept as they came. */
  readonly params?: readonly { readonly type: number; readonly data: Uint8Array }[];
}

export interface SyncMessage {
  readonly syncId: number;
  readonly conns: readonly SyncConn[];
}

export type SyncDropReason =
  | 'TOO_SHORT' | 'VERSION_0' | 'BOGUS_SIZE' | 'UNKNOWN_VERSION'
  | 'CONN_TOO_SMALL' | 'CONN_PAST_END' | 'CONN_UNKNOWN_VERSION' | 'BOGUS_CONN'
  | 'BAD_PARAM' | 'BAD_SEQ_DATA' | 'BAD_PE' | 'UNKNOWN_MANDATORY_PARAM';

export type SyncDecodeResult =
  | { readonly ok: true; readonly message: SyncMessage }
  | { readonly ok: false; readonly reason: SyncDropReason; readonly detail: string };

function drop(reason: SyncDropReason, detail: string): SyncDecodeResult {
  return { ok: false, reason, detail };
}

function addrOf(b: Buffer, off: number, family: 4 | 6): string {
  if (family === 4) return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(off + i).toString(16));
  // Shorten the longest run of zero groups, as inet_ntop does.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function seqAt(b: Buffer, off: number): SyncSeq {
  return { initSeq: b.readUInt32BE(off), delta: b.readUInt32BE(off + 4), previousDelta: b.readUInt32BE(off + 8) };
}

type ConnResult = { ok: true; conn: SyncConn } | { ok: false; reason: SyncDropReason; detail: string };

/** ip_vs_proc_sync_conn(): one entry, `last` its end. */
function decodeConn(b: Buffer, p: number, last: number): ConnResult {
  const family = (b[p]! & IPVS_SYNC.typeInet6) !== 0 ? 6 : 4;
  const fixed = family === 6 ? IPVS_SYNC.connSizeV6 : IPVS_SYNC.connSizeV4;
  if (p + fixed > last) return { ok: false, reason: 'BOGUS_CONN', detail: `BACKUP, bogus conn: ${last - p} bytes for an IPv${family} entry of ${fixed}` };
  const alen = family === 6 ? 16 : 4;
  const base = {
    family, protocol: b[p + 1]!, flags: b.readUInt32BE(p + 4), state: b.readUInt16BE(p + 8),
    cport: b.readUInt16BE(p + 10), vport: b.readUInt16BE(p + 12), dport: b.readUInt16BE(p + 14),
    fwmark: b.readUInt32BE(p + 16), timeoutS: b.readUInt32BE(p + 20),
    caddr: addrOf(b, p + 24, family), vaddr: addrOf(b, p + 24 + alen, family), daddr: addrOf(b, p + 24 + 2 * alen, family),
  } as const;
  let seq: SyncConn['seq'];
  let peName: string | undefined;
  let peData: Uint8Array | undefined;
  const params: { type: number; data: Uint8Array }[] = [];
  let q = p + fixed;
  while (q < last) {
    if (q + 2 > last) return { ok: false, reason: 'BAD_PARAM', detail: 'BACKUP, Dropping buffer, Err: -20 in decoding (option header past the entry)' };
    const type = b[q]!;
    const len = b[q + 1]!;
    q += 2;
    if (len === 0 || q + len > last) return { ok: false, reason: 'BAD_PARAM', detail: `BACKUP, Dropping buffer, Err: -30 in decoding (option ${type}: length ${len})` };
    const data = b.subarray(q, q + len);
    if (type === IPVS_SYNC.optSeqData) {
      if (len !== IPVS_SYNC.seqOptSize || seq !== undefined) return { ok: false, reason: 'BAD_SEQ_DATA', detail: `BACKUP, Dropping buffer, Err: -40 in decoding (seq data of ${len} bytes${seq !== undefined ? ', twice' : ''})` };
      seq = { in: seqAt(b, q), out: seqAt(b, q + 12) };
    } else if (type === IPVS_SYNC.optPeData) {
      if (peData !== undefined || len > IPVS_SYNC.peDataMax) return { ok: false, reason: 'BAD_PE', detail: 'BACKUP, Dropping buffer, Err: -50 in decoding (pe data)' };
      peData = Uint8Array.from(data);
    } else if (type === IPVS_SYNC.optPeName) {
      if (peName !== undefined || len > IPVS_SYNC.peNameMax) return { ok: false, reason: 'BAD_PE', detail: 'BACKUP, Dropping buffer, Err: -60 in decoding (pe name)' };
      peName = data.toString('latin1');
    } else if ((type & IPVS_SYNC.optFlagParam) === 0) {
      return { ok: false, reason: 'UNKNOWN_MANDATORY_PARAM', detail: `BACKUP, Unknown mandatory param ${type} found` };
    } else {
      params.push({ type, data: Uint8Array.from(data) });
    }
    q += len;
  }
  return {
    ok: true,
    conn: {
      ...base,
      ...(seq !== undefined ? { seq } : {}), ...(peName !== undefined ? { peName } : {}), ...(peData !== undefined ? { peData } : {}),
      ...(params.length > 0 ? { params } : {}),
    },
  };
}

/** ip_vs_process_message(): a whole UDP payload. Never throws. */
export function decodeSyncMessage(buf: Uint8Array): SyncDecodeResult {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < IPVS_SYNC.headerSize) return drop('TOO_SHORT', `BACKUP, message header too short (${b.length} bytes)`);
  // "first byte should be Zero, so ver 0 receivers will drop the packet"
  if (b[0] !== 0) return drop('VERSION_0', `a version 0 message (${b[0]} connections): not decoded`);
  const size = b.readUInt16BE(2);
  if (size !== b.length) return drop('BOGUS_SIZE', `BACKUP v1, bogus message size: header says ${size}, datagram has ${b.length}`);
  const version = b.readInt8(5);
  if (version !== IPVS_SYNC.version || b.readUInt16BE(6) !== 0) return drop('UNKNOWN_VERSION', `BACKUP, Unknown version ${version} or spare ${b.readUInt16BE(6)}`);
  const nr = b[4]!;
  const conns: SyncConn[] = [];
  let next = IPVS_SYNC.headerSize;
  for (let i = 0; i < nr; i++) {
    const p = next;
    if (p + IPVS_SYNC.connSizeV4 > b.length) return drop('CONN_TOO_SMALL', `BACKUP, Dropping buffer, too small (connection ${i + 1} of ${nr} at byte ${p})`);
    const vs = b.readUInt16BE(p + 2);
    const csize = vs & IPVS_SYNC.sizeMask;
    if (p + csize > b.length) return drop('CONN_PAST_END', `BACKUP, Dropping buffer, msg > buffer (connection ${i + 1} of ${csize} bytes at byte ${p})`);
    if (vs >> IPVS_SYNC.verShift !== 0) return drop('CONN_UNKNOWN_VERSION', `BACKUP, Dropping buffer, Unknown version ${vs >> IPVS_SYNC.verShift}`);
    const r = decodeConn(b, p, p + csize);
    if (!r.ok) return drop(r.reason, r.detail);
    conns.push(r.conn);
    // "Make sure we have 32 bit alignment"
    next = p + ((csize + 3) & ~3);
  }
  return { ok: true, message: { syncId: b[1]!, conns } };
}

function putAddr(b: Buffer, off: number, addr: string, family: 4 | 6): void {
  if (isIP(addr) !== family) throw new RangeError(`IPVS sync: ${addr} is not an IPv${family} address`);
  if (family === 4) {
    addr.split('.').forEach((o, i) => { b[off + i] = Number(o); });
    return;
  }
  const [head, tail] = addr.includes('::') ? addr.split('::') as [string, string] : [addr, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), off + 2 * i));
}

function encodeConn(c: SyncConn): Buffer {
  const fixed = c.family === 6 ? IPVS_SYNC.connSizeV6 : IPVS_SYNC.connSizeV4;
  const opts: Buffer[] = [];
  const opt = (type: number, data: Uint8Array): void => {
    if (data.length === 0 || data.length > 255) throw new RangeError(`IPVS sync: option ${type} of ${data.length} bytes`);
    opts.push(Buffer.from([type, data.length]), Buffer.from(data));
  };
  if (c.seq !== undefined) {
    const s = Buffer.alloc(IPVS_SYNC.seqOptSize);
    [c.seq.in, c.seq.out].forEach((q, i) => {
      s.writeUInt32BE(q.initSeq >>> 0, i * 12);
      s.writeUInt32BE(q.delta >>> 0, i * 12 + 4);
      s.writeUInt32BE(q.previousDelta >>> 0, i * 12 + 8);
    });
    opt(IPVS_SYNC.optSeqData, s);
  }
  // The kernel writes the PE name before the PE data.
  if (c.peName !== undefined) opt(IPVS_SYNC.optPeName, Buffer.from(c.peName, 'latin1'));
  if (c.peData !== undefined) opt(IPVS_SYNC.optPeData, c.peData);
  for (const p of c.params ?? []) opt(p.type, p.data);
  const b = Buffer.alloc(fixed);
  const alen = c.family === 6 ? 16 : 4;
  const size = fixed + opts.reduce((n, o) => n + o.length, 0);
  if (size > IPVS_SYNC.sizeMask) throw new RangeError(`IPVS sync: a connection entry of ${size} bytes`);
  b[0] = c.family === 6 ? IPVS_SYNC.typeInet6 : 0;
  b[1] = c.protocol;
  b.writeUInt16BE(size, 2);
  b.writeUInt32BE(c.flags >>> 0, 4);
  b.writeUInt16BE(c.state, 8);
  b.writeUInt16BE(c.cport, 10);
  b.writeUInt16BE(c.vport, 12);
  b.writeUInt16BE(c.dport, 14);
  b.writeUInt32BE(c.fwmark >>> 0, 16);
  b.writeUInt32BE(c.timeoutS >>> 0, 20);
  putAddr(b, 24, c.caddr, c.family);
  putAddr(b, 24 + alen, c.vaddr, c.family);
  putAddr(b, 24 + 2 * alen, c.daddr, c.family);
  return Buffer.concat([b, ...opts]);
}

/** One message as the kernel's master sends it (entries 32-bit aligned, none after the last). Throws RangeError on values that do not fit. */
export function encodeSyncMessage(m: SyncMessage): Buffer {
  if (m.conns.length > 255) throw new RangeError(`IPVS sync: ${m.conns.length} connections in one message (at most 255)`);
  const parts: Buffer[] = [Buffer.alloc(IPVS_SYNC.headerSize)];
  let len = IPVS_SYNC.headerSize;
  for (const c of m.conns) {
    const pad = (4 - (len & 3)) & 3;
    if (pad > 0) parts.push(Buffer.alloc(pad));
    const e = encodeConn(c);
    parts.push(e);
    len += pad + e.length;
  }
  if (len > 0xffff) throw new RangeError(`IPVS sync: a message of ${len} bytes`);
  const h = parts[0]!;
  h[1] = m.syncId;
  h.writeUInt16BE(len, 2);
  h[4] = m.conns.length;
  h.writeInt8(IPVS_SYNC.version, 5);
  return Buffer.concat(parts);
}

/** Connections and messages seen, for the observer's counters. Pure. */
export function summarise(m: SyncMessage): { readonly conns: number; readonly templates: number } {
  const IP_VS_CONN_F_TEMPLATE = 0x1000;
  return { conns: m.conns.length, templates: m.conns.filter((c) => (c.flags & IP_VS_CONN_F_TEMPLATE) !== 0).length };
}
