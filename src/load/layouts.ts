/**
 * PyTorch → tfjs layout transforms, as data (ARCHITECTURE.md §5). Each row says which tfjs weight
 * (layer class + weight name) is made from which torch parameters of the module with the
 * layer's name, how shapes map, and the conversion itself. A single-source row declares its
 * conversion once, as a permutation of the source viewed as some shape ({@link permuted}); the
 * tfjs op (`convert`, the reference path), the plain-values loop (`values`) and the in-place
 * loader all follow from it, and export (src/save) inverts it. Only rows that combine sources
 * (recurrent biases) or reorder gates write `convert` themselves.
 */
import * as tf from "@tensorflow/tfjs";
import { flattenedMap } from "./_graph";
import { addValues, transposeValues } from "../_values";

/** What a row needs to know about the target weight and its layer. */
export interface LayoutContext {
  layer: tf.layers.Layer;
  /** The model weight's shape (tfjs layout). */
  target: number[];
  /** `[H, W, C]` of the conv map a Flatten turned into this Dense layer's input, if any. */
  flattenedFrom?: [number, number, number];
}

/** One conversion: tfjs `layers`.`weight` ← torch `<module>.<torch[i]>`. */
export interface LayoutRule {
  layers: readonly string[];
  weight: string;
  /** torch parameter names (suffixes after the module path), in the order `convert` takes them. */
  torch: readonly string[];
  /** The transform in words, shown in the report, e.g. `transpose(2,3,1,0)`. */
  describe(ctx: LayoutContext): string;
  /** The tfjs shape the torch shapes convert to; undefined when the ranks do not fit. */
  shape(sources: number[][], ctx: LayoutContext): number[] | undefined;
  /** The torch shapes the target shape converts from (for structural matching). */
  sourceShapes(ctx: LayoutContext): number[][];
  /** Why this layer cannot take torch weights at all (config), if so. */
  incompatible?(ctx: LayoutContext): string | undefined;
  convert(xs: tf.Tensor[], ctx: LayoutContext): tf.Tensor;
  /**
   * The conversion as one transpose of the single source viewed as `shape` (the applier's
   * in-place path: read in row bands, transposed in the wasm heap); absent for rules that
   * combine or reorder sources.
   */
  permutation?(sources: number[][], ctx: LayoutContext): { shape: number[]; perm: number[] };
  /** The same conversion on float32 values, written into `out` (the applier's fast path); absent where only `convert` exists. */
  values?(xs: Float32Array[], shapes: number[][], ctx: LayoutContext, out: Float32Array): void;
  /** The torch parameters sit on the root module (ViT's `class_token`): their state-dict names are `torch` alone, whatever the layer's name. */
  atRoot?: boolean;
}

const perm = <T>(xs: T[], p: number[]): T[] => p.map((i) => xs[i]);

type Permutation = (sources: number[][], ctx: LayoutContext) => { shape: number[]; perm: number[] };

/**
 * A single-source row from its permutation: `convert` views the tensor as `shape`, transposes it
 * by `perm` and reshapes to the target; `values` does the same on float32 arrays.
 */
function permuted(rule: Omit<LayoutRule, "convert" | "permutation" | "values">, permutation: Permutation): LayoutRule {
  return {
    ...rule,
    permutation,
    convert: (xs, ctx) => {
      const { shape, perm: p } = permutation([xs[0].shape], ctx);
      return tf.reshape(tf.transpose(tf.reshape(xs[0], shape), p), ctx.target);
    },
    values: (xs, shapes, ctx, out) => {
      const { shape, perm: p } = permutation(shapes, ctx);
      transposeValues(xs[0], shape, p, out);
    },
  };
}
const rank = (n: number) => (s: number[][]) => s.length > 0 && s.every((x) => x.length === n);

function transposeRule(layers: string[], weight: string, axes: number[], inverse: number[]): LayoutRule {
  const r = rank(axes.length);
  return permuted({
    layers,
    weight,
    torch: ["weight"],
    describe: () => `transpose(${axes.join(",")})`,
    shape: (s) => (r(s) ? perm(s[0], axes) : undefined),
    sourceShapes: (ctx) => [perm(ctx.target, inverse)],
  }, (s) => ({ shape: s[0], perm: axes }));
}

function identityRule(layers: string[], weight: string, torchName: string): LayoutRule {
  return {
    ...permuted({
      layers,
      weight,
      torch: [torchName],
      describe: () => "identity",
      shape: (s) => s[0],
      sourceShapes: (ctx) => [ctx.target],
    }, (s) => ({ shape: s[0], perm: s[0].map((_, i) => i) })),
    // the identity needs no op and no loop (the permutation above still drives the in-place path)
    convert: (xs) => xs[0],
    values: (xs, _s, _ctx, out) => out.set(xs[0]),
  };
}

