/**
 * A static SVG rendering of the plotly figures graft builds, drawn without a browser: titles,
 * axes with ticks and grids, stacked horizontal bars, lines and markers, vertical marker lines,
 * annotations and a legend, in plotly.js's default look. It reads the subset of plotly JSON
 * that `plot.params` and `plot.loss` produce. Every line trace also carries its data values
 * (`data-x`, `data-y`) next to the pixel `points`, so the figure can be checked without a browser.
 */
import { escapeXml } from "./_format";
import { type AxisSpec, type Scale, categoryScale, extent, linearScale, logScale } from "./_scale";

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FONT = `font-family="'Open Sans', verdana, arial, sans-serif"`;
const INK = "#444";
const GRID = "#eee";
const COLORWAY = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

const n2 = (v: number) => (Math.round(v * 100) / 100).toString();
const axisKey = (ref: string | undefined, letter: "x" | "y") => `${letter}axis${(ref ?? letter).slice(1)}`;
const visible = (t: Rec) => t.visible !== false && t.visible !== "legendonly";

/** Values a trace puts on an axis, with stacked bars summed per category. */
function axisValues(traces: Rec[], key: string, letter: "x" | "y", stacked: boolean): { nums: number[]; cats: string[] } {
  const nums: number[] = [], cats: string[] = [];
  const stackSums = new Map<string, number>();
  for (const t of traces) {
    if (axisKey(letter === "x" ? t.xaxis : t.yaxis, letter) !== key) continue;
    const vals: unknown[] = t[letter] ?? [];
    const isValueAxis = t.type === "bar" && (t.orientation === "h") === (letter === "x");
    vals.forEach((v, i) => {
      if (typeof v === "string") { if (!cats.includes(v)) cats.push(v); return; }
      if (isValueAxis && stacked) {
        const cat = String((t[letter === "x" ? "y" : "x"] ?? [])[i]);
        const s = (stackSums.get(cat) ?? 0) + Number(v);
        stackSums.set(cat, s);
        nums.push(s);
      } else nums.push(Number(v));
    });
    if (isValueAxis) nums.push(0);
  }
  return { nums, cats };
}

