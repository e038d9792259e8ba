/**
 * `plot.loss(history)`: train and validation curves per epoch (and per batch, smoothed, raw
 * values faint), one panel per metric, unfreezing epochs as vertical lines, best validation
 * epoch marked. Epoch `e` (0-based, as tfjs counts) is drawn at x = e + 1: the end of the epoch.
 */
import { Figure, type Layout, type Trace } from "./figure";
import { formatValue } from "./_format";
import { ema, metricPanels, toTrainingLog, type HistoryLike, type TrainingLog } from "./_history";

export type { HistoryLike, TrainingLog, Logs, BatchLog } from "./_history";

/** An unfreezing event, as the freeze schedule callback records them. */
export interface UnfreezeEvent { epoch: number; names: string[] }

/** Options of `plot.loss`. */
export interface LossOptions {
  /** Per-batch curves when the history has them (default true). */
  batches?: boolean;
  /** EMA smoothing of batch values, 0 (none) to <1 (default 0.8). */
  smoothing?: number;
  /** Most points per batch curve (and per epoch curve); longer runs are thinned evenly after smoothing (default 1000). */
  maxBatchPoints?: number;
  /** Epochs at which layers were unfrozen (0-based: the line is drawn where that epoch starts). */
  unfreezeEpochs?: Array<number | UnfreezeEvent>;
  /** An unfreezing schedule (its `events` are read each time the figure is drawn). */
  schedule?: { events: UnfreezeEvent[] };
  /** Panels to draw (base metric names: `loss`, `acc`); default every metric in the logs. */
  metrics?: string[];
  /** Planned number of epochs, to fix the x range while training. */
  epochs?: number;
  /** Replaces the generated title. */
  title?: string;
}

const BEST = "#d62728", LINE = "#7f7f7f";
/** Train and validation colours per panel: loss blue/orange, the next metric green/purple, … (legend entries stay distinct). */
const PANEL_COLORS: Array<readonly [string, string]> = [["#1f77b4", "#ff7f0e"], ["#2ca02c", "#9467bd"], ["#8c564b", "#e377c2"], ["#17becf", "#bcbd22"]];

function batchX(log: TrainingLog): Float64Array {
  const perEpoch = new Map<number, number>();
  const ended = new Set(log.epochNumbers);
  for (const b of log.batches) perEpoch.set(b.epoch, Math.max(perEpoch.get(b.epoch) ?? 0, b.batch + 1));
  const done = [...perEpoch.entries()].filter(([e]) => ended.has(e)).map(([, n]) => n);
  const typical = done.length ? done[done.length - 1] : 0;
  const out = new Float64Array(log.batches.length);
  log.batches.forEach((b, i) => {
    const n = ended.has(b.epoch) ? perEpoch.get(b.epoch)! : Math.max(typical, perEpoch.get(b.epoch)!);
    out[i] = b.epoch + (b.batch + 1) / n;
  });
  return out;
}

/** Indices of at most `max` points spread evenly over `n`, the last one always kept. */
function thin(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const step = n / max;
  const out = Array.from({ length: max - 1 }, (_, i) => Math.floor(i * step));
  out.push(n - 1);
  return out;
}

function events(opts: LossOptions): UnfreezeEvent[] {
  const given = (opts.unfreezeEpochs ?? []).map((e) => (typeof e === "number" ? { epoch: e, names: [] } : e));
  return [...given, ...(opts.schedule?.events ?? [])];
}

/** The best (lowest) `val_loss` epoch, if any. */
export function bestEpoch(log: TrainingLog, metric = "val_loss"): { epoch: number; value: number } | undefined {
  let best: { epoch: number; value: number } | undefined;
  log.epochs.forEach((l, i) => {
    const v = l[metric];
    if (Number.isFinite(v) && (!best || v < best.value)) best = { epoch: log.epochNumbers[i], value: v };
  });
  return best;
}

function progress(log: TrainingLog, epochs?: number): string {
  const n = log.epochs.length;
  return n ? `epoch ${log.epochNumbers[n - 1] + 1}${epochs ? ` of ${epochs}` : ""}` : log.batches.length ? "first epoch" : "no data yet";
}

/** The figure's title: progress and best validation loss, without every value. */
function lossTitle(log: TrainingLog, epochs?: number): string {
  const best = bestEpoch(log);
  return `Training, ${progress(log, epochs)}${best ? ` · best val_loss ${formatValue(best.value)} at epoch ${best.epoch + 1}` : ""}`;
}

/** One line of text: where training stands. */
export function lossSummary(log: TrainingLog, epochs?: number): string {
  const n = log.epochs.length;
  const last = log.epochs[n - 1] ?? log.batches[log.batches.length - 1]?.logs ?? {};
  const values = Object.entries(last).map(([k, v]) => `${k} ${formatValue(v)}`).join(", ");
  const best = bestEpoch(log);
  const at = progress(log, epochs);
  return `Training: ${at}${values ? `: ${values}` : ""}${best ? ` (best val_loss ${formatValue(best.value)} at epoch ${best.epoch + 1})` : ""}`;
}

/**
 * Loss and metric curves, one panel per metric.
 * @param history a tfjs `History` (what `model.fit` resolves to), `{epoch, history}`, or an array of per-epoch logs
 * @example
 * const h = await model.fit(xs, ys, { epochs: 10, validationSplit: 0.2 });
 * plot.loss(h, { unfreezeEpochs: [5] });
 */
