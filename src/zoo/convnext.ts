/**
 * ConvNeXt-Tiny as in torchvision 0.14 (`torchvision/models/convnext.py`).
 *
 * Layer names are torchvision's module paths: the stem `features.0.0` (4×4 stride-4 conv with
 * bias) and `features.0.1` (LayerNorm2d); stages `features.1`, `.3`, `.5`, `.7` of CNBlocks
 * `features.S.B` — `block.0` (7×7 depthwise conv with bias), `block.2` (LayerNorm), `block.3`
 * (Linear C→4C), `block.4` (GELU, exact erf), `block.5` (Linear 4C→C), then the block's
 * `layer_scale` (a {@link LayerScale} layer named `features.S.B`) and `features.S.B.add` (the
 * residual). Downsampling `features.2`, `.4`, `.6`: `.0` LayerNorm2d, `.1` 2×2 stride-2 conv.
 * `avgpool`, `classifier.0` (LayerNorm2d), `classifier.2` (Linear).
 *
 * Channels last, torch's `Permute` layers (`block.1`, `block.6`) are no-ops and absent; LayerNorm2d
 * and LayerNorm both normalise the last axis (eps 1e-6). Stochastic depth (torchvision: rate
 * 0.1·b/(n−1)) is the identity at inference and is not applied in training either: training here
 * keeps every block (a documented difference from torch's train mode).
 */
import * as tf from "@tensorflow/tfjs";
import { zooInit, type ZooInit } from "./_init";
import { LayerScale } from "./layer_scale";
import { resolveOptions, type ZooOptions } from "./options";
import { zooBuilder } from "./_builder";

/** torchvision's CNBlockConfig list of convnext_tiny: (input channels, output channels or null, blocks). */
const TINY: ReadonlyArray<[number, number | null, number]> = [
  [96, 192, 3],
  [192, 384, 3],
  [384, 768, 9],
  [768, null, 3],
];

const LN_EPSILON = 1e-6;

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor): tf.SymbolicTensor => layer.apply(x) as tf.SymbolicTensor;

const layerNorm = (x: tf.SymbolicTensor, name: string) => apply(tf.layers.layerNormalization({ axis: -1, epsilon: LN_EPSILON, name }), x);

/** torchvision inits Conv2d and Linear weights trunc_normal_(std=0.02) (a plain normal at ±2 bounds) and biases 0. */
function conv(init: ZooInit, x: tf.SymbolicTensor, name: string, filters: number, kernelSize: number, stride: number): tf.SymbolicTensor {
  return apply(
    tf.layers.conv2d({ name, filters, kernelSize, strides: stride, padding: "valid", useBias: true, kernelInitializer: init.truncatedNormal(0.02) }),
    x,
  );
}

function linear(init: ZooInit, x: tf.SymbolicTensor, name: string, units: number): tf.SymbolicTensor {
  return apply(tf.layers.dense({ name, units, kernelInitializer: init.truncatedNormal(0.02) }), x);
}

function cnBlock(init: ZooInit, x: tf.SymbolicTensor, name: string, dim: number): tf.SymbolicTensor {
  // 7×7, padding 3, stride 1: tfjs `same` pads exactly as torch.
  let y = apply(
    tf.layers.depthwiseConv2d({
      name: `${name}.block.0`,
      kernelSize: 7,
      padding: "same",
      depthMultiplier: 1,
      useBias: true,
      depthwiseInitializer: init.truncatedNormal(0.02),
    }),
    x,
  );
  y = layerNorm(y, `${name}.block.2`);
  y = linear(init, y, `${name}.block.3`, 4 * dim);
  y = apply(tf.layers.activation({ activation: "gelu", name: `${name}.block.4` }), y);
  y = linear(init, y, `${name}.block.5`, dim);
  y = apply(new LayerScale({ name, initValue: 1e-6 }), y);
  return tf.layers.add({ name: `${name}.add` }).apply([y, x]) as tf.SymbolicTensor;
}

/**
 * ConvNeXt-Tiny (torchvision `convnext_tiny`): 28.6 M parameters at 1000 classes.
 *
 * @param opts `numClasses` (1000), `includeTop` (true; false ends after `avgpool` with 768 features
 *   per image, before the classifier's LayerNorm), `inputShape` (`[224, 224, 3]`, channels last;
 *   at least 32×32, the four downsamplings need it), `seed` (same seed, same initial weights).
 * @returns an uncompiled LayersModel named `convnext_tiny`; layer names = torchvision module paths.
 * @throws RangeError for an input smaller than 32×32.
 * @example
 * ```ts
 * const model = graft.zoo.convnextTiny({ numClasses: 10, inputShape: [64, 64, 3], seed: 1 });
 * model.getLayer("features.1.0.block.0").getWeights()[0].shape; // [7, 7, 96, 1]  (torch: [96, 1, 7, 7])
 * model.getLayer("features.1.0").getWeights()[0].shape;         // [96]  layer_scale (torch: [96, 1, 1])
 * graft.freeze(model, "features.[0-5]*");                        // stem and the first three stages
 * ```
 */
export const convnextTiny = zooBuilder("convnext_tiny", "convnextTiny", (opts) => {
  const { numClasses, includeTop, inputShape, seed } = resolveOptions("convnextTiny", opts);
  if (inputShape[0] < 32 || inputShape[1] < 32) {
    throw new RangeError(`zoo.convnextTiny: inputShape must be at least [32, 32, C] (stride 32 in all); got ${JSON.stringify(inputShape)}`);
  }
  const init = zooInit(seed, "convnextTiny");
  const input = tf.input({ shape: inputShape, name: "input" });
  let x = conv(init, input, "features.0.0", TINY[0][0], 4, 4);
  x = layerNorm(x, "features.0.1");
  let feature = 1;
  for (const [channels, next, blocks] of TINY) {
    for (let b = 0; b < blocks; b++) x = cnBlock(init, x, `features.${feature}.${b}`, channels);
    feature++;
    if (next !== null) {
      x = layerNorm(x, `features.${feature}.0`);
      x = conv(init, x, `features.${feature}.1`, next, 2, 2);
      feature++;
    }
  }
  x = apply(tf.layers.globalAveragePooling2d({ name: "avgpool" }), x);
  if (includeTop) {
    x = layerNorm(x, "classifier.0");
    x = linear(init, x, "classifier.2", numClasses);
  }
  return tf.model({ inputs: input, outputs: x, name: "convnext_tiny" });
});