/** torch (out, C·H·W) → tfjs (H·W·C, out): reorder the `in` axis, then transpose. */
const denseKernel: LayoutRule = permuted({
  layers: ["Dense"],
  weight: "kernel",
  torch: ["weight"],
  describe: (ctx) =>
    ctx.flattenedFrom
      ? `permute in C·H·W→H·W·C (${ctx.flattenedFrom.join("×")} map), transpose(1,0)`
      : "transpose(1,0)",
  shape: (s) => (rank(2)(s) ? [s[0][1], s[0][0]] : undefined),
  sourceShapes: (ctx) => [[ctx.target[1], ctx.target[0]]],
}, (s, ctx) => {
  if (!ctx.flattenedFrom) return { shape: s[0], perm: [1, 0] };
  const [h, wd, c] = ctx.flattenedFrom;
  return { shape: [s[0][0], c, h, wd], perm: [2, 3, 1, 0] };
});

/** torch (C·m, 1, kh, kw) → tfjs (kh, kw, C, m); output channel c·m + j on both sides. */
const depthwiseKernel: LayoutRule = permuted({
  layers: ["DepthwiseConv2D"],
  weight: "depthwise_kernel",
  torch: ["weight"],
  describe: () => "reshape(C,m,kh,kw), transpose(2,3,0,1)",
  shape: (s, ctx) => {
    if (!rank(4)(s) || s[0][1] !== 1) return undefined;
    const m = ctx.target[3] ?? 1;
    const c = s[0][0] % m === 0 ? s[0][0] / m : s[0][0];
    return [s[0][2], s[0][3], c, s[0][0] % m === 0 ? m : 1];
  },
  sourceShapes: (ctx) => [[ctx.target[2] * ctx.target[3], 1, ctx.target[0], ctx.target[1]]],
}, (s, ctx) => {
  const [cm, , kh, kw] = s[0];
  return { shape: [cm / ctx.target[3], ctx.target[3], kh, kw], perm: [2, 3, 0, 1] };
});

/** Recurrent layers: kernel = W_ihᵀ, recurrent_kernel = W_hhᵀ, with an optional gate reorder. */
function recurrentRules(layer: string, gates: number, order: number[] | undefined, bias: "sum" | "stack"): LayoutRule[] {
  const reorder = (x: tf.Tensor, axis: number): tf.Tensor =>
    order ? tf.concat(perm(tf.split(x, gates, axis), order), axis) : x;
  const note = order ? `gates (r,z,n)→(z,r,n), ` : "";
  const kernel = (weight: string, torchName: string): LayoutRule => {
    const row = {
      layers: [layer],
      weight,
      torch: [torchName],
      describe: () => `${note}transpose(1,0)`,
      shape: (s: number[][]) => (rank(2)(s) ? [s[0][1], s[0][0]] : undefined),
      sourceShapes: (ctx: LayoutContext) => [[ctx.target[1], ctx.target[0]]],
    };
    // a gate reorder is no single permutation: those rows convert with tfjs ops only
    return order ? { ...row, convert: (xs) => tf.transpose(reorder(xs[0], 0), [1, 0]) } : permuted(row, (s) => ({ shape: s[0], perm: [1, 0] }));
  };
  const biasRule: LayoutRule =
    bias === "sum"
      ? {
          layers: [layer],
          weight: "bias",
          torch: ["bias_ih_l0", "bias_hh_l0"],
          describe: () => "bias_ih_l0 + bias_hh_l0",
          shape: (s) => (rank(1)(s) && s[0][0] === s[1][0] ? s[0] : undefined),
          sourceShapes: (ctx) => [ctx.target, ctx.target],
          convert: (xs) => tf.add(xs[0], xs[1]),
          values: (xs, _s, _ctx, out) => void addValues(xs[0], xs[1], out),
        }
      : {
          layers: [layer],
          weight: "bias",
          torch: ["bias_ih_l0", "bias_hh_l0"],
          describe: () => `${note}stack(bias_ih_l0, bias_hh_l0)`,
          shape: (s) => (rank(1)(s) && s[0][0] === s[1][0] ? [2, s[0][0]] : undefined),
          sourceShapes: (ctx) => [[ctx.target[ctx.target.length - 1]], [ctx.target[ctx.target.length - 1]]],
          convert: (xs) => tf.stack([reorder(xs[0], 0), reorder(xs[1], 0)]),
        };
  const rules = [kernel("kernel", "weight_ih_l0"), kernel("recurrent_kernel", "weight_hh_l0"), biasRule];
  if (layer === "GRU") {
    const incompatible = (ctx: LayoutContext): string | undefined =>
      (ctx.layer.getConfig() as { resetAfter?: boolean }).resetAfter
        ? undefined
        : "torch.nn.GRU applies the reset gate after the recurrent matmul (reset_after) and tfjs's GRU layer " +
          "only before it, so no weights make them compute the same; use an LSTM or a custom reset-after cell";
    for (const r of rules) r.incompatible = incompatible;
  }
  return rules;
}

