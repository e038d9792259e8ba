/**
 * `plot.params(model)`: what is trainable, frozen and never trainable, per layer in model order
 * (or per block for deep models, with a toggle), as stacked horizontal bars.
 */
import type * as tf from "@tensorflow/tfjs";
import { Figure, type Trace } from "./figure";
import { escapeXml, formatCount, formatExact, maxOf } from "./_format";
import { isParamCounts, modelParams, type LayerParams, type ParamCounts } from "./_model_params";

export type { LayerParams, ParamCounts } from "./_model_params";

/** Options of `plot.params`. */
export interface ParamsOptions {
  /**
   * Rows per layer, per block (the shortest dotted-name prefix giving at least 4 blocks: `layer1`
   * in resnets, `features.3` in mobilenet), or auto (per block above 40 layers).
   */
  groupBy?: "layer" | "block" | "auto";
  /** Log-scaled parameter axis (small layers stay visible next to big ones). */
  log?: boolean;
  /** Replaces the totals title. */
  title?: string;
  /** Also list layers without parameters (activations, pooling, inputs); default false. */
  showEmpty?: boolean;
}

/** Above this many layers the figure opens per block. */
export const BLOCK_VIEW_ABOVE = 40;
/** Above this many layers (or with `groupBy` given) the figure has a layer/block toggle. */
export const TOGGLE_ABOVE = 12;

const KINDS = [
  { key: "trainable", label: "trainable", color: "#2ca02c" },
  { key: "frozen", label: "frozen", color: "#1f77b4" },
  { key: "nonTrainable", label: "non-trainable", color: "#bcbd22" },
] as const;

interface Row extends LayerParams { detail: string[] }

/** Fewest blocks a grouping should give before a deeper name prefix is tried. */
const MIN_BLOCKS = 4;

/**
 * Block of a layer name: its first `depth` dotted components (`layer1.0.conv1` → `layer1` at
 * depth 1, `features.3.conv.0` → `features.3` at depth 2). A nested model's path prefix
 * (`backbone/`) is kept.
 */
export function blockOf(name: string, depth = 1): string {
  const slash = name.lastIndexOf("/") + 1;
  const parts = name.slice(slash).split(".");
  return name.slice(0, slash) + parts.slice(0, depth).join(".");
}

/**
 * The shallowest depth giving at least MIN_BLOCKS blocks, fewer than the layers (resnet: 1 →
 * layer1…; mobilenet: 2 → features.3…); failing that, the depth with the most such blocks.
 */
function blockDepth(names: string[]): number {
  const maxDepth = maxOf(names.map((n) => n.split(".").length - 1), 1);
  let best = 1, bestCount = 0;
  for (let depth = 1; depth <= maxDepth; depth++) {
    const count = new Set(names.map((n) => blockOf(n, depth))).size;
    if (count >= names.length) break;
    if (count >= MIN_BLOCKS) return depth;
    if (count > bestCount) { best = depth; bestCount = count; }
  }
  return best;
}

function layerRows(counts: ParamCounts, showEmpty: boolean): Row[] {
  return counts.layers
    .filter((l) => showEmpty || l.trainable + l.frozen + l.nonTrainable > 0)
    .map((l) => ({ ...l, detail: l.shapes ?? [] }));
}

function blockRows(layers: Row[]): Row[] {
  const depth = blockDepth(layers.map((l) => l.name));
  const blocks = new Map<string, Row & { members: Row[] }>();
  for (const l of layers) {
    const name = blockOf(l.name, depth);
    const b = blocks.get(name) ?? { name, trainable: 0, frozen: 0, nonTrainable: 0, detail: [], members: [] };
    b.trainable += l.trainable; b.frozen += l.frozen; b.nonTrainable += l.nonTrainable;
    b.members.push(l);
    blocks.set(name, b);
  }
  return [...blocks.values()].map(({ members, ...b }) => ({
    ...b,
    detail: members.length === 1 && members[0].name === b.name
      ? members[0].detail
      : [`${members.length} layers: ${members.slice(0, 4).map((m) => m.name).join(", ")}${members.length > 4 ? ", …" : ""}`],
  }));
}

function hover(r: Row): string {
  const lines = [`<b>${escapeXml(r.name)}</b>`,
    `trainable: ${formatExact(r.trainable)}`, `frozen: ${formatExact(r.frozen)}`, `non-trainable: ${formatExact(r.nonTrainable)}`];
  const shown = r.detail.slice(0, 8).map(escapeXml);
  if (r.detail.length > 8) shown.push(`… ${r.detail.length - 8} more`);
  return [...lines, ...shown].join("<br>");
}

