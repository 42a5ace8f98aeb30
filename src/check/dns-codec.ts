// DNS messages as bytes (RFC 1035 §4), pure: the query DNS_CHECK sends (as keepalived's
// check_dns.c dns_make_query builds it) and a decoder for what comes back. Bad input is a
// value with a reason, never an exception.

/** RFC 1035 §3.2.2 / RFC 3596 §2.1 / RFC 4034 §2.1, §3.1: TYPE values. */
export const DNS_TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, RRSIG: 46, DNSKEY: 48 } as const;
export type DnsTypeName = keyof typeof DNS_TYPE;
/** RFC 1035 §3.2.4: the Internet class. */
export const DNS_CLASS_IN = 1;
/** RFC 1035 §4.1.1 header flag bits. */
export const DNS_FLAG = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080 } as const;
/** RFC 1035 §4.1.1 RCODE values. */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const HEADER_LEN = 12;
/** RFC 1035 §2.3.4: "labels 63 octets or less", "names 255 octets or less". */
const MAX_LABEL = 63;
const MAX_NAME = 255;

export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface DnsRecord extends DnsQuestion {
  readonly ttl: number;
  readonly data: Buffer;
}

export interface DnsMessage {
  readonly id: number;
  readonly flags: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly rcode: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authority: readonly DnsRecord[];
  readonly additional: readonly DnsRecord[];
}

export type DnsDropReason = 'TOO_SHORT' | 'BAD_NAME' | 'POINTER_LOOP' | 'TRUNCATED_RECORD';
export type DecodeResult = { readonly ok: true; readonly msg: DnsMessage } | { readonly ok: false; readonly reason: DnsDropReason; readonly detail: string };

/** Wire form of a dotted name; `.` and `` are the root. Returns a reason for names DNS cannot carry. */
export function encodeName(name: string): Buffer | string {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed === '') return Buffer.from([0]);
  const parts: Buffer[] = [];
  for (const label of trimmed.split('.')) {
    const b = Buffer.from(label, 'latin1');
    if (b.length === 0) return `empty label in '${name}'`;
    if (b.length > MAX_LABEL) return `label '${label}' longer than ${MAX_LABEL} octets`;
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  return out.length > MAX_NAME ? `name '${name}' longer than ${MAX_NAME} octets` : out;
}

export interface QuerySpec {
  id: number;
  name: string;
  type: number;
  /** keepalived sets Recursion Desired. */
  rd?: boolean;
}

export function encodeQuery(q: QuerySpec): Buffer | string {
  return encodeMessage({ id: q.id, flags: q.rd === false ? 0 : DNS_FLAG.RD, questions: [{ name: q.name, type: q.type, class: DNS_CLASS_IN }] });
}

export interface MessageSpec {
  id: number;
  flags: number;
  questions?: readonly DnsQuestion[];
  answers?: readonly DnsRecord[];
}

/** A whole message without compression (what a test responder needs). */
export function encodeMessage(m: MessageSpec): Buffer | string {
  const qs = m.questions ?? [];
  const as = m.answers ?? [];
  const head = Buffer.alloc(HEADER_LEN);
  head.writeUInt16BE(m.id & 0xffff, 0);
  head.writeUInt16BE(m.flags & 0xffff, 2);
  head.writeUInt16BE(qs.length, 4);
  head.writeUInt16BE(as.length, 6);
  const parts: Buffer[] = [head];
  for (const q of qs) {
    const n = encodeName(q.name);
    if (typeof n === 'string') return n;
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(q.type, 0);
    tail.writeUInt16BE(q.class, 2);
    parts.push(n, tail);
  }
  for (const r of as) {
    const n = encodeName(r.name);
    if (typeof n === 'string') return n;
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(r.type, 0);
    fixed.writeUInt16BE(r.class, 2);
    fixed.writeUInt32BE(r.ttl >>> 0, 4);
    fixed.writeUInt16BE(r.data.length, 8);
    parts.push(n, fixed, r.data);
  }
  return Buffer.concat(parts);
}

