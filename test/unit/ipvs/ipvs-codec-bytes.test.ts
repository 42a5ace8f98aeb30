// sys/ipvs-codec.ts: IPVS generic netlink messages against bytes written out by hand from
// include/uapi/linux/ip_vs.h and the kernel's nla_policy (ports and IPv4 netmask
// big-endian, addresses as 16-byte nf_inet_addr), replies as the kernel lays them out,
// round trips, and decoders that never throw on random bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeConfig, decodeDest, decodeFamilyId, decodeService, encodeDelService, encodeDest, encodeGetDests, encodeGetFamily,
  encodeService, encodeSetConfig, IPVS_CMD, prefixToMask, type IpvsServiceWire,
} from '../../../src/sys/ipvs-codec.js';
import { parseMessages } from '../../../src/sys/netlink-codec.js';
import { parseIpvsConn } from '../../../src/sys/ipvs-netlink.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const WRR: IpvsServiceWire = { family: 4, protocol: 'TCP', address: '192.0.2.1', port: 80, scheduler: 'wrr', flags: 0, timeoutS: 0, prefix: 32 };

test('NEW_SERVICE TCP 192.0.2.1:80 wrr: the bytes ipvsadm -A -t 192.0.2.1:80 -s wrr sends', () => {
  const want = hex(`
    68000000 2000 0500 07000000 00000000
    01 01 0000
    5400 0180
      0600 0100 0200 0000
      0600 0200 0600 0000
      1400 0300 c0000201 00000000 00000000 00000000
      0600 0400 0050 0000
      0800 0600 77727200
      0c00 0700 00000000 ffffffff
      0800 0800 00000000
      0800 0900 ffffffff`);
  assert.deepEqual(encodeService(32, IPVS_CMD.NEW_SERVICE, 7, WRR), want);
});

test('persistence, sh flags and an IPv6 fwmark service: flags word, timeout, prefix length in host order', () => {
  const s: IpvsServiceWire = { family: 6, fwmark: 7, scheduler: 'sh', flags: 0x1 | 0x8 | 0x10, timeoutS: 300, prefix: 64 };
  const want = hex(`
    4c000000 2000 0500 01000000 00000000
    02 01 0000
    3800 0180
      0600 0100 0a00 0000
      0800 0500 07000000
      0700 0600 736800 00
      0c00 0700 19000000 ffffffff
      0800 0800 2c010000
      0800 0900 40000000`);
  assert.deepEqual(encodeService(32, IPVS_CMD.SET_SERVICE, 1, s), want);
});

test('IPv4 persistence granularity goes as a big-endian mask', () => {
  assert.equal(prefixToMask(24), 0xffffff00);
  assert.equal(prefixToMask(0), 0);
  assert.equal(prefixToMask(32), 0xffffffff);
  const b = encodeService(32, IPVS_CMD.NEW_SERVICE, 1, { ...WRR, flags: 1, timeoutS: 60, prefix: 24 });
  assert.deepEqual(b.subarray(b.length - 4), hex('ffffff00'));
});

test('NEW_DEST 192.0.2.10:8080 DR weight 3 thresholds 100/50, and DEL_DEST with address and port only', () => {
  const svc = `3000 0180
      0600 0100 0200 0000
      0600 0200 0600 0000
      1400 0300 c0000201 00000000 00000000 00000000
      0600 0400 0050 0000`;
  const want = hex(`
    8c000000 2000 0500 09000000 00000000
    05 01 0000
    ${svc}
    4800 0280
      1400 0100 c000020a 00000000 00000000 00000000
      0600 0200 1f90 0000
      0800 0300 03000000
      0800 0400 03000000
      0800 0500 64000000
      0800 0600 32000000
      0600 0b00 0200 0000`);
  const d = { family: 4 as const, address: '192.0.2.10', port: 8080, forward: 'DR' as const, weight: 3, upperThreshold: 100, lowerThreshold: 50 };
  assert.deepEqual(encodeDest(32, IPVS_CMD.NEW_DEST, 9, WRR, d), want);
  const del = hex(`
    64000000 2000 0500 09000000 00000000
    07 01 0000
    ${svc}
    2000 0280
      1400 0100 c000020a 00000000 00000000 00000000
      0600 0200 1f90 0000`);
  assert.deepEqual(encodeDest(32, IPVS_CMD.DEL_DEST, 9, WRR, d), del);
});

test('forwarding codes: NAT 0, TUN 2, DR 3', () => {
  for (const [forward, code] of [['NAT', 0], ['TUN', 2], ['DR', 3]] as const) {
    const b = encodeDest(32, IPVS_CMD.NEW_DEST, 1, WRR, { family: 4, address: '192.0.2.10', port: 80, forward, weight: 1, upperThreshold: 0, lowerThreshold: 0 });
    const at = b.indexOf(hex('08000300'));
    assert.equal(b.readUInt32LE(at + 4), code);
  }
});