/** torch (C, 1, 1) → tfjs (C): ConvNeXt's `layer_scale`, kept channels-first by torch as a broadcastable column. */
const layerScale: LayoutRule = permuted({
  layers: ["LayerScale"],
  weight: "layer_scale",
  torch: ["layer_scale"],
  describe: () => "reshape(C,1,1→C)",
  shape: (s) => (rank(3)(s) && s[0][1] === 1 && s[0][2] === 1 ? [s[0][0]] : undefined),
  sourceShapes: (ctx) => [[ctx.target[0], 1, 1]],
}, (s) => ({ shape: [s[0][0]], perm: [0] }));

/**
 * Transformer parameters graft's own layers keep in torch's layout (identity): the packed
 * attention projection of torch.nn.MultiheadAttention (`in_proj_weight` `[3E, E]`, rows q, k, v;
 * `in_proj_bias` `[3E]`), ViT's `encoder.pos_embedding` `[1, L, E]` and root `class_token` `[1, 1, E]`.
 */
const TRANSFORMER: readonly LayoutRule[] = [
  identityRule(["MultiHeadSelfAttention"], "in_proj_weight", "in_proj_weight"),
  identityRule(["MultiHeadSelfAttention"], "in_proj_bias", "in_proj_bias"),
  identityRule(["PositionEmbedding"], "pos_embedding", "pos_embedding"),
  { ...identityRule(["ClassToken"], "class_token", "class_token"), atRoot: true },
];

const BIASED = ["Conv1D", "Conv2D", "Conv2DTranspose", "Conv3D", "DepthwiseConv2D", "Dense", "SeparableConv2D"];

/**
 * The table of every torch → tfjs conversion graft knows, keyed by tfjs layer class and weight.
 * @example
 * ```ts
 * const rule = torchRule("Conv2D", "kernel"); // rule.torch: ["weight"], describe → "transpose(2,3,1,0)"
 * ```
 */
export const TORCH_LAYOUTS: readonly LayoutRule[] = [
  transposeRule(["Conv2D"], "kernel", [2, 3, 1, 0], [3, 2, 0, 1]), // OIHW → HWIO
  transposeRule(["Conv1D"], "kernel", [2, 1, 0], [2, 1, 0]), // OIW → WIO
  transposeRule(["Conv2DTranspose"], "kernel", [2, 3, 1, 0], [3, 2, 0, 1]), // (in,out,kh,kw) → (kh,kw,out,in)
  transposeRule(["Conv3D"], "kernel", [2, 3, 4, 1, 0], [4, 3, 0, 1, 2]), // OIDHW → DHWIO
  depthwiseKernel,
  denseKernel,
  identityRule(BIASED, "bias", "bias"),
  identityRule(["BatchNormalization", "LayerNormalization"], "gamma", "weight"),
  identityRule(["BatchNormalization", "LayerNormalization"], "beta", "bias"),
  identityRule(["BatchNormalization"], "moving_mean", "running_mean"),
  identityRule(["BatchNormalization"], "moving_variance", "running_var"),
  identityRule(["Embedding"], "embeddings", "weight"),
  identityRule(["PReLU"], "alpha", "weight"),
  layerScale,
  ...TRANSFORMER,
  ...recurrentRules("LSTM", 4, undefined, "sum"),
  ...recurrentRules("SimpleRNN", 1, undefined, "sum"),
  ...recurrentRules("GRU", 3, [1, 0, 2], "stack"),
];

/** torch parameters with no tfjs counterpart: dropped and reported as ignored, never as unexpected. */
export const TORCH_IGNORED: Readonly<Record<string, string>> = {
  num_batches_tracked: "BatchNorm step counter; tfjs keeps none",
};

/** The rule for a tfjs layer class and weight name, if graft knows one. */
export function torchRule(layerClass: string, weight: string): LayoutRule | undefined {
  return TORCH_LAYOUTS.find((r) => r.weight === weight && r.layers.includes(layerClass));
}

/** The identity rule used for tfjs/Keras sources (same layout, one entry per weight). */
export function tfjsRule(layerClass: string, weight: string): LayoutRule {
  return { ...identityRule([layerClass], weight, weight), describe: () => "identity" };
}

/** Builds the context of one weight: its layer, shape, and the conv map a Flatten fed it from. */
export function layoutContext(layer: tf.layers.Layer, target: number[]): LayoutContext {
  const ctx: LayoutContext = { layer, target };
  if (layer.getClassName() === "Dense") {
    const map = flattenedMap(layer);
    if (map && map[0] * map[1] > 1) ctx.flattenedFrom = map;
  }
  return ctx;
}
