// A track file's value (keepalived trackers/track_file.c process_track_file), pure: the
// integer in the file, read alike for vrrp track_file and FILE_CHECK, and what it does to
// a real server's weight.

/** keepalived's IPVS_WEIGHT_FAULT: a status this low takes the checker down. */
export const WEIGHT_FAULT = -2147483648;
const INT32_MAX = 2147483647;

/**
 * strtol(buf, NULL, 0) over the first 127 bytes: optional blanks and sign, then 0x hex,
 * 0 octal or decimal, stopping at the first other character. No digits reads as 0, as in
 * C. Outside [INT32_MIN, INT32_MAX + 1] the value is invalid (undefined: keep the last,
 * "Invalid number ... read from ... - ignoring").
 */
export function parseTrackValue(text: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?/.exec(text.slice(0, 127));
  const digits = m?.[2];
  if (digits === undefined) return 0;
  let v: number;
  if (/^0[xX]/.test(digits)) v = Number.parseInt(digits.slice(2), 16);
  else if (digits.length > 1 && digits.startsWith('0')) v = Number.parseInt(digits, 8);
  else v = Number(digits);
  if (m?.[1] === '-') v = -v;
  if (!Number.isFinite(v) || v < WEIGHT_FAULT || v > INT32_MAX + 1) return undefined;
  return v;
}

export type FileVerdict = { readonly up: false } | { readonly up: true; readonly weightOffset: number };

/**
 * Weight 0: a non-zero value is a fault (reverse: a zero value is). Otherwise the value
 * times the weight (negated with reverse) is added to the real server's weight, and a
 * result at or below WEIGHT_FAULT is a fault (update_track_file_status).
 */
export function fileVerdict(value: number, weight: number, reverse: boolean): FileVerdict {
  if (weight === 0) return (value !== 0) !== reverse ? { up: false } : { up: true, weightOffset: 0 };
  const s = Math.max(WEIGHT_FAULT, Math.min(INT32_MAX, value * weight * (reverse ? -1 : 1)));
  return s <= WEIGHT_FAULT ? { up: false } : { up: true, weightOffset: s };
}