test('TUN encapsulation as keepalived\'s libipvs sends it: type always, port for gue, flags unless ipip', () => {
  const base = { family: 4 as const, address: '192.0.2.10', port: 80, forward: 'TUN' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 };
  const gue = encodeDest(32, IPVS_CMD.NEW_DEST, 1, WRR, { ...base, tunnel: { type: 'gue', port: 6080, checksum: 'csum' } });
  // IPVS_DEST_ATTR_TUN_TYPE (13) u8 1, _TUN_PORT (14) be16 6080, _TUN_FLAGS (15) u16 CSUM.
  assert.ok(gue.subarray(gue.length - 24).equals(hex('0500 0d00 01 000000  0600 0e00 17c0 0000  0600 0f00 0100 0000')));
  const gre = encodeDest(32, IPVS_CMD.NEW_DEST, 1, WRR, { ...base, tunnel: { type: 'gre', checksum: 'remcsum' } });
  assert.ok(gre.subarray(gre.length - 16).equals(hex('0500 0d00 02 000000  0600 0f00 0200 0000')));
  const ipip = encodeDest(32, IPVS_CMD.NEW_DEST, 1, WRR, base);
  assert.ok(ipip.subarray(ipip.length - 8).equals(hex('0500 0d00 00 000000')), 'ipip: the type alone');
  const dr = encodeDest(32, IPVS_CMD.NEW_DEST, 1, WRR, { ...base, forward: 'DR' });
  assert.equal(dr.indexOf(hex('0500 0d00')), -1, 'no tunnel attributes outside TUN');
});

test('DEL_SERVICE, GET_DEST dump, SET_CONFIG and CTRL_CMD_GETFAMILY', () => {
  assert.deepEqual(encodeDelService(32, 2, WRR).subarray(16, 20), hex('03010000'));
  const dump = encodeGetDests(32, 3, WRR);
  assert.equal(dump.readUInt16LE(6), 0x301, 'REQUEST|DUMP');
  assert.deepEqual(encodeSetConfig(32, 4, { tcpS: 7200, tcpFinS: 120, udpS: 300 }), hex(`
    2c000000 2000 0500 04000000 00000000
    0c 01 0000
    0800 0400 201c0000
    0800 0500 78000000
    0800 0600 2c010000`));
  assert.deepEqual(encodeGetFamily(5, 'IPVS'), hex(`
    20000000 1000 0500 05000000 00000000
    03 01 0000
    0900 0200 49505653 00000000`));
});

// ---- replies as the kernel writes them (ip_vs_genl_fill_service / _dest) ----------------

function attr(type: number, value: Buffer): Buffer {
  const len = 4 + value.length;
  const out = Buffer.alloc((len + 3) & ~3);
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  value.copy(out, 4);
  return out;
}
const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
const u64 = (v: number): Buffer => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
const be16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; };

function kernelService(): Buffer {
  const flags = Buffer.concat([u32(0x1 | 0x2 | 0x4), u32(0xffffffff)]);
  const stats64 = Buffer.concat([attr(1, u64(12)), attr(2, u64(340)), attr(3, u64(0)), attr(4, u64(2_000_000_000_000)), attr(5, u64(0)), attr(6, u64(3))]);
  const inner = Buffer.concat([
    attr(1, u16(2)), attr(2, u16(17)), attr(3, Buffer.concat([Buffer.from([198, 51, 100, 7]), Buffer.alloc(12)])), attr(4, be16(53)),
    attr(6, Buffer.from('lc\0')), attr(7, flags), attr(8, u32(600)), attr(9, Buffer.from([255, 255, 0, 0])),
    attr(10 | 0x8000, Buffer.alloc(0)), attr(12 | 0x8000, stats64),
  ]);
  return Buffer.concat([Buffer.from([1, 1, 0, 0]), attr(1 | 0x8000, inner)]);
}

test('a GET_SERVICE dump entry decodes: 16-byte IPv4 address, big-endian port, HASHED dropped, mask to prefix, stats64', () => {
  const s = decodeService(kernelService());
  assert.ok(s);
  assert.equal(s.fwmark, undefined);
  assert.deepEqual({ ...s, stats: undefined }, {
    family: 4, protocol: 'UDP', address: '198.51.100.7', port: 53, scheduler: 'lc', flags: 0x5, timeoutS: 600, prefix: 16, stats: undefined,
  });
  assert.equal(s.stats.conns, 12);
  assert.equal(s.stats.inPkts, 340);
  assert.equal(s.stats.inBytes, 2_000_000_000_000);
  assert.equal(s.stats.cps, 3);
});

test('a GET_DEST dump entry decodes with its counters; the family comes from ADDR_FAMILY', () => {
  const inner = Buffer.concat([
    attr(1, Buffer.from('20010db8000000000000000000000010', 'hex')), attr(2, be16(8080)), attr(3, u32(2)), attr(4, u32(5)),
    attr(5, u32(0)), attr(6, u32(0)), attr(7, u32(4)), attr(8, u32(9)), attr(9, u32(1)), attr(11, u16(10)),
  ]);
  const d = decodeDest(Buffer.concat([Buffer.from([8, 1, 0, 0]), attr(2 | 0x8000, inner)]), 4);
  assert.deepEqual({ ...d, stats: undefined }, {
    family: 6, address: '2001:db8::10', port: 8080, forward: 'TUN', weight: 5, upperThreshold: 0, lowerThreshold: 0,
    activeConns: 4, inactiveConns: 9, persistConns: 1, stats: undefined,
  });
});