type NameRead = { ok: true; name: string; next: number } | { ok: false; reason: DnsDropReason; detail: string };

/** RFC 1035 §4.1.4 message compression: a pointer is two octets with the top bits 11. */
function readName(buf: Buffer, start: number): NameRead {
  const labels: string[] = [];
  let pos = start;
  let next = -1;
  let jumps = 0;
  let len = 0;
  for (;;) {
    if (pos >= buf.length) return { ok: false, reason: 'BAD_NAME', detail: `name runs past the end at ${pos}` };
    const b = buf[pos] as number;
    if ((b & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) return { ok: false, reason: 'BAD_NAME', detail: 'truncated compression pointer' };
      if (++jumps > 64) return { ok: false, reason: 'POINTER_LOOP', detail: 'compression pointers loop' };
      if (next < 0) next = pos + 2;
      pos = ((b & 0x3f) << 8) | (buf[pos + 1] as number);
      continue;
    }
    if ((b & 0xc0) !== 0) return { ok: false, reason: 'BAD_NAME', detail: `reserved label type 0x${b.toString(16)}` };
    if (b === 0) {
      if (next < 0) next = pos + 1;
      return { ok: true, name: labels.length === 0 ? '.' : labels.join('.'), next };
    }
    if (pos + 1 + b > buf.length) return { ok: false, reason: 'BAD_NAME', detail: 'label runs past the end' };
    len += b + 1;
    if (len > MAX_NAME) return { ok: false, reason: 'BAD_NAME', detail: `name longer than ${MAX_NAME} octets` };
    labels.push(buf.subarray(pos + 1, pos + 1 + b).toString('latin1'));
    pos += 1 + b;
  }
}

export function decodeMessage(buf: Buffer): DecodeResult {
  if (buf.length < HEADER_LEN) return { ok: false, reason: 'TOO_SHORT', detail: `${buf.length} bytes, a header is ${HEADER_LEN}` };
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const counts = [buf.readUInt16BE(4), buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)] as const;
  let pos = HEADER_LEN;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const n = readName(buf, pos);
    if (!n.ok) return n;
    if (n.next + 4 > buf.length) return { ok: false, reason: 'TRUNCATED_RECORD', detail: `question ${i} truncated` };
    questions.push({ name: n.name, type: buf.readUInt16BE(n.next), class: buf.readUInt16BE(n.next + 2) });
    pos = n.next + 4;
  }
  const sections: DnsRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < (counts[s + 1] as number); i++) {
      const n = readName(buf, pos);
      if (!n.ok) return n;
      if (n.next + 10 > buf.length) return { ok: false, reason: 'TRUNCATED_RECORD', detail: `record ${i} of section ${s + 1} truncated` };
      const rdlen = buf.readUInt16BE(n.next + 8);
      if (n.next + 10 + rdlen > buf.length) return { ok: false, reason: 'TRUNCATED_RECORD', detail: `rdata of record ${i} truncated` };
      (sections[s] as DnsRecord[]).push({
        name: n.name,
        type: buf.readUInt16BE(n.next),
        class: buf.readUInt16BE(n.next + 2),
        ttl: buf.readUInt32BE(n.next + 4),
        data: Buffer.from(buf.subarray(n.next + 10, n.next + 10 + rdlen)),
      });
      pos = n.next + 10 + rdlen;
    }
  }
  return {
    ok: true,
    msg: {
      id,
      flags,
      qr: (flags & DNS_FLAG.QR) !== 0,
      opcode: (flags >> 11) & 0xf,
      rcode: flags & 0xf,
      questions,
      answers: sections[0] as DnsRecord[],
      authority: sections[1] as DnsRecord[],
      additional: sections[2] as DnsRecord[],
    },
  };
}

/** Names compare case-insensitively (RFC 1035 §2.3.3) and without the trailing dot. */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string): string => (s === '.' || s === '' ? '.' : s.replace(/\.$/, '').toLowerCase());
  return norm(a) === norm(b);
}
