/**
 * What `plot.params` draws (private): the counts of `countParams` (src/freeze, ARCHITECTURE.md §3),
 * plus each layer's weight shapes for the hover, keyed by the same layer path
 * (`backbone/conv1` inside nested models).
 */
import type * as tf from "@tensorflow/tfjs";
import { countParams, type LayerParams as FreezeLayerParams, type ParamCounts as FreezeParamCounts } from "../freeze";

/** One layer's counts, as in `countParams(model).layers` (`className` optional), plus the weights' shapes. */
export type LayerParams = Omit<FreezeLayerParams, "className"> & {
  className?: string;
  /** `kernel [3,3,64,64]`-style lines; absent when only counts were given. */
  shapes?: string[];
};

/** The counts object of ARCHITECTURE.md §3 (`countParams`); `plot.params` accepts it in place of a model. */
export type ParamCounts = Omit<FreezeParamCounts, "layers"> & { layers: LayerParams[] };

interface Variable { name: string; originalName?: string; shape: number[] }
interface LayerLike { name: string; layers?: LayerLike[]; weights: Variable[] }

/** `conv1/kernel` or `conv1/kernel_3` → `kernel`. */
function weightName(v: Variable): string {
  const full = v.originalName ?? v.name;
  return full.slice(full.lastIndexOf("/") + 1);
}

function collectShapes(layers: LayerLike[], prefix: string, out: Map<string, string[]>): void {
  for (const layer of layers) {
    const path = prefix + layer.name;
    if (Array.isArray(layer.layers)) collectShapes(layer.layers, `${path}/`, out);
    else if (!out.has(path)) out.set(path, layer.weights.map((v) => `${weightName(v)} [${v.shape.join(",")}]`));
  }
}

/** Per-layer counts (from `countParams`) and weight shapes of a tfjs model, in model order. */
export function modelParams(model: tf.LayersModel): ParamCounts {
  const counts = countParams(model);
  const shapes = new Map<string, string[]>();
  collectShapes((model as unknown as LayerLike).layers ?? [], "", shapes);
  return { ...counts, layers: counts.layers.map((l) => ({ ...l, shapes: shapes.get(l.name) ?? [] })) };
}

/** True for a counts object (as opposed to a model). */
export function isParamCounts(x: unknown): x is ParamCounts {
  const c = x as ParamCounts;
  return typeof c === "object" && c !== null && typeof c.total === "number" && Array.isArray(c.layers);
}
