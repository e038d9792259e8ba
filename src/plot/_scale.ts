/**
 * Axis ranges, ticks and data→pixel mapping for the static SVG renderer (private). Mirrors
 * plotly.js's behaviour closely enough: category axes in `categoryarray` order (optionally
 * reversed), linear axes with 1-2-5 steps, log axes with ranges in powers of ten.
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
  /** Data → fraction of the axis length (0 = start: left / bottom). */
  frac(v: number | string): number;
  ticks: { value: number | string; label: string }[];
}

/** Compact tick labels, plotly style: 500, 20k, 1.5M. */
export function tickLabel(v: number): string {
  const abs = Math.abs(v);
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
  const index = new Map(categories.map((c, i) => [c, i]));
  const n = Math.max(1, categories.length);
  return {
    kind: "category",
    frac: (v) => {
      const f = ((index.get(String(v)) ?? 0) + 0.5) / n;
      return reversed ? 1 - f : f;
    },
    ticks: categories.map((c) => ({ value: c, label: c })),
  };
}

/** Linear scale over [lo, hi] (data units) with about `target` ticks. */
export function linearScale(lo: number, hi: number, target: number, reversed = false, dtick?: number): Scale {
  if (!(hi > lo)) { hi = lo + 1; }
  const step = dtick && (hi - lo) / dtick <= 50 ? dtick : niceStep(hi - lo, target);
  const ticks: Scale["ticks"] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    const value = Math.abs(v) < step * 1e-9 ? 0 : v;
    ticks.push({ value, label: tickLabel(value) });
  }
  return {
    kind: "linear",
    frac: (v) => {
      const f = (Number(v) - lo) / (hi - lo);
      return reversed ? 1 - f : f;
    },
    ticks,
  };
}

/** Log scale over [lo, hi] given in log10 units, as plotly's `range` on log axes. */
export function logScale(lo: number, hi: number): Scale {
  if (!(hi > lo)) { hi = lo + 1; }
  const ticks: Scale["ticks"] = [];
  const mult = hi - lo <= 2 ? [1, 2, 5] : [1];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of mult) {
      const value = m * Math.pow(10, e);
      const l = Math.log10(value);
      if (l >= lo - 1e-9 && l <= hi + 1e-9) ticks.push({ value, label: tickLabel(value) });
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
  for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return lo <= hi ? [lo, hi] : undefined;
}
