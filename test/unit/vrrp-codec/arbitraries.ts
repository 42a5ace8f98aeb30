// fast-check generators for valid adverts and the contexts to send/receive them with.
// Addresses are generated as bytes and written as text by WHATWG URL serialisation, so
// the expected canonical text does not come from the code under test.
import fc from 'fast-check';
import type { AdvertV2, AdvertV3, DecodeCtx, EncodableAdvert, EncodeCtx, V3ChecksumVariant } from '../../../src/vrrp/proto/packet.js';

export const ipv4Text = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));

export const ipv6Text = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
  const groups = Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16));
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
});

/** Mostly zero-heavy addresses too, so '::' compression is exercised. */
export const ipv6TextSparse = fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xdb8), { minLength: 8, maxLength: 8 })
  .map((g) => new URL(`http://[${g.map((x) => x.toString(16)).join(':')}]`).hostname.slice(1, -1));

/** Records with Object.prototype, so deepStrictEqual compares them with decoded objects. */
const PLAIN = { noNullPrototype: true } as const;

const passwordChar = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));

export const advertV2: fc.Arbitrary<AdvertV2 & EncodableAdvert> = fc.record({
  version: fc.constant(2 as const),
  family: fc.constant(4 as const),
  vrid: fc.integer({ min: 1, max: 255 }),
  priority: fc.integer({ min: 0, max: 255 }),
  advertIntervalSec: fc.integer({ min: 1, max: 255 }),
  auth: fc.oneof(
    fc.constant({ type: 'none' as const }),
    fc.array(passwordChar, { minLength: 1, maxLength: 8 }).map((p) => ({ type: 'pass' as const, password: p.join('') })),
  ),
  addresses: fc.array(ipv4Text, { maxLength: 20 }),
}, PLAIN);

export const advertV3: fc.Arbitrary<AdvertV3> = fc.oneof(
  fc.record({
    version: fc.constant(3 as const), family: fc.constant(4 as const),
    vrid: fc.integer({ min: 1, max: 255 }), priority: fc.integer({ min: 0, max: 255 }),
    advertIntervalCs: fc.integer({ min: 1, max: 4095 }), addresses: fc.array(ipv4Text, { maxLength: 20 }),
  }, PLAIN),
  fc.record({
    version: fc.constant(3 as const), family: fc.constant(6 as const),
    vrid: fc.integer({ min: 1, max: 255 }), priority: fc.integer({ min: 0, max: 255 }),
    advertIntervalCs: fc.integer({ min: 1, max: 4095 }),
    addresses: fc.array(fc.oneof(ipv6Text, ipv6TextSparse), { maxLength: 10 }),
  }, PLAIN),
);

export const v3Variant: fc.Arbitrary<V3ChecksumVariant> = fc.constantFrom('rfc5798', 'as-v2', 'old-unicast');

/** A valid advert plus matching encode and decode contexts (payload framing, TTL 255). */
export const sentAdvert: fc.Arbitrary<{ advert: EncodableAdvert; enc: EncodeCtx; dec: DecodeCtx }> = fc.oneof(
  fc.tuple(advertV2, ipv4Text).map(([advert, src]) => ({
    advert, enc: { src, dst: '224.0.0.18' }, dec: { family: 4 as const, framing: 'payload' as const, src, dst: '224.0.0.18', ttl: 255 },
  })),
  fc.tuple(advertV3, ipv4Text, ipv4Text, ipv6Text, v3Variant).map(([advert, src4, dst4, src6, variant]) => advert.family === 4
    ? {
      advert, enc: { src: src4, dst: dst4, v3Checksum: variant },
      dec: { family: 4 as const, framing: 'payload' as const, src: src4, dst: dst4, ttl: 255 },
    }
    : {
      advert, enc: { src: src6, dst: 'ff02::12' },
      dec: { family: 6 as const, framing: 'payload' as const, src: src6, dst: 'ff02::12', ttl: 255 },
    }),
);
