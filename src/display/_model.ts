/**
 * Rendering of tfjs LayersModels (a summary table with Trainable / Frozen / Non-trainable columns)
 * and of parameter counts (`countParams(model)`'s result). Counts come from graft's
 * `countParams` when that module is present; else they are read from the layers directly.
 */
import type { MimeBundle } from "./bridge";
import { escapeHtml, fmtInt, htmlTable, MAX_TABLE_ROWS, textTable } from "./_html";

interface LayerLike {
  name: string;
  trainable: boolean;
  getClassName(): string;
  outputShape?: unknown;
  trainableWeights: Array<{ shape: number[] }>;
  nonTrainableWeights: Array<{ shape: number[] }>;
}
interface ModelLike {
  name: string;
  layers: LayerLike[];
  summary: unknown;
}

/** The shape `countParams(model)` returns (DESIGN.md §2). */
export interface ParamCounts {
  trainable: number;
  frozen: number;
  nonTrainable: number;
  total: number;
  layers: { name: string; trainable: number; frozen: number; nonTrainable: number }[];
}

/** Duck-typed tf.LayersModel (Sequential and functional). */
export function isLayersModel(v: unknown): v is ModelLike {
  const m = v as ModelLike;
  return !!m && typeof m === "object" && Array.isArray(m.layers) && typeof m.summary === "function" && typeof m.name === "string";
}

/** Duck-typed ParamCounts. */
export function isParamCounts(v: unknown): v is ParamCounts {
  const c = v as ParamCounts;
  return !!c && typeof c === "object" && Array.isArray(c.layers) && ["trainable", "frozen", "nonTrainable", "total"].every((k) => typeof (c as any)[k] === "number");
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** graft's countParams when its module is there, else the same figures read from the layers. */
export function paramCounts(model: ModelLike): ParamCounts {
  try {
    const freeze = require("../freeze");
    if (typeof freeze.countParams === "function") return freeze.countParams(model);
  } catch {
    // src/freeze not built: fall through to the local count
  }
  const layers = model.layers.map((l) => {
    // A frozen layer reports its would-be-trainable weights among nonTrainableWeights; tfjs keeps
    // the weights created trainable in `_trainableWeights`.
    const created = ((l as any)._trainableWeights ?? []) as Array<{ shape: number[] }>;
    const live = l.trainableWeights.reduce((s, w) => s + size(w.shape), 0);
    const createdCount = created.reduce((s, w) => s + size(w.shape), 0);
    const all = live + l.nonTrainableWeights.reduce((s, w) => s + size(w.shape), 0);
    const frozen = Math.max(0, createdCount - live);
    return { name: l.name, trainable: live, frozen, nonTrainable: all - live - frozen };
  });
  const sum = (k: "trainable" | "frozen" | "nonTrainable") => layers.reduce((s, l) => s + l[k], 0);
  const [trainable, frozen, nonTrainable] = [sum("trainable"), sum("frozen"), sum("nonTrainable")];
  return { trainable, frozen, nonTrainable, total: trainable + frozen + nonTrainable, layers };
}

function totalsLine(c: ParamCounts): string {
  return `Total params: ${fmtInt(c.total)} · trainable ${fmtInt(c.trainable)} · frozen ${fmtInt(c.frozen)} · non-trainable ${fmtInt(c.nonTrainable)}`;
}

/** The model summary: one row per layer with type, output shape and the three counts. */
export function modelBundle(model: ModelLike): MimeBundle {
  const counts = paramCounts(model);
  const byName = new Map(counts.layers.map((l) => [l.name, l]));
  const head = ["Layer", "Type", "Output shape", "Trainable", "Frozen", "Non-trainable"];
  const nested = (name: string) => {
    // a nested model's layers are counted as "outer/inner" rows: sum them
    const sum = { trainable: 0, frozen: 0, nonTrainable: 0 };
    for (const r of counts.layers) {
      if (!r.name.startsWith(`${name}/`)) continue;
      sum.trainable += r.trainable;
      sum.frozen += r.frozen;
      sum.nonTrainable += r.nonTrainable;
    }
    return sum;
  };
  const rows = model.layers.map((l) => {
    const c = byName.get(l.name) ?? nested(l.name);
    let shape = "?";
    try {
      shape = JSON.stringify(l.outputShape).replace(/null/g, "None");
    } catch {
      // layers without a built output shape
    }
    return [l.name, l.getClassName(), shape, fmtInt(c.trainable), fmtInt(c.frozen), fmtInt(c.nonTrainable)];
  });
  const title = `Model "${model.name}" — ${model.layers.length} layers`;
  return {
    "text/plain": `${title}\n${textTable(head, rows)}\n${totalsLine(counts)}`,
    "text/html": `<div class="graft-model">${htmlTable(head, rows, title)}<p>${escapeHtml(totalsLine(counts))}</p></div>`,
  };
}

/** Parameter counts: totals plus the per-layer table. */
export function countsBundle(c: ParamCounts): MimeBundle {
  const head = ["Layer", "Trainable", "Frozen", "Non-trainable"];
  // Only the rows a table shows are formatted; the count of the others is kept.
  const rows = c.layers.slice(0, MAX_TABLE_ROWS).map((l) => [l.name, fmtInt(l.trainable), fmtInt(l.frozen), fmtInt(l.nonTrainable)]);
  if (c.layers.length > MAX_TABLE_ROWS) rows.push([`… ${c.layers.length - MAX_TABLE_ROWS} more rows`, "", "", ""]);
  return {
    "text/plain": `${totalsLine(c)}\n${textTable(head, rows)}`,
    "text/html": `<div class="graft-params"><p>${escapeHtml(totalsLine(c))}</p>${htmlTable(head, rows)}</div>`,
  };
}