function traces(rows: Row[], view: "layer" | "block", visible: boolean): Trace[] {
  const hovers = rows.map(hover), names = rows.map((r) => r.name);
  return KINDS.map((k) => ({
    type: "bar",
    orientation: "h",
    name: k.label,
    legendgroup: k.key,
    showlegend: visible,
    visible,
    x: rows.map((r) => r[k.key]),
    y: names,
    customdata: hovers,
    hovertemplate: `%{customdata}<extra>${k.label}</extra>`,
    marker: { color: k.color },
    meta: { view },
  }));
}

const heightFor = (rows: number) => Math.max(300, 110 + rows * (rows > BLOCK_VIEW_ABOVE ? 16 : 22));

/** `11.2 M parameters: 5.1 k trainable, 11.2 M frozen, 9.6 k non-trainable`. */
export function paramsTitle(c: { total: number; trainable: number; frozen: number; nonTrainable: number }): string {
  return `${formatCount(c.total)} parameters: ${formatCount(c.trainable)} trainable, `
    + `${formatCount(c.frozen)} frozen, ${formatCount(c.nonTrainable)} non-trainable`;
}

function summary(title: string, rows: Row[]): string {
  const width = maxOf(rows.map((r) => r.name.length), 5);
  const head = `${"".padEnd(width)}  ${"trainable".padStart(12)} ${"frozen".padStart(12)} ${"non-trainable".padStart(13)}`;
  const body = rows.slice(0, 60).map((r) => `${r.name.padEnd(width)}  ${formatExact(r.trainable).padStart(12)} ${formatExact(r.frozen).padStart(12)} ${formatExact(r.nonTrainable).padStart(13)}`);
  if (rows.length > 60) body.push(`… ${rows.length - 60} more rows`);
  return [title, head, ...body].join("\n");
}

/**
 * Stacked horizontal bars of trainable / frozen / non-trainable parameters per layer, in model
 * order (layers without parameters left out unless `showEmpty`), with the totals in the title; deep
 * models (over 40 layers) open per block with a
 * toggle back to layers. Hover shows exact counts and weight shapes.
 * @param model a tfjs model, or the result of `countParams(model)`
 * @returns a `Figure` (displays itself in the graft kernel)
 * @example
 * freeze(model, "layer1.*");
 * plot.params(model, { log: true });   // last expression of a cell: shown inline
 */
export function params(model: tf.LayersModel | ParamCounts, opts: ParamsOptions = {}): Figure {
  const counts = isParamCounts(model) ? model : modelParams(model);
  const layers = layerRows(counts, opts.showEmpty ?? false);
  const blocks = blockRows(layers);
  const groupBy = opts.groupBy ?? "auto";
  // The toggle is worth its space for deep models, or when grouping was asked for.
  const hasBlocks = blocks.length < layers.length && (groupBy !== "auto" || layers.length > TOGGLE_ABOVE);
  const view: "layer" | "block" = groupBy === "block" || (groupBy === "auto" && layers.length > BLOCK_VIEW_ABOVE) ? "block" : "layer";
  const shown = view === "block" ? blocks : layers;
  const title = opts.title ?? paramsTitle(counts);
  const labelWidth = maxOf([...shown, ...(hasBlocks ? layers : [])].map((r) => r.name.length), 4);
  const data = hasBlocks
    ? [...traces(layers, "layer", view === "layer"), ...traces(blocks, "block", view === "block")]
    : traces(layers, "layer", true);
  const layout: Record<string, unknown> = {
    title: { text: title, font: { size: 15 } },
    barmode: "stack",
    height: heightFor(shown.length),
    margin: { l: Math.min(320, 24 + 7 * labelWidth), r: 30, t: 90, b: 60 },
    xaxis: { title: { text: opts.log ? "parameters (log scale)" : "parameters" }, automargin: true, ...(opts.log ? { type: "log" } : { type: "linear", rangemode: "tozero" }) },
    yaxis: { title: { text: view, standoff: 12 }, type: "category", autorange: "reversed", automargin: true, dtick: 1 },
    legend: { orientation: "h", x: 0, y: 1.0, xanchor: "left", yanchor: "bottom", traceorder: "normal" },
    hovermode: "closest",
    bargap: 0.2,
  };
  if (hasBlocks) {
    const visibility = (v: "layer" | "block") => data.map((t) => (t.meta as { view: string }).view === v);
    const button = (v: "layer" | "block", rows: Row[]) => ({
      label: v === "layer" ? `per layer (${layers.length})` : `per block (${blocks.length})`,
      method: "update",
      args: [{ visible: visibility(v), showlegend: visibility(v) }, { height: heightFor(rows.length), "yaxis.title.text": v }],
    });
    layout.updatemenus = [{
      type: "buttons", direction: "right", showactive: true, active: view === "layer" ? 0 : 1,
      x: 1, xanchor: "right", y: 1.0, yanchor: "bottom", pad: { b: 4 },
      buttons: [button("layer", layers), button("block", blocks)],
    }];
  }
  return new Figure(data, layout, summary(title, shown));
}
