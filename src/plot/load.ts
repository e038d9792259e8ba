/**
 * `plot.load(report)`: where a checkpoint's weights went — per layer of the model (per block for
 * deep models), stacked bars of parameters loaded, left as initialised because the shapes
 * differ, and missing from the checkpoint. The picture of a `LoadReport`; `%load_weights`
 * shows it under the report.
 */
import { Figure, type Trace } from "./figure";
import { formatCount, formatExact, maxOf } from "./_format";
import { blockOf } from "./params";

/** What `plot.load` reads of a `LoadReport` (its `loaded`, `mismatched` and `missing` lists). */
export interface LoadReportLike {
  source: string;
  loaded: { target: string; shape: number[] }[];
  mismatched: { target: string; modelShape: number[] }[];
  missing: { target: string; shape: number[] }[];
}

const KINDS = [
  { key: "loaded", label: "loaded", color: "#2ca02c" },
  { key: "mismatched", label: "shape mismatch (left as initialised)", color: "#d62728" },
  { key: "missing", label: "missing from the checkpoint", color: "#ff7f0e" },
] as const;

type Row = { name: string; loaded: number; mismatched: number; missing: number };

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const layerOf = (target: string) => target.slice(0, target.lastIndexOf("/")) || target;

/**
 * The figure of a load report.
 * @param report a `LoadReport` from `loadWeights`
 * @returns a `Figure` (displays itself in the graft kernel)
 * @example
 * ```ts
 * const report = await loadWeights(model, "resnet18.pth");
 * plot.load(report);   // green where weights came from the file, red/orange where they did not
 * ```
 */
export function load(report: LoadReportLike): Figure {
  const rows = new Map<string, Row>();
  const add = (target: string, kind: "loaded" | "mismatched" | "missing", n: number) => {
    const name = layerOf(target);
    const row = rows.get(name) ?? { name, loaded: 0, mismatched: 0, missing: 0 };
    row[kind] += n;
    rows.set(name, row);
  };
  for (const e of report.loaded) add(e.target, "loaded", size(e.shape));
  for (const e of report.mismatched) add(e.target, "mismatched", size(e.modelShape));
  for (const e of report.missing) add(e.target, "missing", size(e.shape));
  let shown = [...rows.values()];
  if (shown.length > 40) {
    const blocks = new Map<string, Row>();
    for (const r of shown) {
      const name = blockOf(r.name);
      const b = blocks.get(name) ?? { name, loaded: 0, mismatched: 0, missing: 0 };
      for (const k of KINDS) b[k.key] += r[k.key];
      blocks.set(name, b);
    }
    shown = [...blocks.values()];
  }
  const total = { loaded: 0, mismatched: 0, missing: 0 };
  for (const r of rows.values()) for (const k of KINDS) total[k.key] += r[k.key];
  const all = total.loaded + total.mismatched + total.missing;
  const title = `${formatCount(total.loaded)} of ${formatCount(all)} parameters loaded from ${report.source.replace(/^.*\//, "")}`;
  const data: Trace[] = KINDS.map((k) => ({
    type: "bar",
    orientation: "h",
    name: k.label,
    x: shown.map((r) => r[k.key]),
    y: shown.map((r) => r.name),
    hovertemplate: `%{y}: %{x:,} parameters<extra>${k.label}</extra>`,
    marker: { color: k.color },
  }));
  const width = maxOf(shown.map((r) => r.name.length), 4);
  const layout = {
    title: { text: title, font: { size: 15 } },
    barmode: "stack",
    height: Math.max(260, 110 + shown.length * 20),
    margin: { l: Math.min(320, 24 + 7 * width), r: 30, t: 90, b: 60 },
    xaxis: { title: { text: "parameters" }, type: "linear", rangemode: "tozero", automargin: true },
    yaxis: { type: "category", autorange: "reversed", automargin: true, dtick: 1 },
    legend: { orientation: "h", x: 0, y: 1.0, xanchor: "left", yanchor: "bottom" },
    hovermode: "closest",
    bargap: 0.2,
  };
  const problems = shown.filter((r) => r.mismatched + r.missing > 0)
    .map((r) => `  ${r.name}: ${formatExact(r.mismatched)} mismatched, ${formatExact(r.missing)} missing`);
  const summary = [title, ...(problems.length ? ["not loaded:", ...problems.slice(0, 20)] : ["every model parameter was loaded"])].join("\n");
  return new Figure(data, layout, summary);
}
