/**
 * Rendering of tfjs LayersModels (a summary table with output shapes and Trainable / Frozen /
 * Non-trainable columns) and of parameter counts (`countParams(model)`'s result, drawn by the
 * one parameter table of src/freeze, as `%params` and `%freeze` show it).
 */
import type * as tf from "@tensorflow/tfjs";
import type { MimeBundle } from "./bridge";
import { escapeHtml, fmtInt, htmlTable, textTable } from "./_html";
import { countParams, paramsTable, type ParamCounts } from "../freeze";

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

function totalsLine(c: ParamCounts): string {
  return `Total params: ${fmtInt(c.total)} · trainable ${fmtInt(c.trainable)} · frozen ${fmtInt(c.frozen)} · non-trainable ${fmtInt(c.nonTrainable)}`;
}

/** The model summary: one row per layer with type, output shape and the three counts. */
export function modelBundle(model: ModelLike): MimeBundle {
  const counts = countParams(model as unknown as tf.LayersModel);
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

/** Parameter counts: the parameter table of {@link paramsTable}. */
export function countsBundle(c: ParamCounts): MimeBundle {
  const table = paramsTable(c);
  return { "text/plain": table.toString(), "text/html": table.toHTML() };
}
