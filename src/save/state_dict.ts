/**
 * A tfjs model's weights as a PyTorch state dict: names `<layer name>.<suffix>` (the layer
 * names are torch module paths, as in the zoo), torch layouts through the inverse table.
 */
import type * as tf from "@tensorflow/tfjs";
import { layoutContext } from "../load/layouts";
import { modelWeights } from "../load/names";
import { GraftSaveError } from "./errors";
import { inverseRule, type TorchTensor } from "./inverse_layouts";
import type { Values } from "./_transpose";

/** One named tensor of an exported state dict. */
export interface StateDictEntry {
  name: string;
  dtype: "float32" | "int32" | "int64";
  shape: number[];
  data: Values;
  /** How it was made from the tfjs weight, e.g. `conv1/kernel: transpose(3,2,0,1)`. */
  transform: string;
}

/** Naming of exported tensors: torch (`layer1.0.conv1.weight`, torch layouts) or tfjs (`layer1.0.conv1/kernel`, tfjs layouts). */
export type ExportNames = "torch" | "tfjs";

/**
 * The model's weights as a state dict, in file order (layer order, torch's order inside a layer).
 * Throws before returning anything when one weight cannot be inverted.
 * @param model the tfjs model.
 * @param names `"torch"` (default) or `"tfjs"`.
 * @param path the file being written (for error messages).
 * @returns the entries; values share no memory the caller may not keep.
 * @example
 * ```ts
 * stateDict(zoo.resnet18()).slice(0, 2).map((e) => [e.name, e.shape]);
 * // [["conv1.weight", [64, 3, 7, 7]], ["bn1.weight", [64]]]
 * ```
 */
export function stateDict(model: tf.LayersModel, names: ExportNames = "torch", path = "the state dict"): StateDictEntry[] {
  if (!model || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw new TypeError(`save: model must be a tf.LayersModel (tf.sequential, tf.model or a zoo model); got ${String(model)}`);
  }
  if (names !== "torch" && names !== "tfjs") {
    throw new RangeError(`save: names must be "torch" or "tfjs"; got ${JSON.stringify(names)}`);
  }
  const weights = modelWeights(model);
  const out: StateDictEntry[] = [];
  const seen = new Map<string, string>();
  const plan = weights.map((w) => {
    const cls = w.layer.getClassName();
    if (names === "tfjs") return { w, rule: undefined, ctx: undefined };
    const rule = inverseRule(cls, w.local);
    if (!rule) {
      throw new GraftSaveError(path, `layer ${w.layer.name} (${cls}) weight ${w.local} has no PyTorch layout graft can write; ` +
        `save with { names: "tfjs" } to keep tfjs names and layouts`, { layer: w.layer.name, weight: w.local });
    }
    const ctx = layoutContext(w.layer, w.shape);
    const why = rule.refuse?.(ctx);
    if (why) throw new GraftSaveError(path, `layer ${w.layer.name} (${cls}): ${why}`, { layer: w.layer.name, weight: w.local });
    return { w, rule, ctx };
  });
  for (const { w, rule, ctx } of plan) {
    const data = w.variable.read().dataSync() as Values;
    const made: TorchTensor[] = rule && ctx
      ? rule.toTorch(data, w.shape, ctx)
      : [{ suffix: w.local, dtype: data instanceof Int32Array ? "int32" : "float32", shape: w.shape, data }];
    for (const t of made) {
      const name = names === "tfjs" ? w.target : `${w.layer.name}.${t.suffix}`;
      const prior = seen.get(name);
      if (prior) {
        throw new GraftSaveError(path, `two weights would both be named ${name} (${prior} and ${w.target}); give the layers distinct names`, { layer: w.layer.name, weight: w.local });
      }
      seen.set(name, w.target);
      out.push({ name, dtype: t.dtype, shape: t.shape, data: t.data, transform: `${w.target}: ${rule && ctx ? rule.describe(ctx) : "identity"}` });
    }
  }
  return out;
}
