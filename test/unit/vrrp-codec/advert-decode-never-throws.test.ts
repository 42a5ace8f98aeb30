// decodeAdvert is fed whatever arrives on a raw socket: it must return a value for any
// bytes and any receive context, never throw (undici's fuzzing tests do the same).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DROP_REASONS } from '../../../src/vrrp/proto/drop-reason.js';
import { decodeAdvert, encodeAdvert, type DecodeCtx, type DecodeResult } from '../../../src/vrrp/proto/packet.js';
import { checkAdvertForInstance } from '../../../src/vrrp/proto/advert-check.js';
import { ipv4Text, ipv6Text, sentAdvert } from './arbitraries.js';
import { loadFixtures } from './fixtures.js';

const anyCtx: fc.Arbitrary<DecodeCtx> = fc.record({
  family: fc.constantFrom(4 as const, 6 as const),
  framing: fc.constantFrom('auto' as const, 'ip-header' as const, 'payload' as const),
  src: fc.option(fc.oneof(ipv4Text, ipv6Text, fc.string()), { nil: undefined }),
  dst: fc.option(fc.oneof(ipv4Text, ipv6Text, fc.string()), { nil: undefined }),
  ttl: fc.option(fc.nat(255), { nil: undefined }),
  ttlRange: fc.oneof(fc.constant('ignore' as const), fc.record({ min: fc.nat(255), max: fc.nat(255) })),
  ipv6ChecksumVerifiedByKernel: fc.boolean(),
}, { requiredKeys: ['family'], noNullPrototype: true });

function assertWellFormed(r: DecodeResult): void {
  if (r.ok) return;
  assert.ok((DROP_REASONS as readonly string[]).includes(r.reason), r.reason);
  assert.equal(typeof r.detail, 'string');
}

test('property: decodeAdvert never throws on random bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), anyCtx, (bytes, ctx) => {
    assertWellFormed(decodeAdvert(bytes, ctx));
  }), { numRuns: 3000 });
});

test('property: decodeAdvert never throws on bytes that start like IPv4/IPv6/VRRP headers', () => {
  const lead = fc.constantFrom(0x45, 0x46, 0x4f, 0x60, 0x6c, 0x21, 0x31, 0x20, 0x32);
  fc.assert(fc.property(lead, fc.uint8Array({ maxLength: 120 }), anyCtx, (first, rest, ctx) => {
    assertWellFormed(decodeAdvert(Buffer.concat([Buffer.from([first]), rest]), ctx));
  }), { numRuns: 3000 });
});

/** Valid packets to mutate: every fixture plus freshly encoded adverts. */
const fixtures = loadFixtures(/\.hex$/).filter((f) => f.meta.get('kind') === 'vrrp');
const validPacket: fc.Arbitrary<{ bytes: Buffer; ctx: DecodeCtx }> = fc.oneof(
  fc.constantFrom(...fixtures).map((f) => ({
    bytes: f.bytes,
    ctx: {
      family: f.meta.get('family') === '6' ? 6 as const : 4 as const,
      ...(f.meta.has('ctx.src') ? { src: f.meta.get('ctx.src')! } : {}),
      ...(f.meta.has('ctx.dst') ? { dst: f.meta.get('ctx.dst')! } : {}),
      ...(f.meta.has('ctx.ttl') ? { ttl: Number(f.meta.get('ctx.ttl')) } : {}),
    },
  })),
  sentAdvert.map(({ advert, enc, dec }) => ({ bytes: encodeAdvert(advert, enc), ctx: dec })),
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
);

test('property: decodeAdvert never throws on mutated valid packets, and an accepted one passes instance checks without throwing', () => {
  fc.assert(fc.property(validPacket, fc.array(mutation, { minLength: 1, maxLength: 4 }), ({ bytes, ctx }, muts) => {
    let b = Buffer.from(bytes);
    for (const m of muts) {
      if (m.kind === 'flip' && b.length > 0) b[m.at % b.length] = m.value;
      else if (m.kind === 'truncate') b = b.subarray(0, m.at % (b.length + 1));
      else if (m.kind === 'extend') b = Buffer.concat([b, m.extra]);
    }
    const r = decodeAdvert(b, ctx);
    assertWellFormed(r);
    if (r.ok) {
      const c = checkAdvertForInstance(r.packet, {
        vrid: r.packet.advert.vrid, version: r.packet.advert.version, family: r.packet.advert.family, priority: 100,
        advertIntervalCs: 100, auth: { type: 'pass', password: '1111' }, vips: ['192.0.2.100'], vipCheck: 'drop',
        unicastPeers: ['192.0.2.2'], checkUnicastSrc: true,
      });
      assert.equal(typeof c.ok, 'boolean');
    }
  }), { numRuns: 2000 });
});

test('a single flipped bit anywhere in a captured VRRPv2 advert is never silently accepted as the same advert', () => {
  const [f] = loadFixtures(/^keepalived-\d+\.\d+\.\d+-v2-vrid51\.hex$/);
  const orig = decodeAdvert(f!.bytes, { family: 4 });
  assert.ok(orig.ok);
  for (let i = 20; i < f!.bytes.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const b = Buffer.from(f!.bytes);
      b[i]! ^= 1 << bit;
      const r = decodeAdvert(b, { family: 4 });
      assert.equal(r.ok, false, `byte ${i} bit ${bit} accepted`);
    }
  }
});