function makeScale(spec: AxisSpec, values: { nums: number[]; cats: string[] }, target: number): Scale {
  if (spec.type === "category" || (values.cats.length > 0 && spec.type !== "log" && spec.type !== "linear")) {
    return categoryScale(spec.categoryarray ?? values.cats, spec.autorange === "reversed");
  }
  if (spec.type === "log") {
    const pos = extent(values.nums.filter((v) => v > 0)) ?? [1, 10];
    const [lo, hi] = spec.range ?? [Math.log10(pos[0]) - 0.1, Math.log10(pos[1]) + 0.1];
    return logScale(lo, hi);
  }
  const ext = extent(values.nums) ?? [0, 1];
  let [lo, hi] = spec.range ?? ext;
  if (!spec.range) { const pad = (hi - lo || Math.abs(hi) || 1) * 0.05; lo = lo === 0 ? 0 : lo - pad; hi += pad; }
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

/**
 * Renders a plotly figure `{data, layout}` (the subset graft produces) as a standalone SVG.
 * @example
 * const svg = toSVG(plot.loss(history).toJSON());
 * assert.match(svg, /<polyline/);
 */
export function toSVG(fig: { data: Rec[]; layout: Rec }): string {
  const { layout } = fig;
  const traces = fig.data.filter(visible);
  const W = layout.width ?? 760, H = layout.height ?? 450;
  const m = { l: 80, r: 80, t: 100, b: 80, ...(layout.margin ?? {}) };
  const px0 = m.l, px1 = W - m.r, py0 = m.t, py1 = H - m.b;
  const stacked = layout.barmode === "stack";
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="graft-svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  const title = layout.title?.text;
  if (title) out.push(`<text class="gtitle" x="${n2(W / 2)}" y="${n2(Math.min(30, m.t / 2))}" text-anchor="middle" font-size="16" fill="${INK}">${escapeXml(title)}</text>`);

  // Axes: resolve scales and pixel boxes.
  const scales = new Map<string, Scale>();
  const boxes = new Map<string, [number, number]>(); // pixel start/end along the axis
  for (const key of Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k)).sort()) {
    const spec: AxisSpec = layout[key];
    const letter = key[0] as "x" | "y";
    const [d0, d1] = spec.domain ?? [0, 1];
    const box: [number, number] = letter === "x" ? [px0 + (px1 - px0) * d0, px0 + (px1 - px0) * d1] : [py1 - (py1 - py0) * d0, py1 - (py1 - py0) * d1];
    boxes.set(key, box);
    scales.set(key, makeScale(spec, axisValues(traces, key, letter, stacked), Math.max(2, Math.abs(box[1] - box[0]) / (letter === "x" ? 80 : 35))));
  }
  const pos = (key: string, v: number | string) => {
    const [a, b] = boxes.get(key)!;
    return a + (b - a) * scales.get(key)!.frac(v);
  };

  // Grids, ticks, axis titles.
  for (const [key, scale] of scales) {
    const spec: AxisSpec = layout[key];
    const letter = key[0];
    const other = spec.anchor && spec.anchor !== "free" ? axisKey(spec.anchor, letter === "x" ? "y" : "x") : letter === "x" ? "yaxis" : "xaxis";
    const [o0, o1] = boxes.get(other) ?? (letter === "x" ? [py1, py0] : [px0, px1]);
    const [a, b] = boxes.get(key)!;
    out.push(`<g class="axis ${key}">`);
    for (const t of scale.ticks) {
      const p = n2(pos(key, t.value));
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
      out.push(letter === "x"
        ? `<text class="axis-title" x="${n2((a + b) / 2)}" y="${n2(o0 + 36)}" text-anchor="middle" font-size="14" fill="${INK}">${escapeXml(text)}</text>`
        : `<text class="axis-title" transform="translate(${n2(Math.max(14, o0 - (scale.kind === "category" ? 14 + 7 * Math.max(0, ...scale.ticks.map((t) => t.label.length)) : 50)))},${n2((a + b) / 2)}) rotate(-90)" text-anchor="middle" font-size="14" fill="${INK}">${escapeXml(text)}</text>`);
    }
    out.push(`</g>`);
  }

  // Traces.
  const stackBase = new Map<string, number>();
  traces.forEach((t, i) => {
    const xk = axisKey(t.xaxis, "x"), yk = axisKey(t.yaxis, "y");
    if (!scales.has(xk) || !scales.has(yk)) return;
    const color = t.marker?.color ?? t.line?.color ?? COLORWAY[i % COLORWAY.length];
    const opacity = t.opacity ?? 1;
    const xs: any[] = t.x ?? [], ys: any[] = t.y ?? []; // eslint-disable-line @typescript-eslint/no-explicit-any
    const name = escapeXml(String(t.name ?? `trace ${i}`));
    if (t.type === "bar" && t.orientation === "h") {
      const band = Math.abs(boxes.get(yk)![1] - boxes.get(yk)![0]) / Math.max(1, scales.get(yk)!.ticks.length);
      out.push(`<g class="trace bars" data-name="${name}" fill="${color}" fill-opacity="${opacity}">`);
      ys.forEach((cat, j) => {
        const v = Number(xs[j]);
        if (!(v > 0)) return;
        const key = `${yk}|${cat}`;
        const base = stacked ? stackBase.get(key) ?? 0 : 0;
        if (stacked) stackBase.set(key, base + v);
        const scale = scales.get(xk)!;
        const x0 = scale.kind === "log" && base <= 0 ? boxes.get(xk)![0] : pos(xk, base);
        const x1 = pos(xk, base + v);
        const yc = pos(yk, cat);
        out.push(`<rect x="${n2(x0)}" y="${n2(yc - band * 0.4)}" width="${n2(Math.max(0, x1 - x0))}" height="${n2(band * 0.8)}"/>`);
      });
      out.push(`</g>`);
      return;
    }
    const pts: string[] = [], dataX: string[] = [], dataY: string[] = [];
    xs.forEach((x, j) => {
      const y = ys[j];
      if (y === null || y === undefined || !Number.isFinite(Number(y))) return;
      pts.push(`${n2(pos(xk, x))},${n2(pos(yk, y))}`);
      dataX.push(String(x)); dataY.push(String(y));
    });
    const mode = String(t.mode ?? "lines");
    const dash = t.line?.dash === "dash" ? ` stroke-dasharray="6,4"` : t.line?.dash === "dot" ? ` stroke-dasharray="2,3"` : "";
    out.push(`<g class="trace scatter" data-name="${name}" data-x="${dataX.join(" ")}" data-y="${dataY.join(" ")}" opacity="${opacity}">`);
    if (mode.includes("lines") && pts.length > 0) out.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${color}" stroke-width="${t.line?.width ?? 2}"${dash}/>`);
    if (mode.includes("markers")) {
      const r = (t.marker?.size ?? 6) / 2;
      for (const p of pts) {
        const [cx, cy] = p.split(",").map(Number);
        out.push(t.marker?.symbol === "star" ? `<polygon points="${star(cx, cy, r * 1.2)}" fill="${color}"/>` : `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${color}"/>`);
      }
    }
    out.push(`</g>`);
  });

  // Shapes (vertical lines over the paper), annotations, legend.
  const paperY = (f: number) => py1 - (py1 - py0) * f;
  for (const s of layout.shapes ?? []) {
    const xk = axisKey(s.xref, "x");
    if (s.type !== "line" || !scales.has(xk)) continue;
    const x = n2(pos(xk, s.x0));
    const dash = s.line?.dash === "dot" ? ` stroke-dasharray="2,3"` : s.line?.dash ? ` stroke-dasharray="6,4"` : "";
    out.push(`<line class="shape" x1="${x}" x2="${x}" y1="${n2(paperY(s.y0 ?? 0))}" y2="${n2(paperY(s.y1 ?? 1))}" stroke="${s.line?.color ?? INK}" stroke-width="${s.line?.width ?? 1}"${dash}/>`);
  }
  for (const a of layout.annotations ?? []) {
    const xk = axisKey(a.xref, "x"), yk = axisKey(a.yref, "y");
    const x = a.xref === "paper" ? px0 + (px1 - px0) * a.x : scales.has(xk) ? pos(xk, a.x) : undefined;
    const y = a.yref === "paper" ? paperY(a.y) : scales.has(yk) ? pos(yk, a.y) : undefined;
    if (x === undefined || y === undefined) continue;
    const anchor = a.xanchor === "left" ? "start" : a.xanchor === "right" ? "end" : "middle";
    const dy = a.yanchor === "bottom" ? -4 : a.yanchor === "top" ? 12 : 4;
    out.push(`<text class="annotation" x="${n2(x)}" y="${n2(y + dy)}" text-anchor="${anchor}" font-size="${a.font?.size ?? 11}" fill="${a.font?.color ?? INK}">${escapeXml(String(a.text).replace(/<[^>]+>/g, ""))}</text>`);
  }
  const entries = traces.filter((t) => t.showlegend !== false && t.name);
  if (layout.showlegend !== false && entries.length > 1) {
    let x = px0, y = Math.max(title ? 48 : 14, py0 - 14 - 18 * (legendRows(entries, px0, px1) - 1));
    out.push(`<g class="legend">`);
    for (const t of entries) {
      const label = String(t.name);
      const w = 34 + 7 * label.length;
      if (x + w > px1 && x > px0) { x = px0; y += 18; }
      const color = t.marker?.color ?? t.line?.color ?? COLORWAY[fig.data.indexOf(t) % COLORWAY.length];
      out.push(t.type === "bar"
        ? `<rect x="${n2(x)}" y="${n2(y - 5)}" width="16" height="10" fill="${color}" fill-opacity="${t.opacity ?? 1}"/>`
        : `<line x1="${n2(x)}" x2="${n2(x + 16)}" y1="${n2(y)}" y2="${n2(y)}" stroke="${color}" stroke-width="2"/>`);
      out.push(`<text x="${n2(x + 20)}" y="${n2(y)}" dy="0.35em" fill="${INK}">${escapeXml(label)}</text>`);
      x += w;
    }
    out.push(`</g>`);
  }
  out.push(`</svg>`);
  return out.join("\n");
}