test('a TUN entry read back: gue with its port and checksum flags; ipip reads as no tunnel', () => {
  const entry = (tun: Buffer[]): Buffer => {
    const inner = Buffer.concat([attr(1, Buffer.from('c000020a000000000000000000000000', 'hex')), attr(2, be16(80)), attr(3, u32(2)), attr(4, u32(1)), attr(11, u16(2)), ...tun]);
    return Buffer.concat([Buffer.from([8, 1, 0, 0]), attr(2 | 0x8000, inner)]);
  };
  const gue = decodeDest(entry([attr(13, Buffer.from([1])), attr(14, be16(6080)), attr(15, u16(2))]), 4);
  assert.deepEqual(gue?.tunnel, { type: 'gue', port: 6080, checksum: 'remcsum' });
  const ipip = decodeDest(entry([attr(13, Buffer.from([0])), attr(14, be16(0)), attr(15, u16(0))]), 4);
  assert.equal(ipip?.tunnel, undefined);
});

test('round trip: what NEW_SERVICE carries decodes back to the same service', () => {
  const arb: fc.Arbitrary<IpvsServiceWire> = fc.oneof(
    fc.record({
      family: fc.constant(4 as const), protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const),
      address: fc.ipV4(), port: fc.integer({ min: 1, max: 65535 }),
      scheduler: fc.constantFrom('rr', 'wrr', 'lc', 'wlc', 'sh', 'mh', 'dh', 'sed', 'nq', 'fo', 'ovf', 'lblc', 'lblcr', 'twos'),
      flags: fc.constantFrom(0, 1, 4, 5, 8, 0x18, 0x1d), timeoutS: fc.integer({ min: 0, max: 1_000_000 }), prefix: fc.integer({ min: 0, max: 32 }),
    }),
    fc.record({
      family: fc.constant(6 as const), fwmark: fc.integer({ min: 1, max: 0xffffffff }), scheduler: fc.constantFrom('rr', 'mh'),
      flags: fc.constantFrom(0, 1, 0x19), timeoutS: fc.integer({ min: 0, max: 3600 }), prefix: fc.integer({ min: 1, max: 128 }),
    }),
  );
  fc.assert(fc.property(arb, (s) => {
    const [m] = parseMessages(encodeService(32, IPVS_CMD.NEW_SERVICE, 1, s));
    const back = decodeService(m!.body);
    assert.ok(back);
    const { stats: _stats, ...rest } = back;
    assert.deepEqual(rest, { ...s });
  }), { numRuns: 300 });
});

test('decoders never throw on random bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (a) => {
    const b = Buffer.from(a);
    decodeService(b);
    decodeDest(b, 4);
    decodeDest(b, 6);
    decodeConfig(b);
    decodeFamilyId(b);
    for (const m of parseMessages(b)) decodeService(m.body);
  }), { numRuns: 2000 });
});

test('/proc/net/ip_vs_conn rows: hex IPv4 and ports, %pI6 IPv6, templates', () => {
  const text = [
    'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData',
    'TCP C6336401 D2A4 C0000201 0050 C000020A 0050 ESTABLISHED     898',
    'TCP C6336401 0000 C0000201 0050 C000020A 0050 NONE            358',
    'UDP 2001:0db8:0000:0000:0000:0000:0000:0064 3039 2001:0db8:0000:0000:0000:0000:0000:0001 0035 2001:0db8:0000:0000:0000:0000:0000:000a 0035 UDP             299',
    'garbage line',
  ].join('\n');
  assert.deepEqual(parseIpvsConn(text), [
    { protocol: 'TCP', clientAddress: '198.51.100.1', clientPort: 53924, virtualAddress: '192.0.2.1', virtualPort: 80, destAddress: '192.0.2.10', destPort: 80, state: 'ESTABLISHED', expiresS: 898 },
    { protocol: 'TCP', clientAddress: '198.51.100.1', clientPort: 0, virtualAddress: '192.0.2.1', virtualPort: 80, destAddress: '192.0.2.10', destPort: 80, state: 'NONE', expiresS: 358 },
    { protocol: 'UDP', clientAddress: '2001:db8::64', clientPort: 12345, virtualAddress: '2001:db8::1', virtualPort: 53, destAddress: '2001:db8::a', destPort: 53, state: 'UDP', expiresS: 299 },
  ]);
});

test('GET_CONFIG reply decodes the three timeouts', () => {
  const body = Buffer.concat([Buffer.from([13, 1, 0, 0]), attr(4, u32(900)), attr(5, u32(120)), attr(6, u32(300))]);
  assert.deepEqual(decodeConfig(body), { tcpS: 900, tcpFinS: 120, udpS: 300 });
});

test('CTRL_CMD_NEWFAMILY reply: the family id', () => {
  const body = Buffer.concat([Buffer.from([1, 2, 0, 0]), attr(2, Buffer.from('IPVS\0')), attr(1, u16(32))]);
  assert.equal(decodeFamilyId(body), 32);
});
