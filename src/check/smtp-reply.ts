// SMTP replies as bytes (RFC 5321 §4.2), parsed without a socket. Used by SMTP_CHECK and
// by the SMTP alert sender.

export type ReplyParse =
  | { readonly complete: false }
  | { readonly complete: true; readonly code: number; readonly text: string; readonly consumed: number }
  | { readonly complete: true; readonly code: 0; readonly text: string; readonly consumed: number; readonly malformed: true };

/**
 * Take one complete reply off the front of `buf`. RFC 5321 §4.2.1: "The format for
 * multiline replies requires that every line, except the last, begin with the reply code,
 * followed immediately by a hyphen". A line that does not start with three digits is
 * malformed (code 0), so the caller fails the exchange instead of waiting.
 */
export function parseReply(buf: Buffer): ReplyParse {
  let pos = 0;
  const texts: string[] = [];
  for (;;) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) return { complete: false };
    const line = buf.subarray(pos, nl).toString('latin1').replace(/\r$/, '');
    pos = nl + 1;
    const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
    if (m === null || m[1] === undefined) return { complete: true, code: 0, text: line, consumed: pos, malformed: true };
    texts.push(m[3] ?? '');
    if (m[2] !== '-') return { complete: true, code: Number(m[1]), text: texts.join('\n'), consumed: pos };
  }
}
