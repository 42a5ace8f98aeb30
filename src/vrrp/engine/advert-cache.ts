// The encoded advert of one instance, built once per change and sent many times. A MASTER
// sends the same bytes every Advertisement_Interval until something in them changes:
// the instance's spec (VRID, version, advert_int, authentication, addresses, checksum
// variant: a reload makes a new cache), the priority it advertises, or the addresses
// of the IP header. VRRPv3 checksums cover a pseudo-header of source and destination
// (RFC 5798 §5.2.8), so the bytes are keyed by both; VRRPv2's checksum does not depend on
// them but is keyed alike for simplicity. Buffers handed out are never written again:
// the sockets send synchronously and nothing downstream may change them.
import { encodeAdvert, type EncodableAdvert } from '../proto/packet.js';
import type { InstanceSpec } from './types.js';

export class AdvertCache {
  readonly #spec: InstanceSpec;
  readonly #addresses: readonly string[];
  /** `priority|src`: what the buffers in #byDst were built for. */
  #key = '';
  readonly #byDst = new Map<string, Buffer>();
  #encodes = 0;

  /** `addresses`: the VIPs the advert carries, in the instance's family and canonical form. */
  constructor(spec: InstanceSpec, addresses: readonly string[]) {
    this.#spec = spec;
    this.#addresses = addresses;
  }

  /** The advert at `priority`, from `src` to `dst`: the cached bytes unless one of them changed. */
  bytes(priority: number, src: string, dst: string): Buffer {
    const key = `${priority}|${src}`;
    if (key !== this.#key) {
      this.#byDst.clear();
      this.#key = key;
    }
    let b = this.#byDst.get(dst);
    if (b === undefined) {
      b = this.#encode(priority, src, dst);
      this.#byDst.set(dst, b);
    }
    return b;
  }

  /** How many times an advert was encoded (the unit tests read it). */
  get encodes(): number {
    return this.#encodes;
  }

  #encode(priority: number, src: string, dst: string): Buffer {
    this.#encodes++;
    const f = this.#spec.fsm;
    const io = this.#spec.io;
    const advert: EncodableAdvert = f.version === 2
      ? {
          version: 2, family: 4, vrid: f.vrid, priority, advertIntervalSec: Math.max(1, Math.round(f.advertIntCs / 100)),
          auth: io.auth?.type === 'pass' ? { type: 'pass', password: io.auth.password } : { type: 'none' }, addresses: this.#addresses,
        }
      : { version: 3, family: io.family, vrid: f.vrid, priority, advertIntervalCs: f.advertIntCs, addresses: this.#addresses };
    return encodeAdvert(advert, { src, dst, v3Checksum: io.v3ChecksumAsV2 === true ? 'as-v2' : 'rfc5798' });
  }
}
