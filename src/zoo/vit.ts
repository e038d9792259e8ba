/**
 * ViT-B/16 as in torchvision 0.14 (`torchvision/models/vision_transformer.py`: patch 16, 12
 * layers, 12 heads, hidden 768, MLP 3072, LayerNorm eps 1e-6, no dropout).
 *
 * Layer names are torchvision's module paths: `conv_proj` (16×16 stride-16 patchify conv),
 * `conv_proj.flatten` (to a sequence, row-major over the patch grid as torch's reshape), the
 * {@link ClassToken} layer `class_token` (torch's root parameter), the {@link PositionEmbedding}
 * layer `encoder` (`encoder.pos_embedding`); per block `encoder.layers.encoder_layer_N.` —
 * `ln_1`, `self_attention` ({@link MultiHeadSelfAttention}: `in_proj_weight`, `in_proj_bias`),
 * `self_attention.out_proj` (Dense), `add_1` (residual), `ln_2`, `mlp.0` (Linear), `mlp.1`
 * (GELU, exact erf), `mlp.3` (Linear), `add_2`; then `encoder.ln`, `class_token.select` ({@link TakeToken}: token 0)
 * and `heads.head`.
 */
import * as tf from "@tensorflow/tfjs";
import { zooInit, type ZooInit } from "./_init";
import { ClassToken, TakeToken } from "./class_token";
import { resolveOptions, type ZooOptions } from "./options";
import { zooBuilder } from "./_builder";
import { PositionEmbedding } from "./position_embedding";
import { MultiHeadSelfAttention } from "./self_attention";

const B16 = { patch: 16, layers: 12, heads: 12, hidden: 768, mlp: 3072 } as const;
const LN_EPSILON = 1e-6;

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor => layer.apply(x) as tf.SymbolicTensor;
const layerNorm = (x: tf.SymbolicTensor, name: string) => apply(tf.layers.layerNormalization({ axis: -1, epsilon: LN_EPSILON, name }), x);

/** nn.init.xavier_uniform_ of a (out, in) weight: U(±√(6 / (in + out))). */
const xavier = (init: ZooInit, fanIn: number, fanOut: number) => init.uniform(Math.sqrt(6 / (fanIn + fanOut)));

function encoderBlock(init: ZooInit, x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  const { hidden, heads, mlp } = B16;
  let y = layerNorm(x, `${name}.ln_1`);
  y = apply(
    new MultiHeadSelfAttention({
      name: `${name}.self_attention`,
      numHeads: heads,
      kernelInitializer: xavier(init, hidden, 3 * hidden),
      biasInitializer: tf.initializers.zeros(),
    }),
    y,
  );
  // out_proj keeps nn.Linear's default U(±1/√in) weight; MultiheadAttention zeroes its bias.
  y = apply(tf.layers.dense({ name: `${name}.self_attention.out_proj`, units: hidden, kernelInitializer: init.uniform(1 / Math.sqrt(hidden)) }), y);
  const mid = apply(tf.layers.add({ name: `${name}.add_1` }), [y, x]);
  // MLPBlock: xavier uniform weights, N(0, 1e-6²) biases.
  let z = layerNorm(mid, `${name}.ln_2`);
  z = apply(tf.layers.dense({ name: `${name}.mlp.0`, units: mlp, kernelInitializer: xavier(init, hidden, mlp), biasInitializer: init.normal(1e-6) }), z);
  z = apply(tf.layers.activation({ activation: "gelu", name: `${name}.mlp.1` }), z);
  z = apply(tf.layers.dense({ name: `${name}.mlp.3`, units: hidden, kernelInitializer: xavier(init, mlp, hidden), biasInitializer: init.normal(1e-6) }), z);
  return apply(tf.layers.add({ name: `${name}.add_2` }), [z, mid]);
}

/**
 * ViT-B/16 (torchvision `vit_b_16`): 86.6 M parameters at 1000 classes and 224×224.
 *
 * @param opts `numClasses` (1000), `includeTop` (true; false ends after `encoder.ln` and the class
 *   token with 768 features per image), `inputShape` (`[224, 224, 3]`; height and width multiples of
 *   16 — torchvision's `image_size`, which fixes the position embedding: (H/16)·(W/16) + 1 rows, so
 *   ImageNet weights need 224×224), `seed` (same seed, same initial weights).
 * @returns an uncompiled LayersModel named `vit_b_16`; layer names = torchvision module paths.
 * @throws RangeError when height or width is not a multiple of 16.
 * @example
 * ```ts
 * const model = graft.zoo.vitB16({ numClasses: 10, inputShape: [32, 32, 3] });
 * model.getLayer("encoder").getWeights()[0].shape; // [1, 5, 768]  pos_embedding: 2×2 patches + class token
 * graft.freeze(model, "encoder.layers.encoder_layer_[0-9].*"); // blocks 0–9; 10, 11, encoder.ln and the head train
 * ```
 */
export const vitB16 = zooBuilder("vit_b_16", "vitB16", (opts) => {
  const { numClasses, includeTop, inputShape, seed } = resolveOptions("vitB16", opts);
  const { patch, hidden, layers } = B16;
  const [height, width] = inputShape;
  if (height % patch !== 0 || width % patch !== 0) {
    throw new RangeError(
      `zoo.vitB16: inputShape height and width must be multiples of ${patch} (the patch size); got ${JSON.stringify(inputShape)} — resize to e.g. [224, 224, 3]`,
    );
  }
  const init = zooInit(seed, "vitB16");
  const input = tf.input({ shape: inputShape, name: "input" });
  // trunc_normal_(std=√(1/fan_in)) with bounds ±2 (≥ 6 std here): a plain normal.
  const fanIn = inputShape[2] * patch * patch;
  let x = apply(
    tf.layers.conv2d({
      name: "conv_proj",
      filters: hidden,
      kernelSize: patch,
      strides: patch,
      padding: "valid",
      kernelInitializer: init.truncatedNormal(Math.sqrt(1 / fanIn)),
    }),
    input,
  );
  x = apply(tf.layers.reshape({ name: "conv_proj.flatten", targetShape: [(height / patch) * (width / patch), hidden] }), x);
  x = apply(new ClassToken({ name: "class_token" }), x);
  x = apply(new PositionEmbedding({ name: "encoder", initializer: init.normal(0.02) }), x);
  for (let i = 0; i < layers; i++) x = encoderBlock(init, x, `encoder.layers.encoder_layer_${i}`);
  x = layerNorm(x, "encoder.ln");
  x = apply(new TakeToken({ name: "class_token.select", index: 0 }), x);
  if (includeTop) {
    // torchvision zeroes the head (weight and bias).
    x = apply(tf.layers.dense({ name: "heads.head", units: numClasses, kernelInitializer: "zeros" }), x);
  }
  return tf.model({ inputs: input, outputs: x, name: "vit_b_16" });
});

