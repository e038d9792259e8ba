/**
 * Per-layer parameter counts and weight shapes read from a tfjs model (private). The counts
 * follow DESIGN.md §2 (`countParams`): trainable = what the optimizer updates, frozen = weights
 * that would be trainable but whose layer (or variable) is frozen, nonTrainable = never
 * trainable (BatchNorm moving statistics). Nested models are flattened into their layers.
 */
import type * as tf from "@tensorflow/tfjs";

/** One layer's counts, as in `countParams(model).layers`, plus the weights' shapes. */
export interface LayerParams {
  name: string;
  trainable: number;
  frozen: number;
  nonTrainable: number;
  /** `kernel [3,3,64,64]`-style lines; empty when only counts were given. */
  shapes?: string[];
}

/** The counts object of DESIGN.md §2; `plot.params` accepts it in place of a model. */
export interface ParamCounts {
  trainable: number;
  frozen: number;
  nonTrainable: number;
  total: number;
  layers: LayerParams[];
}

interface Variable { name: string; originalName?: string; shape: number[]; trainable: boolean }
interface LayerLike {
  name: string;
  trainable: boolean;
  layers?: LayerLike[];
  _trainableWeights?: Variable[];
  _nonTrainableWeights?: Variable[];
  weights: Variable[];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** `conv1/kernel` or `conv1/kernel_3` → `kernel`. */
function weightName(v: Variable): string {
  const full = v.originalName ?? v.name;
  return full.slice(full.lastIndexOf("/") + 1);
}

function collect(layer: LayerLike, out: LayerParams[]): void {
  if (Array.isArray(layer.layers)) {
    for (const inner of layer.layers) collect(inner, out);
    return;
  }
  const declaredTrainable = layer._trainableWeights ?? [];
  const declaredFixed = layer._nonTrainableWeights ?? [];
  let trainable = 0, frozen = 0, nonTrainable = 0;
  for (const v of declaredTrainable) {
    if (layer.trainable && v.trainable) trainable += size(v.shape);
    else frozen += size(v.shape);
  }
  for (const v of declaredFixed) nonTrainable += size(v.shape);
  const shapes = layer.weights.map((v) => `${weightName(v)} [${v.shape.join(",")}]`);
  out.push({ name: layer.name, trainable, frozen, nonTrainable, shapes });
}

/** Per-layer counts and shapes of a tfjs model, in model order. */
export function modelParams(model: tf.LayersModel): ParamCounts {
  const layers: LayerParams[] = [];
  for (const layer of (model as unknown as LayerLike).layers ?? []) collect(layer, layers);
  const sum = (k: "trainable" | "frozen" | "nonTrainable") => layers.reduce((a, l) => a + l[k], 0);
  const trainable = sum("trainable"), frozen = sum("frozen"), nonTrainable = sum("nonTrainable");
  return { trainable, frozen, nonTrainable, total: trainable + frozen + nonTrainable, layers };
}

/** True for a counts object (as opposed to a model). */
export function isParamCounts(x: unknown): x is ParamCounts {
  const c = x as ParamCounts;
  return typeof c === "object" && c !== null && typeof c.total === "number" && Array.isArray(c.layers);
}
