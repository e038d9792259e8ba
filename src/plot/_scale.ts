/**
 * Axis ranges, ticks and data→pixel mapping for the static SVG renderer (private). Mirrors
 * plotly.js's behaviour closely enough: category axes in `categoryarray` order (optionally
 * reversed), linear axes with 1-2-5 steps, log axes with ranges in powers of ten.
 *
 * Total over hostile numbers: NaN and ±Infinity ranges fall back to finite ones, ranges are
 * clamped to ±1e300 (so spans stay finite), empty or constant ranges at any magnitude are
 * widened around their value, and every tick list is built by index with a fixed cap, so no
 * loop depends on `v += step` making progress.
 */

export interface AxisSpec {
  type?: "linear" | "log" | "category";
  domain?: [number, number];
  range?: [number, number];
  autorange?: boolean | "reversed";
  categoryarray?: string[];
  /** Fixed tick step (linear axes). */
  dtick?: number;
  title?: { text?: string };
  anchor?: string;
  showgrid?: boolean;
  visible?: boolean;
}

/** A resolved axis: maps data values to a fraction [0, 1] of its domain. */
export interface Scale {
  kind: "linear" | "log" | "category";
  /** Data → fraction of the axis length (0 = start: left / bottom); NaN for values it cannot place. */
  frac(v: number | string): number;
  ticks: { value: number | string; label: string }[];
}

/** Largest magnitude an axis end may have: spans (hi - lo) and pads stay finite. */
export const MAX_AXIS = 1e300;
/** Smallest span a linear axis may have (below it, steps would underflow to subnormals). */
const MIN_SPAN = 1e-290;
/** Most ticks an axis draws. */
export const MAX_TICKS = 60;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Compact tick labels, plotly style: 500, 20k, 1.5M. */
export function tickLabel(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1e15) return v.toExponential(1);
  const units: [number, string][] = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];
  for (const [s, u] of units) if (abs >= s) return `${Number((v / s).toPrecision(3))}${u}`;
  if (abs !== 0 && abs < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(6)));
}

function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

/** Category scale: one band per category, centred. */
export function categoryScale(categories: string[], reversed: boolean): Scale {
  const index = new Map<string, number>();
  for (const c of categories) if (!index.has(c)) index.set(c, index.size);
  const n = Math.max(1, index.size);
  return {
    kind: "category",
    frac: (v) => {
      const i = index.get(String(v));
      if (i === undefined) return NaN;
      const f = (i + 0.5) / n;
      return reversed ? 1 - f : f;
    },
    ticks: [...index.keys()].map((c) => ({ value: c, label: c })),
  };
}

/**
 * A finite, non-empty [lo, hi] from any two numbers: non-finite ends replaced, ends clamped to
 * ±MAX_AXIS, a range too narrow for its magnitude widened by half its value on each side.
 */
export function finiteRange(lo: number, hi: number): [number, number] {
  if (Number.isNaN(lo)) lo = Number.isFinite(hi) ? hi : 0;
  if (Number.isNaN(hi)) hi = lo;
  lo = clamp(lo, -MAX_AXIS, MAX_AXIS);
  hi = clamp(hi, -MAX_AXIS, MAX_AXIS);
  if (hi < lo) [lo, hi] = [hi, lo];
  const mag = Math.max(Math.abs(lo), Math.abs(hi));
  if (hi - lo > Math.max(mag * 1e-9, MIN_SPAN)) return [lo, hi];
  const c = lo / 2 + hi / 2;
  const half = Math.abs(c) >= 1e-280 ? Math.abs(c) / 2 : 1;
  return [c - half, c + half];
}

/** Ticks `k * step` for k from ceil(lo/step) to floor(hi/step), at most MAX_TICKS of them. */
function stepTicks(lo: number, hi: number, step: number): Scale["ticks"] {
  if (!(step > 0) || !Number.isFinite(step)) return [];
  const k0 = Math.ceil(lo / step - 1e-9), k1 = Math.floor(hi / step + 1e-9);
  if (!Number.isFinite(k0) || !Number.isFinite(k1) || k1 - k0 + 1 > MAX_TICKS) return [];
  const ticks: Scale["ticks"] = [];
  for (let k = k0; k <= k1; k++) {
    const value = k === 0 ? 0 : k * step;
    ticks.push({ value, label: tickLabel(value) });
  }
  return ticks;
}

/** Linear scale over [lo, hi] (data units) with about `target` ticks. */
export function linearScale(lo: number, hi: number, target: number, reversed = false, dtick?: number): Scale {
  [lo, hi] = finiteRange(lo, hi);
  const span = hi - lo;
  const t = Number.isFinite(target) ? clamp(target, 1, MAX_TICKS / 2) : 5;
  const step = dtick !== undefined && dtick > 0 && span / dtick <= 50 ? dtick : niceStep(span, t);
  let ticks = stepTicks(lo, hi, step);
  if (ticks.length === 0) ticks = [lo, hi].map((value) => ({ value, label: tickLabel(value) }));
  return {
    kind: "linear",
    frac: (v) => {
      const f = (Number(v) - lo) / span;
      return reversed ? 1 - f : f;
    },
    ticks,
  };
}

/** Log scale over [lo, hi] given in log10 units, as plotly's `range` on log axes. */
export function logScale(lo: number, hi: number): Scale {
  [lo, hi] = finiteRange(clamp(lo, -400, 400), clamp(hi, -400, 400));
  const ticks: Scale["ticks"] = [];
  const mult = hi - lo <= 2 ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil((hi - lo + 1) / 12)); // at most ~12 decades labelled
  for (let e = Math.floor(lo); e <= Math.ceil(hi) && ticks.length < MAX_TICKS; e += every) {
    for (const m of mult) {
      const value = m * Math.pow(10, e);
      const l = Math.log10(value);
      if (Number.isFinite(l) && l >= lo - 1e-9 && l <= hi + 1e-9) ticks.push({ value, label: tickLabel(value) });
    }
  }
  return {
    kind: "log",
    frac: (v) => (Math.log10(Math.max(Number(v), Number.MIN_VALUE)) - lo) / (hi - lo),
    ticks,
  };
}

/** The numeric extent of finite values, or undefined. */
export function extent(values: number[]): [number, number] | undefined {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return lo <= hi ? [lo, hi] : undefined;
}
