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
import { isHeapView, weightValues } from "./_heap_view";

/** One named tensor of an exported state dict. */
export interface StateDictEntry {
  name: string;
  dtype: "float32" | "int32" | "int64";
  shape: number[];
  data: Values;
  /** Strides (in elements) when `data` is not in row-major order of `shape` (a `.pth` view of tfjs's layout); absent = contiguous. */
  stride?: number[];
  /** `data` is a view of backend memory (wasm heap), valid only until tfjs next allocates: write it before any await. */
  borrowed?: boolean;
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
  return planStateDict(model, names, path).flatMap((step) => step.convert());
}

/** One weight of the model on its way out: checked up front, converted on demand. */
export interface ExportStep {
  target: string;
  /** The entries this weight becomes (fresh arrays, never views of backend memory). */
  convert(): StateDictEntry[];
}

/**
 * Checks every weight (rule, configuration, name clashes) before anything is converted, and
 * returns the conversions in file order — so `save` can write each entry as soon as it exists.
 * With `views`, weights whose torch layout is a permutation of tfjs's come out untransposed with
 * torch strides (for `.pth`: torch rebuilds any strided tensor; safetensors needs contiguous data).
 * @throws GraftSaveError naming the layer for a weight with no torch layout; TypeError/RangeError for bad arguments.
 */
export function planStateDict(model: tf.LayersModel, names: ExportNames, path: string, views = false): ExportStep[] {
  if (!model || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw new TypeError(`save: model must be a tf.LayersModel (tf.sequential, tf.model or a zoo model); got ${String(model)}`);
  }
  if (names !== "torch" && names !== "tfjs") {
    throw new RangeError(`save: names must be "torch" or "tfjs"; got ${JSON.stringify(names)}`);
  }
  const seen = new Map<string, string>();
  const claim = (name: string, target: string, layer: string, weight: string): void => {
    const prior = seen.get(name);
    if (prior) throw new GraftSaveError(path, `two weights would both be named ${name} (${prior} and ${target}); give the layers distinct names`, { layer, weight });
    seen.set(name, target);
  };
  return modelWeights(model).map((w): ExportStep => {
    const cls = w.layer.getClassName();
    const read = (): Values => weightValues(w.variable.read());
    if (names === "tfjs") {
      claim(w.target, w.target, w.layer.name, w.local);
      return {
        target: w.target,
        convert: () => {
          const data = read().slice();
          return [{ name: w.target, dtype: data instanceof Int32Array ? "int32" : "float32", shape: w.shape, data, transform: `${w.target}: identity` }];
        },
      };
    }
    const rule = inverseRule(cls, w.local);
    if (!rule) {
      throw new GraftSaveError(path, `layer ${w.layer.name} (${cls}) weight ${w.local} has no PyTorch layout graft can write; ` +
        `save with { names: "tfjs" } to keep tfjs names and layouts`, { layer: w.layer.name, weight: w.local });
    }
    const ctx = layoutContext(w.layer, w.shape);
    const why = rule.refuse?.(ctx);
    if (why) throw new GraftSaveError(path, `layer ${w.layer.name} (${cls}): ${why}`, { layer: w.layer.name, weight: w.local });
    const torchName = (suffix: string) => (rule.atRoot ? suffix : `${w.layer.name}.${suffix}`);
    for (const suffix of rule.suffixes) claim(torchName(suffix), w.target, w.layer.name, w.local);
    return {
      target: w.target,
      convert: () => {
        // The source may be a view of the wasm heap: used here synchronously, and never handed out.
        const src = read();
        const v = views ? rule.view?.(w.shape, ctx) : undefined;
        if (v) {
          const [suffix] = rule.suffixes;
          return [{ name: torchName(suffix), dtype: src instanceof Int32Array ? "int32" : "float32", shape: v.shape, stride: v.stride, data: src, borrowed: src !== undefined && isHeapView(src), transform: `${w.target}: ${rule.describe(ctx)} (as strides)` }];
        }
        return rule.toTorch(src, w.shape, ctx).map((t: TorchTensor) => ({
          name: `${w.layer.name}.${t.suffix}`,
          dtype: t.dtype,
          shape: t.shape,
          data: t.data === src ? src.slice() : t.data,
          transform: `${w.target}: ${rule.describe(ctx)}`,
        }));
      },
    };
  });
}