export function loss(history: HistoryLike, opts: LossOptions = {}): Figure {
  const log = toTrainingLog(history);
  const panels = metricPanels(log, opts.metrics);
  if (panels.length === 0) panels.push("loss");
  const n = panels.length, gap = 0.1 / Math.max(1, n - 1) + 0.04;
  const h = (1 - gap * (n - 1)) / n;
  const xs = log.epochNumbers.map((e) => e + 1);
  const bx = batchX(log);
  const showBatches = (opts.batches ?? true) && log.batches.length > 0;
  const smoothing = Number.isFinite(opts.smoothing) ? Math.min(0.999, Math.max(0, opts.smoothing!)) : 0.8;
  const maxPoints = Number.isFinite(opts.maxBatchPoints) ? Math.min(1e6, Math.max(2, Math.floor(opts.maxBatchPoints!))) : 1000;
  const data: Trace[] = [];
  const planned = Number.isFinite(opts.epochs) ? Math.min(1e9, opts.epochs!) : 0;
  const lastX = Math.max(planned, xs[xs.length - 1] ?? 0, bx[bx.length - 1] ?? 0, 1);
  const range = [0, lastX + 0.05 * lastX];
  const layout: Layout = {
    height: 330 + 230 * (n - 1),
    margin: { l: 70, r: 30, t: 90, b: 60 },
    legend: { orientation: "h", x: 0, y: 1.0, xanchor: "left", yanchor: "bottom" },
    hovermode: "closest",
  };
  panels.forEach((metric, i) => {
    const s = i === 0 ? "" : String(i + 1);
    const top = 1 - i * (h + gap);
    layout[`xaxis${s}`] = {
      anchor: `y${s}`, range, ...(i > 0 ? { matches: "x" } : {}), zeroline: false,
      ...(lastX <= 20 ? { tick0: 0, dtick: lastX <= 10 ? 1 : 2 } : {}),
      title: { text: i === n - 1 ? "epoch" : "" }, showticklabels: true,
    };
    layout[`yaxis${s}`] = { anchor: `x${s}`, domain: [Math.max(0, top - h), top], title: { text: metric } };
    const ax = { xaxis: `x${s}`, yaxis: `y${s}` };
    const [TRAIN, VAL] = PANEL_COLORS[i % PANEL_COLORS.length];
    if (showBatches && log.batches.some((b) => b.logs[metric] !== undefined)) {
      const px = new Float64Array(bx.length), all = new Float64Array(bx.length);
      let k = 0;
      log.batches.forEach((b, j) => {
        const v = b.logs[metric];
        if (Number.isFinite(v)) { px[k] = bx[j]; all[k] = v; k++; }
      });
      const py = all.subarray(0, k);
      const smooth = ema(py, smoothing);
      const keep = thin(k, maxPoints);
      const kx = keep.map((j) => px[j]);
      data.push({ type: "scatter", mode: "lines", name: `${metric} (batch)`, ...ax, x: kx, y: keep.map((j) => py[j]),
        line: { color: TRAIN, width: 1 }, opacity: 0.3, showlegend: false, hoverinfo: "skip" });
      data.push({ type: "scatter", mode: "lines", name: `${metric} (batch, smoothed)`, ...ax, x: kx.slice(),
        y: keep.map((j) => (Number.isFinite(smooth[j]) ? smooth[j] : null)), line: { color: TRAIN, width: 1.5 } });
    }
    for (const [key, color] of [[metric, TRAIN], [`val_${metric}`, VAL]] as const) {
      const all = log.epochs.map((l) => (Number.isFinite(l[key]) ? l[key] : null));
      if (all.every((v) => v === null)) continue;
      // Very long runs (more epochs than maxBatchPoints) are thinned like batch curves.
      const keep = all.length > maxPoints ? thin(all.length, maxPoints) : undefined;
      const ys = keep ? keep.map((j) => all[j]) : all;
      const markersOnly = showBatches && key === metric;  // the smoothed batch line is the train curve
      data.push({ type: "scatter", mode: markersOnly ? "markers" : "lines+markers", name: key, ...ax, x: keep ? keep.map((j) => xs[j]) : xs, y: ys,
        ...(markersOnly ? {} : { line: { color, width: 2 } }), marker: { color, size: 6 },
        hovertemplate: `${key} %{y:.4g}<br>epoch %{x}<extra></extra>` });
    }
  });
  const best = panels[0] === "loss" ? bestEpoch(log) : undefined;
  const annotations: Record<string, unknown>[] = [];
  if (best) {
    data.push({ type: "scatter", mode: "markers", name: "best val_loss", xaxis: "x", yaxis: "y", x: [best.epoch + 1], y: [best.value],
      marker: { color: BEST, size: 13, symbol: "star" }, hovertemplate: `best val_loss %{y:.4g}<br>epoch %{x}<extra></extra>` });
    annotations.push({ x: best.epoch + 1, y: best.value, xref: "x", yref: "y", text: `best ${formatValue(best.value)}`,
      showarrow: false, yanchor: "top", yshift: -8, font: { size: 11, color: BEST } });
  }
  const shapes = events(opts).map((e) => ({ type: "line", xref: "x", yref: "paper", x0: e.epoch, x1: e.epoch, y0: 0, y1: 1, line: { color: LINE, width: 1.5, dash: "dot" } }));
  for (const e of events(opts)) {
    const what = e.names.length === 0 ? "unfroze" : `unfroze ${e.names[0]}${e.names.length > 1 ? ` +${e.names.length - 1}` : ""}`;
    annotations.push({ x: e.epoch, y: 1, xref: "x", yref: "paper", text: what, showarrow: false, xanchor: "left", yanchor: "top", xshift: 3, font: { size: 10, color: LINE } });
  }
  layout.shapes = shapes;
  layout.annotations = annotations;
  const summary = lossSummary(log, opts.epochs);
  layout.title = { text: opts.title ?? lossTitle(log, opts.epochs), font: { size: 14 } };
  return new Figure(data, layout, summary);
}
