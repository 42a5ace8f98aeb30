// UDP_CHECK payload and reply matching (keepalived check_udp.c check_udp_reply), pure.

/** Lower-case hex (as the config model stores it) to bytes. */
export function hexBytes(hex: string): Buffer {
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

export interface ReplyRule {
  /** Expected leading bytes. */
  data?: Buffer;
  /** Same length as data: set bits are wildcards (`x` nibbles in the config). */
  mask?: Buffer;
  minLength: number;
  maxLength: number;
}

export type ReplyVerdict = { ok: true } | { ok: false; detail: string };

/**
 * The reply length must lie in [min, max]; then the first min(len, data.length) bytes
 * must equal data outside the mask (a short reply is compared only as far as it goes,
 * as keepalived does).
 */
export function checkReply(reply: Buffer, rule: ReplyRule): ReplyVerdict {
  if (reply.length < rule.minLength || reply.length > rule.maxLength) {
    return { ok: false, detail: `reply length ${reply.length} outside [${rule.minLength}, ${rule.maxLength}]` };
  }
  const data = rule.data;
  if (data === undefined) return { ok: true };
  const n = Math.min(reply.length, data.length);
  for (let i = 0; i < n; i++) {
    const care = rule.mask === undefined ? 0xff : ~(rule.mask[i] ?? 0) & 0xff;
    if ((((reply[i] as number) ^ (data[i] as number)) & care) !== 0) {
      return { ok: false, detail: `reply byte ${i} is 0x${(reply[i] as number).toString(16).padStart(2, '0')}, expected 0x${(data[i] as number).toString(16).padStart(2, '0')}` };
    }
  }
  return { ok: true };
}
