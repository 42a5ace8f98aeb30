// The classic BPF program attached to a VRRP receive socket (SO_ATTACH_FILTER), built as
// data: a packet flood is dropped in the kernel, before it costs the VRRP thread a
// wake-up, a copy and a decode. The program keeps only what could be an advert for one
// of the instances on that socket: IP protocol 112, TTL 255 (multicast sockets: RFC 5798
// §7.1), a VRRP version that is configured there, one of its VRIDs, and at least a VRRP
// header's worth of bytes. Anything it passes is still checked in full by the codec.
//
// An IPv4 raw socket's filter sees the packet from the IP header; an IPv6 one sees the
// payload only (the hop limit is checked in JavaScript from IPV6_HOPLIMIT).
import { endianness } from 'node:os';
import { IPPROTO_VRRP } from './constants.js';

/** One classic BPF instruction (struct sock_filter). */
export interface BpfInsn {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

// linux/bpf_common.h and linux/filter.h
export const BPF = {
  LD_B_ABS: 0x30, LD_B_IND: 0x50, LD_W_LEN: 0x80, LDX_B_MSH: 0xb1,
  ALU_SUB_X: 0x1c, ALU_AND_K: 0x54, JMP_JEQ_K: 0x15, JMP_JGE_K: 0x35, RET_K: 0x06,
} as const;

/** What a socket's receivers accept. */
export interface VrrpFilterSpec {
  readonly family: 4 | 6;
  /** VRRP versions configured on this socket (2, 3). */
  readonly versions: readonly (2 | 3)[];
  /** VRIDs configured on this socket; empty: nothing is accepted (a send-only socket). */
  readonly vrids: readonly number[];
  /** Require TTL 255 (IPv4 multicast receive sockets; unicast peers have their own TTL rules). */
  readonly ttl255: boolean;
}

const ACCEPT_BYTES = 0x40000;
/** Past this many VRIDs on one socket the jump offsets would not fit in a byte: any VRID passes. */
const MAX_VRIDS = 200;

/** The smallest VRRP packet: the 8-byte header (v2 adds 8 bytes of authentication data). */
export function minVrrpBytes(versions: readonly (2 | 3)[]): number {
  return versions.includes(3) ? 8 : 16;
}

/** Build the program. Jumps are relative: `jt`/`jf` count instructions to skip. */
export function buildVrrpFilter(spec: VrrpFilterSpec): BpfInsn[] {
  const ins = (code: number, k = 0, jt = 0, jf = 0): BpfInsn => ({ code, jt, jf, k });
  if (spec.vrids.length === 0 || spec.versions.length === 0) return [ins(BPF.RET_K, 0)];
  const body: (BpfInsn | { readonly rejectIf: 'ne'; readonly code: number; readonly k: number })[] = [];
  // A conditional that falls through on success and jumps to the final `reject` otherwise.
  const need = (code: number, k: number): void => { body.push({ rejectIf: 'ne', code, k }); };
  if (spec.family === 4) {
    body.push(ins(BPF.LD_B_ABS, 9));
    need(BPF.JMP_JEQ_K, IPPROTO_VRRP);
    if (spec.ttl255) {
      body.push(ins(BPF.LD_B_ABS, 8));
      need(BPF.JMP_JEQ_K, 255);
    }
    body.push(ins(BPF.LDX_B_MSH, 0));
  }
  // len - X (IPv4: the IP header length; IPv6: X is 0) >= the smallest VRRP packet.
  body.push(ins(BPF.LD_W_LEN), ins(BPF.ALU_SUB_X));
  need(BPF.JMP_JGE_K, minVrrpBytes(spec.versions));
  const versions = [...new Set(spec.versions)].sort();
  const vrids = spec.vrids.length > MAX_VRIDS ? [] : [...new Set(spec.vrids)].sort((a, b) => a - b);
  // The version nibble: one of the configured ones, else reject.
  body.push(ins(BPF.LD_B_IND, 0), ins(BPF.ALU_AND_K, 0xf0));
  const out: BpfInsn[] = [];
  // Resolve `need` entries now that the total length is known.
  const vridBlock = vrids.length === 0 ? 0 : 1 + vrids.length;
  const total = body.length + versions.length + vridBlock + 2; // + accept + reject
  const rejectAt = total - 1;
  const acceptAt = total - 2;
  body.forEach((b, i) => {
    if ('rejectIf' in b) out.push(ins(b.code, b.k, 0, rejectAt - i - 1));
    else out.push(b);
  });
  // Each configured version jumps past the remaining version tests; none matching: reject.
  versions.forEach((v, j) => {
    const i = out.length;
    const afterVersions = body.length + versions.length;
    if (j === versions.length - 1) out.push(ins(BPF.JMP_JEQ_K, v << 4, 0, rejectAt - i - 1));
    else out.push(ins(BPF.JMP_JEQ_K, v << 4, afterVersions - i - 1, 0));
  });
  if (vrids.length > 0) {
    out.push(ins(BPF.LD_B_IND, 1));
    vrids.forEach((id, j) => {
      const i = out.length;
      if (j === vrids.length - 1) out.push(ins(BPF.JMP_JEQ_K, id, acceptAt - i - 1, rejectAt - i - 1));
      else out.push(ins(BPF.JMP_JEQ_K, id, acceptAt - i - 1, 0));
    });
  }
  out.push(ins(BPF.RET_K, ACCEPT_BYTES), ins(BPF.RET_K, 0));
  return out;
}

/** struct sock_filter[] as the kernel reads it: u16 code, u8 jt, u8 jf, u32 k, host byte order. */
export function encodeBpf(prog: readonly BpfInsn[]): Buffer {
  const le = endianness() === 'LE';
  const b = Buffer.alloc(prog.length * 8);
  prog.forEach((p, i) => {
    if (le) b.writeUInt16LE(p.code, i * 8);
    else b.writeUInt16BE(p.code, i * 8);
    b.writeUInt8(p.jt, i * 8 + 2);
    b.writeUInt8(p.jf, i * 8 + 3);
    if (le) b.writeUInt32LE(p.k >>> 0, i * 8 + 4);
    else b.writeUInt32BE(p.k >>> 0, i * 8 + 4);
  });
  return b;
}

/**
 * Run a program over a packet the way the kernel does (the subset used above): the
 * accepted byte count, 0 = dropped. For the unit tests and for checking a program before
 * it is attached.
 */
export function runBpf(prog: readonly BpfInsn[], pkt: Uint8Array): number {
  let a = 0;
  let x = 0;
  for (let pc = 0; pc < prog.length; pc++) {
    const p = prog[pc]!;
    switch (p.code) {
      case BPF.LD_B_ABS:
      case BPF.LD_B_IND: {
        const at = p.k + (p.code === BPF.LD_B_IND ? x : 0);
        if (at >= pkt.length) return 0; // out of bounds: the kernel drops the packet
        a = pkt[at]!;
        break;
      }
      case BPF.LD_W_LEN: a = pkt.length; break;
      case BPF.LDX_B_MSH:
        if (p.k >= pkt.length) return 0;
        x = (pkt[p.k]! & 0x0f) * 4;
        break;
      case BPF.ALU_SUB_X: a = (a - x) >>> 0; break;
      case BPF.ALU_AND_K: a = (a & p.k) >>> 0; break;
      case BPF.JMP_JEQ_K: pc += a === p.k ? p.jt : p.jf; break;
      case BPF.JMP_JGE_K: pc += a >= p.k ? p.jt : p.jf; break;
      case BPF.RET_K: return p.k;
      default: throw new RangeError(`BPF opcode 0x${p.code.toString(16)} not supported`);
    }
  }
  return 0;
}
