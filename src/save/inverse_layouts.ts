/**
 * tfjs → PyTorch layouts, as data: the inverse of every row of the load table (`TORCH_LAYOUTS`).
 * Each row names the tfjs layer classes and weight it reads and the torch tensors it writes
 * (suffixes after the module path), with the conversion on plain typed arrays.
 */
import type { LayoutContext } from "../load/layouts";
import { reverse3D, swapFirstGates, transpose2D, type Values } from "./_transpose";

/** One torch tensor made from a tfjs weight. */
export interface TorchTensor {
  /** Suffix after the module path: `weight`, `running_var`, `bias_hh_l0` … */
  suffix: string;
  dtype: "float32" | "int32" | "int64";
  shape: number[];
  /** Values (int64 tensors are written from these int32 values). */
  data: Values;
}

/** One inverse conversion: tfjs `layers`.`weight` → torch `<module>.<suffix>` (one or more). */
export interface InverseRule {
  layers: readonly string[];
  weight: string;
  /** The torch suffixes it writes, in order. */
  suffixes: readonly string[];
  /** The transform in words, e.g. `transpose(3,2,0,1)`. */
  describe(ctx: LayoutContext): string;
  /** Why this weight cannot be written for torch (a configuration torch has no equal for), if so. */
  refuse?(ctx: LayoutContext): string | undefined;
  toTorch(x: Values, shape: number[], ctx: LayoutContext): TorchTensor[];
  /**
   * The same single torch tensor as a strided view of the tfjs values, unchanged (torch's
   * `_rebuild_tensor_v2` takes any strides): its shape and strides, or undefined when no strides
   * express it (the Flatten permutation). Lets `.pth` files skip the transpose.
   */
  view?(shape: number[], ctx: LayoutContext): { shape: number[]; stride: number[] } | undefined;
}

/** Row-major strides of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = acc;
    acc *= shape[i];
  }
  return out;
}

/** The torch view of tfjs values permuted by `axes` (torch axis k is tfjs axis axes[k]). */
function permutedView(shape: number[], axes: number[]): { shape: number[]; stride: number[] } {
  const st = contiguousStrides(shape);
  return { shape: axes.map((a) => shape[a]), stride: axes.map((a) => st[a]) };
}

const prod = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);
const dtypeOf = (x: Values): "float32" | "int32" => (x instanceof Int32Array ? "int32" : "float32");
const one = (suffix: string, shape: number[], data: Values): TorchTensor[] => [{ suffix, dtype: dtypeOf(data), shape, data }];

/** A kernel `[...spatial, A, B]` → torch `[B, A, ...spatial]` (conv OIHW, Conv1D OIW, Conv3D OIDHW, ConvTranspose (in,out,kh,kw)). */
function spatialKernel(layers: string[], rank: number): InverseRule {
  const axes = [rank - 1, rank - 2, ...Array.from({ length: rank - 2 }, (_, i) => i)];
  return {
    layers,
    weight: "kernel",
    suffixes: ["weight"],
    describe: () => `transpose(${axes.join(",")})`,
    toTorch: (x, s) => one("weight", axes.map((a) => s[a]), reverse3D(x, prod(s.slice(0, rank - 2)), s[rank - 2], s[rank - 1])),
    view: (s) => permutedView(s, axes),
  };
}

function identity(layers: string[], weight: string, suffix: string): InverseRule {
  return { layers, weight, suffixes: [suffix], describe: () => "identity", toTorch: (x, s) => one(suffix, s, x) };
}

/** tfjs (in, out) → torch (out, in); after a Flatten of an H×W×C map, `in` goes back to C·H·W order. */
const denseKernel: InverseRule = {
  layers: ["Dense"],
  weight: "kernel",
  suffixes: ["weight"],
  describe: (ctx) => (ctx.flattenedFrom ? `permute in H·W·C→C·H·W (${ctx.flattenedFrom.join("×")} map), transpose(1,0)` : "transpose(1,0)"),
  refuse: (ctx) => (ctx.target.length !== 2 ? `Dense kernel of rank ${ctx.target.length}; torch.nn.Linear wants rank 2` : undefined),
  view: (s, ctx) => (ctx.flattenedFrom ? undefined : permutedView(s, [1, 0])),
  toTorch: (x, s, ctx) => {
    if (!ctx.flattenedFrom) return one("weight", [s[1], s[0]], transpose2D(x, s[0], s[1]));
    const [h, w, c] = ctx.flattenedFrom;
    return one("weight", [s[1], s[0]], reverse3D(x, h * w, c, s[1]));
  },
};

/** tfjs (kh, kw, C, m) → torch (C·m, 1, kh, kw). */
const depthwiseKernel: InverseRule = {
  layers: ["DepthwiseConv2D"],
  weight: "depthwise_kernel",
  suffixes: ["weight"],
  describe: () => "transpose(2,3,0,1), reshape(C·m,1,kh,kw)",
  toTorch: (x, s) => one("weight", [s[2] * s[3], 1, s[0], s[1]], transpose2D(x, s[0] * s[1], s[2] * s[3])),
  // (kh, kw, C·m) memory: torch channel c·m + j is the innermost index, kh and kw outer.
  view: (s) => ({ shape: [s[2] * s[3], 1, s[0], s[1]], stride: [1, 1, s[1] * s[2] * s[3], s[2] * s[3]] }),
};

