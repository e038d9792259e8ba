/**
 * A static SVG rendering of the plotly figures graft builds, drawn without a browser: titles,
 * axes with ticks and grids, stacked horizontal bars, lines and markers, vertical marker lines,
 * annotations and a legend, in plotly.js's default look. It reads the subset of plotly JSON
 * that `plot.params` and `plot.loss` produce. Every line trace also carries its data values
 * (`data-x`, `data-y`) next to the pixel `points`, so the figure can be checked without a browser.
 *
 * Total over hostile input: points it cannot place (NaN, ±Infinity, unknown categories) are left
 * out, pixel positions are clamped near the plot, and long traces are reduced per pixel column
 * (see `_downsample.ts`), so any figure renders quickly to a bounded, well-formed SVG.
 */
import { escapeXml } from "./_format";
import { type AxisSpec, type Scale, categoryScale, linearScale, logScale } from "./_scale";
import { reduceLine, reduceMarkers, thinEvenly } from "./_downsample";

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FONT = `font-family="'Open Sans', verdana, arial, sans-serif"`;
const INK = "#444";
const GRID = "#eee";
const COLORWAY = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

const n2 = (v: number) => (Math.round(v * 100) / 100).toString();
const axisKey = (ref: string | undefined, letter: "x" | "y") => `${letter}axis${(ref ?? letter).slice(1)}`;
const visible = (t: Rec) => t.visible !== false && t.visible !== "legendonly";

/** A trace's `x` or `y` as an array (anything else: empty). */
const valuesOf = (t: Rec, letter: "x" | "y"): any[] => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const v = t[letter];
  return Array.isArray(v) ? v : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : [];
};

/** What a trace puts on an axis: the extent of its finite values and of its positive ones, its categories. */
interface AxisValues { ext?: [number, number]; pos?: [number, number]; cats: string[] }

/** Values traces put on an axis (stacked bars summed per category), reduced to their extents in one pass. */
function axisValues(traces: Rec[], key: string, letter: "x" | "y", stacked: boolean): AxisValues {
  let lo = Infinity, hi = -Infinity, plo = Infinity, phi = -Infinity;
  const see = (v: number) => {
    if (!(v - v === 0)) return; // NaN, ±Infinity
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (v > 0) { if (v < plo) plo = v; if (v > phi) phi = v; }
  };
  const cats = new Set<string>();
  const stackSums = new Map<string, number>();
  for (const t of traces) {
    if (axisKey(letter === "x" ? t.xaxis : t.yaxis, letter) !== key) continue;
    const vals = valuesOf(t, letter);
    const isValueAxis = t.type === "bar" && (t.orientation === "h") === (letter === "x");
    const other = valuesOf(t, letter === "x" ? "y" : "x");
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      if (typeof v === "number") {
        if (isValueAxis && stacked) {
          const cat = String(other[i]);
          const sum = (stackSums.get(cat) ?? 0) + v;
          stackSums.set(cat, sum);
          see(sum);
        } else see(v);
      } else if (typeof v === "string") cats.add(v);
      else if (v !== null && v !== undefined) see(Number(v));
    }
    if (isValueAxis) see(0);
  }
  return { ext: lo <= hi ? [lo, hi] : undefined, pos: plo <= phi ? [plo, phi] : undefined, cats: [...cats] };
}

function makeScale(spec: AxisSpec, values: AxisValues, target: number): Scale {
  if (spec.type === "category" || (values.cats.length > 0 && spec.type !== "log" && spec.type !== "linear")) {
    const cats = Array.isArray(spec.categoryarray) ? spec.categoryarray.map(String) : values.cats;
    return categoryScale(cats, spec.autorange === "reversed");
  }
  if (spec.type === "log") {
    const pos = values.pos ?? [1, 10];
    const [lo, hi] = Array.isArray(spec.range) ? spec.range.map(Number) : [Math.log10(pos[0]) - 0.1, Math.log10(pos[1]) + 0.1];
    return logScale(lo, hi);
  }
  const ext = values.ext ?? [0, 1];
  let [lo, hi] = Array.isArray(spec.range) ? spec.range.map(Number) : ext;
  if (!Array.isArray(spec.range)) { const pad = (hi - lo || Math.abs(hi) || 1) * 0.05; lo = lo === 0 ? 0 : lo - pad; hi += pad; }
  return linearScale(lo, hi, target, spec.autorange === "reversed", spec.dtick);
}

/** A five-pointed star around (cx, cy). */
function star(cx: number, cy: number, r: number): string {
  return Array.from({ length: 10 }, (_, i) => {
    const a = (Math.PI / 5) * i - Math.PI / 2, d = i % 2 ? r * 0.45 : r;
    return `${n2(cx + d * Math.cos(a))},${n2(cy + d * Math.sin(a))}`;
  }).join(" ");
}

