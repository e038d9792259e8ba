/**
 * Seeded hostile inputs for every renderer (test helper, run inside a worker by fuzz.test.ts):
 * series of NaN, ±Infinity, ±1e308, subnormals, constants at any magnitude, empty ones, and
 * occasionally 10⁶ points, fed to the figure builders, the SVG drawer, and the text/HTML
 * renderings of parameter counts and load reports.
 */
import * as plot from "../../src/plot";
import { countsBundle } from "../../src/display/_model";
import { formatParams } from "../../src/freeze/params_table";
import { LoadReport } from "../../src/load/report";
import type { LoadPlan } from "../../src/load/plan";

/** mulberry32: a small seeded generator. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPECIAL = [NaN, Infinity, -Infinity, 1e308, -1e308, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -5e-324,
  2.2250738585072014e-308, 0, -0, 1e30, -1e30, 1e-30, 1, -1, 1e15 + 0.5, 2 ** 53];

/** One hostile number. */
function hostile(r: () => number): number {
  const k = r();
  if (k < 0.35) return SPECIAL[Math.floor(r() * SPECIAL.length)];
  if (k < 0.7) return (r() - 0.5) * Math.pow(10, Math.floor(r() * 616) - 308);
  return r() * 4;
}

/** A series: constant at some magnitude, random hostile, or ordinary; length 0…n. */
function series(r: () => number, n: number): number[] {
  const len = r() < 0.1 ? 0 : Math.floor(r() * n);
  const kind = r();
  const c = hostile(r);
  return Array.from({ length: len }, (_, i) => (kind < 0.3 ? c : kind < 0.7 ? hostile(r) : Math.exp(-i / 10) + r() * 0.1));
}

const METRICS = ["loss", "val_loss", "acc", "val_acc", "mse"];

/** What one case produced: the SVG (checked for well-formedness) and how big everything was. */
export interface CaseResult { kind: string; svg: string; bytes: number }

/** Kinds of big case: a 10⁶-point trace, a 10⁶-batch loss history, 10⁵-row tables. */
export const BIG_KINDS = 3;

/**
 * Builds case `seed` (its input, untimed) and returns the rendering to time; `big` (0, 1, 2)
 * picks a big case: one 10⁶-point trace drawn directly, a loss history of 10⁶ batches, or the
 * text and HTML tables of 10⁵ layers and of a load report with 10⁵ entries.
 */
export function makeCase(seed: number, big?: number): () => CaseResult {
  const r = rng(seed);
  if (big === 2) {
    const n = 100_000;
    const layers = Array.from({ length: n }, (_, i) => ({ name: `layer${i % 7}.${i}.conv`, className: "Conv2D", trainable: hostile(r), frozen: hostile(r), nonTrainable: hostile(r) }));
    const counts = { trainable: hostile(r), frozen: hostile(r), nonTrainable: hostile(r), total: hostile(r), layers };
    const plan = {
      format: "pytorch", path: "big.pth", layout: "torch", match: "auto",
      loaded: layers.map((l, i) => ({ target: `${l.name}/kernel`, sources: [`c${i}.weight`], shape: [hostile(r), 3], transform: "transpose(2,3,1,0)", structural: false })),
      missing: layers.map((l) => ({ target: `${l.name}/bias`, shape: [hostile(r)] })),
      unexpected: [], mismatched: [], incompatible: [], skipped: [], ignored: [], warnings: [],
      totalParams: hostile(r), loadedParams: hostile(r), totalTensors: 2 * n,
    } as unknown as LoadPlan;
    return () => {
      const report = new LoadReport(plan, { applied: true, elapsedMs: hostile(r) });
      const bundle = countsBundle(counts);
      const texts = [String(bundle["text/html"]), String(bundle["text/plain"]), formatParams(counts as never), report.toString(), report.toHTML()];
      return { kind: "tables of 10^5 rows", svg: "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", bytes: texts.reduce((a, t) => a + t.length, 0) };
    };
  }
  if (big === 0) {
    const n = 1_000_000, c = hostile(r);
    const y = Array.from({ length: n }, () => (r() < 0.5 ? c : hostile(r)));
    const x = Array.from({ length: n }, (_, i) => i);
    return () => {
      const svg = plot.toSVG({ data: [{ type: "scatter", mode: "lines+markers", x, y }], layout: { xaxis: {}, yaxis: {} } });
      return { kind: "toSVG, one 10^6-point trace", svg, bytes: svg.length };
    };
  }
  if (big === 1) {
    const n = 1_000_000, c = hostile(r);
    const batches = Array.from({ length: n }, (_, i) => ({ epoch: Math.floor(i / 1000), batch: i % 1000, logs: { loss: r() < 0.5 ? c : hostile(r) } }));
    const epochs = Array.from({ length: n / 1000 }, () => ({ loss: hostile(r), val_loss: hostile(r) }));
    return () => render("loss, 10^6 batches", plot.loss({ epochNumbers: epochs.map((_, i) => i), epochs, batches }), []);
  }
  return () => smallCase(r);
}

function render(kind: string, fig: plot.Figure, texts: string[]): CaseResult {
  const svg = fig.toSVG();
  const bundle = fig.toMimeBundle({ plotly: "none" });
  texts.push(String(bundle["text/html"]), String(bundle["text/plain"]), fig.summary);
  return { kind, svg, bytes: svg.length + texts.reduce((a, t) => a + t.length, 0) };
}

