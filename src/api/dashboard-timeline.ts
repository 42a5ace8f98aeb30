// The dashboard's VRRP timeline, one lane per instance: the state segments between the
// window's start and now, from the transitions the page saw. Nothing is drawn before the
// daemon started (its process did not exist then, so it had no state). Plain JavaScript
// semantics only: the dashboard script embeds this function's source.

export interface TimelinePoint {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export interface TimelineSegment {
  readonly from: number;
  readonly to: number;
  readonly state: string;
  /** The reason of the transition that ended the segment. */
  readonly next?: string;
}

export function timelineSegments(points: readonly TimelinePoint[], state: string, windowStart: number, startedAt: number, now: number): TimelineSegment[] {
  const born = Math.max(windowStart, startedAt);
  const segs: TimelineSegment[] = [];
  let cur = points.length > 0 ? (points[0]?.from ?? state) : state;
  let from = born;
  for (const p of points) {
    if (p.at > from) segs.push({ from, to: p.at, state: cur, next: p.reason });
    from = Math.max(from, p.at);
    cur = p.to;
  }
  if (now > from) segs.push({ from, to: now, state });
  return segs;
}
