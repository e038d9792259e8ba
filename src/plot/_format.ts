/** Number formatting shared by the figure builders and the SVG renderer (private). */

const UNITS: [number, string][] = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];

/**
 * A parameter count in short form: `512`, `5.1 k`, `11.2 M`, one decimal above a thousand.
 * @example formatCount(11_689_512) === "11.7 M"
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return nonFinite(n);
  const abs = Math.abs(n);
  for (let i = 0; i < UNITS.length; i++) {
    const [scale, unit] = UNITS[i];
    if (abs >= scale * 0.99995) {
      const v = Math.round((n / scale) * 10) / 10;
      // 999 960 rounds to "1000.0 k": move up one unit instead.
      if (Math.abs(v) >= 1000 && i > 0) {
        const [upScale, upUnit] = UNITS[i - 1];
        return `${(Math.round((n / upScale) * 10) / 10).toFixed(1)} ${upUnit}`;
      }
      return `${v.toFixed(1)} ${unit}`;
    }
  }
  return String(Math.round(n));
}

/** `NaN`, `∞` or `-∞`. */
const nonFinite = (n: number) => (Number.isNaN(n) ? "NaN" : n > 0 ? "∞" : "-∞");

/** An exact count with thousands separators: `11,689,512`. */
export function formatExact(n: number): string {
  if (!Number.isFinite(n)) return nonFinite(n);
  if (Math.abs(n) >= 1e21) return n.toExponential(3);
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A metric value with 4 significant digits, no exponent for ordinary losses. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

/** The largest of `values` and `floor` (no argument spreading: safe for millions of values). */
export function maxOf(values: Iterable<number>, floor: number): number {
  let m = floor;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** Escapes text for XML/HTML text and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