function smallCase(r: () => number): CaseResult {
  const pick = Math.floor(r() * 5);
  const texts: string[] = [];
  let fig: plot.Figure;
  let kind: string;
  if (pick === 0) {
    kind = "lossCallback pushes";
    const cb = plot.lossCallback();
    const steps = Math.floor(r() * 40);
    const metrics = METRICS.filter(() => r() < 0.5);
    for (let s = 0; s < steps; s++) {
      const logs = Object.fromEntries(metrics.map((m) => [m, hostile(r)]));
      if (r() < 0.8) cb.pushBatch(logs); else cb.push(logs);
    }
    fig = cb.figure();
  } else if (pick === 1) {
    kind = "loss(history)";
    const metrics = METRICS.filter(() => r() < 0.6);
    const history = Object.fromEntries(metrics.map((m) => [m, series(r, 60)]));
    fig = plot.loss({ history }, { epochs: r() < 0.2 ? hostile(r) : undefined, unfreezeEpochs: r() < 0.3 ? [hostile(r), 2] : [], smoothing: r() < 0.2 ? hostile(r) : undefined });
  } else if (pick === 2) {
    kind = "params(counts)";
    const layers = Array.from({ length: Math.floor(r() * 80) }, (_, i) => ({
      name: r() < 0.5 ? `layer${i % 7}.${i}.conv` : `l<${i}>&"x"`, className: r() < 0.5 ? "Conv2D" : `<C${i}>&`, trainable: hostile(r), frozen: hostile(r), nonTrainable: hostile(r),
    }));
    const sum = (k: "trainable" | "frozen" | "nonTrainable") => layers.reduce((a, l) => a + l[k], 0);
    const counts = { trainable: sum("trainable"), frozen: sum("frozen"), nonTrainable: sum("nonTrainable"), total: hostile(r), layers };
    fig = plot.params(counts, { log: r() < 0.5, groupBy: (["layer", "block", "auto"] as const)[Math.floor(r() * 3)] });
    texts.push(String(countsBundle(counts)["text/html"]), String(countsBundle(counts)["text/plain"]));
    texts.push(formatParams(counts));
  } else if (pick === 3) {
    kind = "load(report) + LoadReport text/HTML";
    const shape = () => Array.from({ length: Math.floor(r() * 4) }, () => (r() < 0.3 ? hostile(r) : Math.floor(r() * 64)));
    const n = Math.floor(r() * 50);
    const plan = {
      format: "pytorch", path: "/tmp/x<&>.pth", layout: "torch", match: "auto",
      loaded: Array.from({ length: n }, (_, i) => ({ target: `b${i % 5}.c${i}/kernel`, sources: [`c${i}.weight`], shape: shape(), transform: "transpose(2,3,1,0)", structural: r() < 0.2 })),
      missing: Array.from({ length: Math.floor(r() * 5) }, (_, i) => ({ target: `m${i}/bias`, shape: shape() })),
      unexpected: Array.from({ length: Math.floor(r() * 5) }, (_, i) => ({ source: `u${i}`, shape: shape() })),
      mismatched: Array.from({ length: Math.floor(r() * 5) }, (_, i) => ({ target: `fc${i}/kernel`, source: `fc${i}.weight`, modelShape: shape(), checkpointShape: shape(), expectedShape: shape(), transform: "transpose" })),
      incompatible: [], skipped: [], ignored: [], warnings: [],
      totalParams: hostile(r), loadedParams: hostile(r), totalTensors: hostile(r),
    } as unknown as LoadPlan;
    const report = new LoadReport(plan, { applied: r() < 0.5, elapsedMs: hostile(r) });
    texts.push(report.toString(), report.toHTML(), JSON.stringify(report.toJSON()));
    fig = plot.load(report);
  } else {
    kind = "toSVG(raw figure)";
    const types = ["linear", "log", "category", undefined] as const;
    const axis = () => ({
      type: types[Math.floor(r() * 4)],
      ...(r() < 0.4 ? { range: [hostile(r), hostile(r)] } : {}),
      ...(r() < 0.2 ? { dtick: hostile(r) } : {}),
      ...(r() < 0.2 ? { autorange: "reversed" } : {}),
      ...(r() < 0.1 ? { domain: [hostile(r), hostile(r)] } : {}),
    });
    const traces = Array.from({ length: Math.floor(r() * 4) }, (_, i) => {
      const ys = series(r, 300);
      const bar = r() < 0.3;
      return bar
        ? { type: "bar", orientation: "h", name: `t${i}`, x: ys, y: ys.map((_, j) => `c${j % 20}`) }
        : { type: "scatter", mode: ["lines", "markers", "lines+markers"][Math.floor(r() * 3)], name: `t${i}`, x: r() < 0.5 ? ys.map((_, j) => j) : series(r, ys.length + 1), y: ys, marker: { symbol: r() < 0.2 ? "star" : "circle", size: hostile(r) } };
    });
    const layout = {
      xaxis: axis(), yaxis: axis(), barmode: r() < 0.5 ? "stack" : undefined,
      width: r() < 0.1 ? hostile(r) : undefined, height: r() < 0.1 ? hostile(r) : undefined,
      shapes: r() < 0.3 ? [{ type: "line", xref: "x", x0: hostile(r), y0: hostile(r), y1: 1 }] : [],
      annotations: r() < 0.3 ? [{ x: hostile(r), y: hostile(r), xref: "x", yref: "y", text: "a<b>" }] : [],
    };
    fig = new plot.Figure(traces as plot.Trace[], layout, "raw");
  }
  return render(kind, fig, texts);
}
