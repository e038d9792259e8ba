/**
 * Point budgets for the static SVG (private): long series are reduced to what the pixels can
 * show, so a 10⁶-point trace draws in well under a second and its SVG stays a few hundred kB.
 * Points are given as parallel pixel arrays; the reducers return the indices they keep.
 */

/** Most points a polyline keeps before it is reduced per pixel column. */
export const MAX_LINE_POINTS = 4000;
/** Most markers a trace draws. */
export const MAX_MARKERS = 2000;

/**
 * Keeps, per run of points falling in the same pixel column, the first, the lowest, the
 * highest and the last (the line looks the same; spikes survive).
 * @param px pixel x of each point, in drawing order
 * @param py pixel y of each point
 * @returns indices of the kept points, in order (all of them when there are few)
 */
export function reduceLine(px: ArrayLike<number>, py: ArrayLike<number>): number[] {
  const n = px.length;
  if (n <= MAX_LINE_POINTS) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  let start = 0;
  while (start < n) {
    const col = Math.round(px[start]);
    let end = start, lo = start, hi = start;
    while (end + 1 < n && Math.round(px[end + 1]) === col) {
      end++;
      if (py[end] < py[lo]) lo = end;
      if (py[end] > py[hi]) hi = end;
    }
    const a = Math.min(lo, hi), b = Math.max(lo, hi);
    out.push(start);
    if (a !== start) out.push(a);
    if (b !== a && b !== start) out.push(b);
    if (end !== b && end !== start) out.push(end);
    start = end + 1;
  }
  // Non-monotonic x (every point in its own column) can still be long: thin evenly.
  return thinEvenly(out, 4 * MAX_LINE_POINTS);
}

/** Indices of markers at distinct rounded pixels, at most MAX_MARKERS of them (spread evenly). */
export function reduceMarkers(px: ArrayLike<number>, py: ArrayLike<number>): number[] {
  const n = px.length;
  if (n <= MAX_MARKERS) return Array.from({ length: n }, (_, i) => i);
  const seen = new Set<number>();
  const distinct: number[] = [];
  // Long traces: the line's per-column extremes first (≤ 4 a column), then distinct pixels.
  for (const i of n > MAX_LINE_POINTS ? reduceLine(px, py) : Array.from({ length: n }, (_, j) => j)) {
    const k = Math.round(px[i]) * 100_003 + Math.round(py[i]);
    if (!seen.has(k)) { seen.add(k); distinct.push(i); }
  }
  return thinEvenly(distinct, MAX_MARKERS);
}

/** At most `max` items spread evenly, the last kept. */
export function thinEvenly<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const step = xs.length / max;
  const out = Array.from({ length: max - 1 }, (_, i) => xs[Math.floor(i * step)]);
  out.push(xs[xs.length - 1]);
  return out;
}
