/**
 * Training history in one shape (private): epoch logs in order, batch logs with their epoch,
 * from a tfjs `History`, a `{epoch, history}` object, or an array of per-epoch logs.
 */

/** Numbers per metric name for one epoch or batch; tensors are read once. */
export type Logs = Record<string, number>;

export interface BatchLog { epoch: number; batch: number; logs: Logs }

/** Normalised history: `epochs[i]` holds epoch `epochNumbers[i]`'s logs (0-based epochs). */
export interface TrainingLog {
  epochNumbers: number[];
  epochs: Logs[];
  batches: BatchLog[];
}

/** Accepted inputs of `plot.loss`. */
export type HistoryLike =
  | { epoch?: number[]; history: Record<string, ArrayLike<unknown>> }
  | Array<Record<string, unknown>>
  | TrainingLog;

/** A log value as a number: numbers as they are, scalars through `dataSync`. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  const t = v as { dataSync?: () => ArrayLike<number> };
  if (t && typeof t.dataSync === "function") return Number(t.dataSync()[0]);
  return undefined;
}

/** Bookkeeping keys tfjs puts in batch logs; not metrics. */
const NOT_METRICS = new Set(["batch", "size"]);

/** Keeps the numeric metric entries of a logs object. */
export function numericLogs(logs: Record<string, unknown> | undefined): Logs {
  const out: Logs = {};
  for (const [k, v] of Object.entries(logs ?? {})) {
    if (NOT_METRICS.has(k)) continue;
    const n = toNumber(v);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** Normalises any accepted history form. */
export function toTrainingLog(h: HistoryLike): TrainingLog {
  if (Array.isArray(h)) {
    return { epochNumbers: h.map((_, i) => i), epochs: h.map((l) => numericLogs(l)), batches: [] };
  }
  if ("epochs" in h && Array.isArray((h as TrainingLog).epochs)) return h as TrainingLog;
  const hist = (h as { history?: Record<string, ArrayLike<unknown>> }).history;
  if (!hist || typeof hist !== "object") {
    throw new TypeError(
      `Cannot plot this history: expected a tfjs History ({epoch, history}), an array of per-epoch logs or a lossCallback's log; got ${Object.keys(h ?? {}).join(", ") || typeof h}`);
  }
  const n = Object.values(hist).reduce((m, a) => Math.max(m, a?.length ?? 0), 0);
  const epochNumbers = (h as { epoch?: number[] }).epoch?.slice(0, n) ?? [];
  for (let i = epochNumbers.length; i < n; i++) epochNumbers.push(i);
  const epochs: Logs[] = epochNumbers.map((_, i) => {
    const logs: Record<string, unknown> = {};
    for (const [k, arr] of Object.entries(hist)) logs[k] = arr[i];
    return numericLogs(logs);
  });
  return { epochNumbers, epochs, batches: [] };
}

/** Metric names grouped by panel: `loss` first, `val_x` with `x`, in order of appearance. */
export function metricPanels(log: TrainingLog, only?: string[]): string[] {
  const seen: string[] = [];
  const add = (k: string) => {
    const base = k.startsWith("val_") ? k.slice(4) : k;
    if (!seen.includes(base)) seen.push(base);
  };
  for (const l of log.epochs) Object.keys(l).forEach(add);
  for (const b of log.batches) Object.keys(b.logs).forEach(add);
  const ordered = seen.includes("loss") ? ["loss", ...seen.filter((k) => k !== "loss")] : seen;
  return only ? ordered.filter((k) => only.includes(k)) : ordered;
}

/** Debiased exponential moving average (as TensorBoard's smoothing). */
export function ema(values: ArrayLike<number>, smoothing: number): Float64Array {
  let s = 0, w = 0;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    s = smoothing * s + (1 - smoothing) * values[i];
    w = smoothing * w + (1 - smoothing);
    out[i] = s / w;
  }
  return out;
}