function legendRows(entries: Rec[], x0: number, x1: number): number {
  let rows = 1, x = x0;
  for (const t of entries) {
    const w = 34 + 7 * String(t.name).length;
    if (x + w > x1 && x > x0) { rows++; x = x0; }
    x += w;
  }
  return rows;
}

/** Most category labels an axis writes (every k-th beyond). */
const MAX_CATEGORY_LABELS = 200;
/** Most bars a trace draws (every k-th category beyond). */
const MAX_BARS = 2000;

/** A finite number in [lo, hi], or `fallback`. */
const bounded = (v: unknown, lo: number, hi: number, fallback: number) => {
  const n = Number(v);
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : fallback;
};

/**
 * Renders a plotly figure `{data, layout}` (the subset graft produces) as a standalone SVG.
 * @example
 * const history = { epoch: [0, 1], history: { loss: [1, 0.5] } };
 * const svg = toSVG(plot.loss(history).toJSON());
 * assert.match(svg, /<polyline/);
 */
export function toSVG(fig: { data: Rec[]; layout: Rec }): string {
  const layout: Rec = fig.layout ?? {};
  const all: Rec[] = Array.isArray(fig.data) ? fig.data.filter((t) => t && typeof t === "object") : [];
  const traces = all.filter(visible);
  const W = bounded(layout.width, 50, 20000, 760), H = bounded(layout.height, 50, 20000, 450);
  const given = layout.margin ?? {};
  const m = { l: bounded(given.l, 0, W / 2, 80), r: bounded(given.r, 0, W / 2, 80), t: bounded(given.t, 0, H / 2, 100), b: bounded(given.b, 0, H / 2, 80) };
  const px0 = m.l, px1 = W - m.r, py0 = m.t, py1 = H - m.b;
  const stacked = layout.barmode === "stack";
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="graft-svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  const title = layout.title?.text;
  if (title) out.push(`<text class="gtitle" x="${n2(W / 2)}" y="${n2(Math.min(30, m.t / 2))}" text-anchor="middle" font-size="16" fill="${INK}">${escapeXml(String(title))}</text>`);

  // Axes: resolve scales and pixel boxes.
  const scales = new Map<string, Scale>();
  const boxes = new Map<string, [number, number]>(); // pixel start/end along the axis
  for (const key of Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k)).sort()) {
    const spec: AxisSpec = layout[key] ?? {};
    const letter = key[0] as "x" | "y";
    const [d0, d1] = Array.isArray(spec.domain) ? spec.domain.map((d) => bounded(d, 0, 1, 0)) : [0, 1];
    const box: [number, number] = letter === "x" ? [px0 + (px1 - px0) * d0, px0 + (px1 - px0) * d1] : [py1 - (py1 - py0) * d0, py1 - (py1 - py0) * d1];
    boxes.set(key, box);
    scales.set(key, makeScale(spec, axisValues(traces, key, letter, stacked), Math.max(2, Math.abs(box[1] - box[0]) / (letter === "x" ? 80 : 35))));
  }
  /** Pixel of `v` on axis `key`, clamped near the figure; undefined when it cannot be placed. */
  const placer = (key: string) => {
    const box = boxes.get(key)!, a = box[0], len = box[1] - box[0], frac = scales.get(key)!.frac;
    const lo = -3 * W, hi = 4 * W;
    return (v: number | string): number | undefined => {
      const p = a + len * frac(v);
      return p === p ? (p < lo ? lo : p > hi ? hi : p) : undefined;
    };
  };
  const placers = new Map([...scales.keys()].map((k) => [k, placer(k)]));
  const pos = (key: string, v: number | string) => placers.get(key)!(v);

  // Grids, ticks, axis titles.
  for (const [key, scale] of scales) {
    const spec: AxisSpec = layout[key] ?? {};
    const letter = key[0];
    const other = spec.anchor && spec.anchor !== "free" ? axisKey(spec.anchor, letter === "x" ? "y" : "x") : letter === "x" ? "yaxis" : "xaxis";
    const [o0, o1] = boxes.get(other) ?? (letter === "x" ? [py1, py0] : [px0, px1]);
    const [a, b] = boxes.get(key)!;
    const ticks = scale.kind === "category" ? thinEvenly(scale.ticks, MAX_CATEGORY_LABELS) : scale.ticks;
    out.push(`<g class="axis ${key}">`);
    for (const t of ticks) {
      const at = pos(key, t.value);
      if (at === undefined) continue;
      const p = n2(at);
      const label = escapeXml(t.label);
      if (letter === "x") {
        if (scale.kind !== "category") out.push(`<line x1="${p}" x2="${p}" y1="${n2(o0)}" y2="${n2(o1)}" stroke="${GRID}"/>`);
        out.push(`<text x="${p}" y="${n2(o0 + 16)}" text-anchor="middle" fill="${INK}">${label}</text>`);
      } else {
        if (scale.kind !== "category") out.push(`<line x1="${n2(o0)}" x2="${n2(o1)}" y1="${p}" y2="${p}" stroke="${GRID}"/>`);
        out.push(`<text x="${n2(o0 - 6)}" y="${p}" dy="0.35em" text-anchor="end" fill="${INK}">${label}</text>`);
      }
    }
    const line = letter === "x" ? `x1="${n2(a)}" x2="${n2(b)}" y1="${n2(o0)}" y2="${n2(o0)}"` : `x1="${n2(o0)}" x2="${n2(o0)}" y1="${n2(a)}" y2="${n2(b)}"`;
    out.push(`<line ${line} stroke="${INK}" stroke-opacity="0.3"/>`);
    const text = spec.title?.text;
    if (text) {
      const longest = ticks.reduce((n, t) => Math.max(n, t.label.length), 0);
      out.push(letter === "x"
        ? `<text class="axis-title" x="${n2((a + b) / 2)}" y="${n2(o0 + 36)}" text-anchor="middle" font-size="14" fill="${INK}">${escapeXml(String(text))}</text>`
        : `<text class="axis-title" transform="translate(${n2(Math.max(14, o0 - (scale.kind === "category" ? 14 + 7 * longest : 50)))},${n2((a + b) / 2)}) rotate(-90)" text-anchor="middle" font-size="14" fill="${INK}">${escapeXml(String(text))}</text>`);
    }
    out.push(`</g>`);
  }

  // Traces.
  const stackBase = new Map<string, number>();
  traces.forEach((t, i) => {
    const xk = axisKey(t.xaxis, "x"), yk = axisKey(t.yaxis, "y");
    if (!scales.has(xk) || !scales.has(yk)) return;
    const color = escapeXml(String(t.marker?.color ?? t.line?.color ?? COLORWAY[i % COLORWAY.length]));
    const opacity = bounded(t.opacity, 0, 1, 1);
    const xs = valuesOf(t, "x"), ys = valuesOf(t, "y");
    const name = escapeXml(String(t.name ?? `trace ${i}`));
    if (t.type === "bar" && t.orientation === "h") {
      const cats = scales.get(yk)!.ticks.length;
      const band = Math.abs(boxes.get(yk)![1] - boxes.get(yk)![0]) / Math.max(1, cats);
      const every = Math.ceil(cats / MAX_BARS);
      const drawn = new Map(scales.get(yk)!.ticks.map((c, j) => [c.value, j % every === 0]));
      out.push(`<g class="trace bars" data-name="${name}" fill="${color}" fill-opacity="${opacity}">`);
      ys.forEach((cat, j) => {
        const v = Number(xs[j]);
        if (!(v > 0) || !Number.isFinite(v)) return;
        const key = `${yk}|${cat}`;
        const base = stacked ? stackBase.get(key) ?? 0 : 0;
        if (stacked) stackBase.set(key, base + v);
        if (!drawn.get(String(cat))) return;
        const scale = scales.get(xk)!;
        const x0 = scale.kind === "log" && base <= 0 ? boxes.get(xk)![0] : pos(xk, base);
        const x1 = pos(xk, base + v);
        const yc = pos(yk, cat);
        if (x0 === undefined || x1 === undefined || yc === undefined) return;
        out.push(`<rect x="${n2(x0)}" y="${n2(yc - band * 0.4)}" width="${n2(Math.max(0, x1 - x0))}" height="${n2(band * 0.8)}"/>`);
      });
      out.push(`</g>`);
      return;
    }
    const n = Math.min(xs.length, ys.length);
    const px = new Float64Array(n), py = new Float64Array(n), src = new Int32Array(n);
    const posX = placers.get(xk)!, posY = placers.get(yk)!;
    let k = 0;
    for (let j = 0; j < n; j++) {
      const x = xs[j], y = ys[j];
      if (typeof y !== "number" || !Number.isFinite(y)) continue;
      if (typeof x !== "string" && (typeof x !== "number" || !Number.isFinite(x))) continue;
      const a = posX(x), b = posY(y);
      if (a === undefined || b === undefined) continue;
      px[k] = a; py[k] = b; src[k] = j; k++;
    }
    const PX = px.subarray(0, k), PY = py.subarray(0, k);
    const mode = String(t.mode ?? "lines");
    const line = mode.includes("lines") ? reduceLine(PX, PY) : [];
    const markers = mode.includes("markers") ? reduceMarkers(PX, PY) : [];
    const kept = line.length >= markers.length ? line : markers;
    const dash = t.line?.dash === "dash" ? ` stroke-dasharray="6,4"` : t.line?.dash === "dot" ? ` stroke-dasharray="2,3"` : "";
    const dataX = kept.map((p) => escapeXml(String(xs[src[p]]))).join(" "), dataY = kept.map((p) => String(ys[src[p]])).join(" ");
    const reduced = kept.length < k ? ` data-points="${k}"` : "";
    out.push(`<g class="trace scatter" data-name="${name}" data-x="${dataX}" data-y="${dataY}"${reduced} opacity="${opacity}">`);
    if (line.length > 0) out.push(`<polyline points="${line.map((p) => `${n2(PX[p])},${n2(PY[p])}`).join(" ")}" fill="none" stroke="${color}" stroke-width="${bounded(t.line?.width, 0, 50, 2)}"${dash}/>`);
    if (markers.length > 0) {
      const r = bounded(t.marker?.size, 0, 100, 6) / 2;
      for (const p of markers) {
        out.push(t.marker?.symbol === "star" ? `<polygon points="${star(PX[p], PY[p], r * 1.2)}" fill="${color}"/>` : `<circle cx="${n2(PX[p])}" cy="${n2(PY[p])}" r="${r}" fill="${color}"/>`);
      }
    }
    out.push(`</g>`);
  });

  // Shapes (vertical lines over the paper), annotations, legend.
  const paperY = (f: unknown, d: number) => py1 - (py1 - py0) * bounded(f, -2, 3, d);
  for (const s of Array.isArray(layout.shapes) ? layout.shapes : []) {
    const xk = axisKey(s?.xref, "x");
    if (s?.type !== "line" || !scales.has(xk) || !Number.isFinite(Number(s.x0))) continue;
    const at = pos(xk, Number(s.x0));
    if (at === undefined) continue;
    const x = n2(at);
    const dash = s.line?.dash === "dot" ? ` stroke-dasharray="2,3"` : s.line?.dash ? ` stroke-dasharray="6,4"` : "";
    out.push(`<line class="shape" x1="${x}" x2="${x}" y1="${n2(paperY(s.y0, 0))}" y2="${n2(paperY(s.y1, 1))}" stroke="${escapeXml(String(s.line?.color ?? INK))}" stroke-width="${bounded(s.line?.width, 0, 50, 1)}"${dash}/>`);
  }
  for (const a of Array.isArray(layout.annotations) ? layout.annotations : []) {
    if (!a) continue;
    const xk = axisKey(a.xref, "x"), yk = axisKey(a.yref, "y");
    const ok = (v: unknown) => typeof v === "string" || Number.isFinite(Number(v));
    if (!ok(a.x) || !ok(a.y)) continue;
    const x = a.xref === "paper" ? px0 + (px1 - px0) * bounded(a.x, -2, 3, 0) : scales.has(xk) ? pos(xk, a.x) : undefined;
    const y = a.yref === "paper" ? paperY(a.y, 0) : scales.has(yk) ? pos(yk, a.y) : undefined;
    if (x === undefined || y === undefined) continue;
    const anchor = a.xanchor === "left" ? "start" : a.xanchor === "right" ? "end" : "middle";
    const dy = a.yanchor === "bottom" ? -4 : a.yanchor === "top" ? 12 : 4;
    out.push(`<text class="annotation" x="${n2(x)}" y="${n2(y + dy)}" text-anchor="${anchor}" font-size="${bounded(a.font?.size, 1, 100, 11)}" fill="${escapeXml(String(a.font?.color ?? INK))}">${escapeXml(String(a.text).replace(/<[^>]+>/g, ""))}</text>`);
  }
  const entries = traces.filter((t) => t.showlegend !== false && t.name).slice(0, 50);
  if (layout.showlegend !== false && entries.length > 1) {
    let x = px0, y = Math.max(title ? 48 : 14, py0 - 14 - 18 * (legendRows(entries, px0, px1) - 1));
    out.push(`<g class="legend">`);
    for (const t of entries) {
      const label = String(t.name);
      const w = 34 + 7 * label.length;
      if (x + w > px1 && x > px0) { x = px0; y += 18; }
      const color = escapeXml(String(t.marker?.color ?? t.line?.color ?? COLORWAY[all.indexOf(t) % COLORWAY.length]));
      out.push(t.type === "bar"
        ? `<rect x="${n2(x)}" y="${n2(y - 5)}" width="16" height="10" fill="${color}" fill-opacity="${bounded(t.opacity, 0, 1, 1)}"/>`
        : `<line x1="${n2(x)}" x2="${n2(x + 16)}" y1="${n2(y)}" y2="${n2(y)}" stroke="${color}" stroke-width="2"/>`);
      out.push(`<text x="${n2(x + 20)}" y="${n2(y)}" dy="0.35em" fill="${INK}">${escapeXml(label)}</text>`);
      x += w;
    }
    out.push(`</g>`);
  }
  out.push(`</svg>`);
  return out.join("\n");
}
