// The socket filter (bpf-filter.ts) as the kernel would run it: adverts for a VRID and
// version configured on the socket pass; other protocols, TTLs, versions, VRIDs and short
// packets are dropped before they reach JavaScript; a send-only socket takes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildVrrpFilter, encodeBpf, runBpf, type VrrpFilterSpec } from '../../../src/vrrp/proto/bpf-filter.js';
import { encodeAdvert } from '../../../src/vrrp/proto/packet.js';

function ipv4(payload: Buffer, o: { ttl?: number; proto?: number; ihl?: number } = {}): Buffer {
  const ihl = o.ihl ?? 5;
  const h = Buffer.alloc(ihl * 4);
  h[0] = 0x40 | ihl;
  h.writeUInt16BE(h.length + payload.length, 2);
  h[8] = o.ttl ?? 255;
  h[9] = o.proto ?? 112;
  return Buffer.concat([h, payload]);
}

const v3 = (vrid: number): Buffer => encodeAdvert(
  { version: 3, family: 4, vrid, priority: 100, advertIntervalCs: 100, addresses: ['192.0.2.200'] },
  { src: '192.0.2.1', dst: '224.0.0.18', v3Checksum: 'rfc5798' },
);
const v2 = (vrid: number): Buffer => encodeAdvert(
  { version: 2, family: 4, vrid, priority: 100, advertIntervalSec: 1, auth: { type: 'none' }, addresses: ['192.0.2.200'] },
  { src: '192.0.2.1', dst: '224.0.0.18', v3Checksum: 'rfc5798' },
);
const spec: VrrpFilterSpec = { family: 4, versions: [3], vrids: [51, 52], ttl255: true };

test('IPv4 multicast: protocol 112, TTL 255, a configured version and VRID, a whole VRRP header', () => {
  const p = buildVrrpFilter(spec);
  assert.ok(runBpf(p, ipv4(v3(51))) > 0);
  assert.ok(runBpf(p, ipv4(v3(52))) > 0);
  assert.ok(runBpf(p, ipv4(v3(52), { ihl: 6 })) > 0, 'IP options: the VRRP header is found after them');
  assert.equal(runBpf(p, ipv4(v3(53))), 0, 'VRID not on this socket');
  assert.equal(runBpf(p, ipv4(v2(51))), 0, 'VRRPv2 not configured here');
  assert.equal(runBpf(p, ipv4(v3(51), { ttl: 64 })), 0, 'TTL 64');
  assert.equal(runBpf(p, ipv4(v3(51), { proto: 6 })), 0, 'not VRRP');
  assert.equal(runBpf(p, ipv4(v3(51).subarray(0, 7))), 0, 'shorter than a VRRP header');
  assert.equal(runBpf(p, Buffer.alloc(3)), 0, 'garbage');
});

test('random payloads: all but about one in 4096 are dropped in the kernel', () => {
  const p = buildVrrpFilter({ ...spec, vrids: [51] });
  let passed = 0;
  for (let i = 0; i < 20_000; i++) {
    const payload = Buffer.alloc(8 + (i % 40));
    for (let j = 0; j < payload.length; j++) payload[j] = Math.floor(Math.random() * 256);
    if (runBpf(p, ipv4(payload)) > 0) passed++;
  }
  assert.ok(passed < 40, `${passed} of 20000 random packets passed`);
});

test('unicast sockets skip the TTL test; send-only sockets accept nothing; IPv6 sees the payload only', () => {
  assert.ok(runBpf(buildVrrpFilter({ ...spec, ttl255: false }), ipv4(v3(51), { ttl: 64 })) > 0);
  assert.equal(runBpf(buildVrrpFilter({ ...spec, vrids: [] }), ipv4(v3(51))), 0);
  const six = buildVrrpFilter({ family: 6, versions: [3], vrids: [7], ttl255: false });
  const adv6 = encodeAdvert({ version: 3, family: 6, vrid: 7, priority: 100, advertIntervalCs: 100, addresses: ['2001:db8::1'] },
    { src: 'fe80::1', dst: 'ff02::12', v3Checksum: 'rfc5798' });
  assert.ok(runBpf(six, adv6) > 0);
  assert.equal(runBpf(six, Buffer.from(adv6).fill(8, 1, 2)), 0, 'VRID 8');
});

test('many VRIDs on one socket: the VRID test is left to the codec, the rest still applies', () => {
  const vrids = Array.from({ length: 250 }, (_, i) => i + 1);
  const p = buildVrrpFilter({ ...spec, vrids });
  assert.ok(runBpf(p, ipv4(v3(255))) > 0);
  assert.equal(runBpf(p, ipv4(v3(51), { ttl: 1 })), 0);
  for (const i of p) assert.ok(i.jt <= 255 && i.jf <= 255);
});

test('encodeBpf lays out struct sock_filter: u16 code, u8 jt, u8 jf, u32 k', () => {
  const p = buildVrrpFilter(spec);
  const b = encodeBpf(p);
  assert.equal(b.length, p.length * 8);
  assert.equal(b.readUInt16LE(0), 0x30);
  assert.equal(b.readUInt32LE(4), 9);
  assert.equal(b[8 + 3], p[1]!.jf);
});