/** BatchNorm: moving_variance → running_var plus torch's `num_batches_tracked` (0: tfjs counts no steps). */
const movingVariance: InverseRule = {
  layers: ["BatchNormalization"],
  weight: "moving_variance",
  suffixes: ["running_var", "num_batches_tracked"],
  describe: () => "identity; num_batches_tracked = 0",
  toTorch: (x, s) => [...one("running_var", s, x), { suffix: "num_batches_tracked", dtype: "int64", shape: [], data: new Int32Array(1) }],
};

/** Refuses a BatchNormalization with only one of gamma/beta: torch's `affine` gives both or neither. */
function bnAffine(ctx: LayoutContext): string | undefined {
  const cfg = ctx.layer.getConfig() as { center?: boolean; scale?: boolean };
  if ((cfg.center ?? true) !== (cfg.scale ?? true)) {
    return `BatchNormalization with center: ${cfg.center ?? true}, scale: ${cfg.scale ?? true}; torch's BatchNorm has weight and bias together (affine=True) or neither — build it with both or neither`;
  }
  return undefined;
}

function recurrent(layer: string, gates: number, reorder: boolean, bias: "sum" | "stack"): InverseRule[] {
  const note = reorder ? "gates (z,r,n)→(r,z,n), " : "";
  const kernel = (weight: string, suffix: string): InverseRule => ({
    layers: [layer],
    weight,
    suffixes: [suffix],
    describe: () => `${note}transpose(1,0)`,
    toTorch: (x, s) => {
      const t = transpose2D(x, s[0], s[1]);
      return one(suffix, [s[1], s[0]], reorder ? swapFirstGates(t, gates) : t);
    },
    view: reorder ? undefined : (s) => permutedView(s, [1, 0]),
  });
  const biasRule: InverseRule =
    bias === "sum"
      ? {
          layers: [layer],
          weight: "bias",
          suffixes: ["bias_ih_l0", "bias_hh_l0"],
          describe: () => "bias_ih_l0 = bias, bias_hh_l0 = 0 (their sum is what tfjs keeps)",
          toTorch: (x, s) => [...one("bias_ih_l0", s, x), ...one("bias_hh_l0", s, new Float32Array(x.length))],
        }
      : {
          layers: [layer],
          weight: "bias",
          suffixes: ["bias_ih_l0", "bias_hh_l0"],
          describe: () => `${note}unstack → bias_ih_l0, bias_hh_l0`,
          toTorch: (x, s) => {
            const n = s[1];
            const fix = (v: Values) => (reorder ? swapFirstGates(v, gates) : v.slice());
            return [...one("bias_ih_l0", [n], fix(x.subarray(0, n))), ...one("bias_hh_l0", [n], fix(x.subarray(n, 2 * n)))];
          },
        };
  const rules = [kernel("kernel", "weight_ih_l0"), kernel("recurrent_kernel", "weight_hh_l0"), biasRule];
  if (layer === "GRU") {
    const refuse = (ctx: LayoutContext): string | undefined =>
      (ctx.layer.getConfig() as { resetAfter?: boolean }).resetAfter
        ? undefined
        : "GRU with resetAfter: false applies the reset gate before the recurrent matmul; torch.nn.GRU only after it (build it with resetAfter: true)";
    for (const r of rules) r.refuse = refuse;
  }
  return rules;
}

const BIASED = ["Conv1D", "Conv2D", "Conv2DTranspose", "Conv3D", "DepthwiseConv2D", "Dense"];

/**
 * Every tfjs → torch conversion `save` knows, keyed by tfjs layer class and weight name.
 * @example
 * ```ts
 * inverseRule("Conv2D", "kernel")?.describe(ctx); // "transpose(3,2,0,1)": HWIO → OIHW
 * ```
 */
export const TORCH_EXPORT_LAYOUTS: readonly InverseRule[] = [
  spatialKernel(["Conv2D", "Conv2DTranspose"], 4), // HWIO → OIHW; (kh,kw,out,in) → (in,out,kh,kw)
  spatialKernel(["Conv1D"], 3), // WIO → OIW
  spatialKernel(["Conv3D"], 5), // DHWIO → OIDHW
  depthwiseKernel,
  denseKernel,
  identity(BIASED, "bias", "bias"),
  { ...identity(["BatchNormalization"], "gamma", "weight"), refuse: bnAffine },
  { ...identity(["BatchNormalization"], "beta", "bias"), refuse: bnAffine },
  identity(["LayerNormalization"], "gamma", "weight"),
  identity(["LayerNormalization"], "beta", "bias"),
  identity(["BatchNormalization"], "moving_mean", "running_mean"),
  movingVariance,
  identity(["Embedding"], "embeddings", "weight"),
  identity(["PReLU"], "alpha", "weight"),
  ...recurrent("LSTM", 4, false, "sum"),
  ...recurrent("SimpleRNN", 1, false, "sum"),
  ...recurrent("GRU", 3, true, "stack"),
];

/** The inverse rule for a tfjs layer class and weight name, if graft knows one. */
export function inverseRule(layerClass: string, weight: string): InverseRule | undefined {
  return TORCH_EXPORT_LAYOUTS.find((r) => r.weight === weight && r.layers.includes(layerClass));
}
