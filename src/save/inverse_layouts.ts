/**
 * tfjs → PyTorch layouts: the inverse of every row of the load table (`TORCH_LAYOUTS`). A row
 * the load table declares as a permutation is inverted here from that declaration ({@link inverted}:
 * the inverse transpose, or a strided view that needs none); only what a permutation cannot say is
 * written out — BatchNorm's step counter, recurrent biases and gate order, and the refusals.
 */
import { torchRule, type LayoutContext, type LayoutRule } from "../load/layouts";
import { swapFirstGates, transpose2D, type Values } from "./_transpose";
import { transposeValues } from "../_values";

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
  /** The torch tensor sits on the root module (ViT's `class_token`): its name is the suffix alone. */
  atRoot?: boolean;
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

const dtypeOf = (x: Values): "float32" | "int32" => (x instanceof Int32Array ? "int32" : "float32");
const one = (suffix: string, shape: number[], data: Values): TorchTensor[] => [{ suffix, dtype: dtypeOf(data), shape, data }];

/**
 * Strides that show memory of `shape` with `strides` as `target` without moving anything
 * (numpy's no-copy reshape, row-major), or undefined when dims that must merge are not adjacent in memory.
 */
function restride(shape: number[], strides: number[], target: number[]): number[] | undefined {
  if (shape.some((d) => d === 0)) return undefined;
  const os: number[] = [], ot: number[] = [];
  shape.forEach((d, i) => {
    if (d !== 1) { os.push(d); ot.push(strides[i]); }
  });
  const nt = new Array<number>(target.length).fill(1);
  let oi = 0, oj = 1, ni = 0, nj = 1;
  while (ni < target.length && oi < os.length) {
    let np = target[ni], op = os[oi];
    while (np !== op) {
      if (np < op) np *= target[nj++];
      else op *= os[oj++];
    }
    for (let k = oi; k < oj - 1; k++) if (ot[k] !== os[k + 1] * ot[k + 1]) return undefined;
    nt[nj - 1] = ot[oj - 1];
    for (let k = nj - 1; k > ni; k--) nt[k - 1] = nt[k] * target[k];
    ni = nj++;
    oi = oj++;
  }
  return nt;
}

/**
 * The inverse of a load-table row declared by its permutation: the torch tensor is the tfjs values
 * viewed as the permuted shape, transposed back, reshaped to torch's shape.
 */
function inverted(row: LayoutRule, suffix: string = row.torch[0]): InverseRule {
  const permutation = row.permutation!;
  const geometry = (ctx: LayoutContext) => {
    const torchShape = row.sourceShapes(ctx)[0];
    const { shape, perm } = permutation([torchShape], ctx);
    const inverse = perm.map((_, k) => perm.indexOf(k));
    return { torchShape, shape, perm, inverse, permutedShape: perm.map((a) => shape[a]) };
  };
  return {
    layers: row.layers,
    weight: row.weight,
    suffixes: [suffix],
    atRoot: row.atRoot,
    describe: (ctx) => {
      const { inverse } = geometry(ctx);
      return inverse.every((a, k) => a === k) ? "identity" : `inverse of ${row.describe(ctx)}: transpose(${inverse.join(",")})`;
    },
    toTorch: (x, _s, ctx) => {
      const { torchShape, permutedShape, inverse } = geometry(ctx);
      const out = x instanceof Int32Array ? new Int32Array(x.length) : new Float32Array(x.length);
      return one(suffix, torchShape, transposeValues(x as Float32Array, permutedShape, inverse, out as Float32Array));
    },
    view: (_s, ctx) => {
      const { torchShape, shape, perm, permutedShape } = geometry(ctx);
      const st = contiguousStrides(permutedShape);
      const strides = new Array<number>(shape.length);
      perm.forEach((a, j) => (strides[a] = st[j]));
      const stride = restride(shape, strides, torchShape);
      return stride && { shape: torchShape, stride };
    },
  };
}

/** The inverse of the load table's row for `layer`.`weight`. */
function inverseOf(layer: string, weight: string, extra: Partial<InverseRule> = {}): InverseRule {
  const row = torchRule(layer, weight);
  if (!row?.permutation) throw new Error(`graft: no permutation row in TORCH_LAYOUTS for ${layer}.${weight}`);
  return { ...inverted(row), ...extra };
}

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
  const kernel = (weight: string, suffix: string): InverseRule =>
    reorder
      ? {
          layers: [layer],
          weight,
          suffixes: [suffix],
          describe: () => `${note}transpose(1,0)`,
          toTorch: (x, s) => one(suffix, [s[1], s[0]], swapFirstGates(transpose2D(x, s[0], s[1]), gates)),
        }
      : inverseOf(layer, weight);
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
 * const conv = tf.layers.conv2d({ filters: 8, kernelSize: 3, inputShape: [16, 16, 3] });
 * tf.sequential({ layers: [conv] });
 * const ctx = { layer: conv, target: [3, 3, 3, 8] }; // what layoutContext(conv, shape) gives for it
 * inverseRule("Conv2D", "kernel")?.describe(ctx); // "inverse of transpose(2,3,1,0): transpose(3,2,0,1)": HWIO → OIHW
 * ```
 */
export const TORCH_EXPORT_LAYOUTS: readonly InverseRule[] = [
  ...["Conv2D", "Conv2DTranspose", "Conv1D", "Conv3D", "DepthwiseConv2D"].map((l) => {
    const weight = l === "DepthwiseConv2D" ? "depthwise_kernel" : "kernel";
    return { ...inverseOf(l, weight), layers: [l] };
  }),
  inverseOf("Dense", "kernel", {
    refuse: (ctx) => (ctx.target.length !== 2 ? `Dense kernel of rank ${ctx.target.length}; torch.nn.Linear wants rank 2` : undefined),
  }),
  ...BIASED.map((l) => ({ ...inverseOf(l, "bias"), layers: [l] })),
  { ...inverseOf("BatchNormalization", "gamma"), layers: ["BatchNormalization"], refuse: bnAffine },
  { ...inverseOf("BatchNormalization", "beta"), layers: ["BatchNormalization"], refuse: bnAffine },
  { ...inverseOf("LayerNormalization", "gamma"), layers: ["LayerNormalization"] },
  { ...inverseOf("LayerNormalization", "beta"), layers: ["LayerNormalization"] },
  inverseOf("BatchNormalization", "moving_mean"),
  movingVariance,
  inverseOf("Embedding", "embeddings"),
  inverseOf("PReLU", "alpha"),
  inverseOf("LayerScale", "layer_scale"),
  inverseOf("MultiHeadSelfAttention", "in_proj_weight"),
  inverseOf("MultiHeadSelfAttention", "in_proj_bias"),
  inverseOf("PositionEmbedding", "pos_embedding"),
  inverseOf("ClassToken", "class_token"),
  ...recurrent("LSTM", 4, false, "sum"),
  ...recurrent("SimpleRNN", 1, false, "sum"),
  ...recurrent("GRU", 3, true, "stack"),
];

/** The inverse rule for a tfjs layer class and weight name, if graft knows one. */
export function inverseRule(layerClass: string, weight: string): InverseRule | undefined {
  return TORCH_EXPORT_LAYOUTS.find((r) => r.weight === weight && r.layers.includes(layerClass));
}
