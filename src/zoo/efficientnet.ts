/**
 * EfficientNet-B0 as in torchvision 0.14 (`torchvision/models/efficientnet.py`).
 *
 * Layer names are torchvision's module paths: the stem `features.0.0` (conv) / `.1` (BN) /
 * `.2` (SiLU); stage N block M is `features.N.M.block.…` — with expansion `block.0` (1×1
 * expand), `block.1` (k×k depthwise), `block.2` (squeeze-excitation `fc1`/`fc2`), `block.3`
 * (1×1 project, BN, no activation); without expansion (`features.1`) the depthwise block is
 * `block.0`, SE `block.1`, project `block.2`. Residual blocks add `features.N.M.stochastic_depth`
 * (identity at inference) and `features.N.M.add`. Then `features.8` (1×1 conv to 1280, SiLU),
 * `avgpool`, `classifier.0` (Dropout 0.2), `classifier.1` (Linear).
 */
import * as tf from "@tensorflow/tfjs";
import { convNormActivation, squeezeExcitation, StochasticDepth, type BatchNormConstants } from "./_blocks";
import { zooInit, type ZooInit } from "./_init";
import { resolveOptions, type ZooOptions } from "./options";
import { zooBuilder } from "./_builder";

/** torchvision's MBConvConfig rows for B0: expand ratio, kernel, stride, in, out, layers. */
const B0_SETTING: ReadonlyArray<[number, number, number, number, number, number]> = [
  [1, 3, 1, 32, 16, 1],
  [6, 3, 2, 16, 24, 2],
  [6, 5, 2, 24, 40, 2],
  [6, 3, 2, 40, 80, 3],
  [6, 5, 1, 80, 112, 3],
  [6, 5, 2, 112, 192, 4],
  [6, 3, 1, 192, 320, 1],
];

/** nn.BatchNorm2d's defaults (torchvision passes no norm_layer for B0–B7). */
const BN: BatchNormConstants = { epsilon: 1e-5, torchMomentum: 0.1 };
const STOCHASTIC_DEPTH_PROB = 0.2;

function mbConv(
  init: ZooInit,
  x: tf.SymbolicTensor,
  name: string,
  cfg: { expandRatio: number; kernel: number; stride: number; inp: number; out: number; sdProb: number },
): tf.SymbolicTensor {
  const expanded = cfg.inp * cfg.expandRatio;
  let y = x;
  let index = 0;
  const block = () => `${name}.block.${index++}`;
  if (expanded !== cfg.inp) {
    y = convNormActivation(y, { init, name: block(), filters: expanded, kernelSize: 1, activation: "silu", bn: BN });
  }
  y = convNormActivation(y, {
    init,
    name: block(),
    filters: expanded,
    kernelSize: cfg.kernel,
    stride: cfg.stride,
    depthwise: true,
    activation: "silu",
    bn: BN,
  });
  y = squeezeExcitation(y, block(), Math.max(1, Math.floor(cfg.inp / 4)), { activation: "silu", scale: "sigmoid" }, init);
  y = convNormActivation(y, { init, name: block(), filters: cfg.out, kernelSize: 1, bn: BN });
  if (cfg.stride === 1 && cfg.inp === cfg.out) {
    y = new StochasticDepth({ rate: cfg.sdProb, name: `${name}.stochastic_depth` }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.add({ name: `${name}.add` }).apply([y, x]) as tf.SymbolicTensor;
  }
  return y;
}

/**
 * EfficientNet-B0 (torchvision `efficientnet_b0`): 5.3 M parameters at 1000 classes.
 *
 * @param opts `numClasses` (1000), `includeTop` (true; false ends after `avgpool` with 1280
 *   features per image), `inputShape` (`[224, 224, 3]`, channels last), `seed` (as {@link resnet18}).
 * @returns an uncompiled tfjs LayersModel named `efficientnet_b0`, layer names = torchvision module
 *   paths; SiLU activations, squeeze-excitation with sigmoid gates, stochastic depth (p up to 0.2)
 *   active only in training.
 * @example
 * ```ts
 * const model = graft.zoo.efficientnetB0({ numClasses: 5, inputShape: [96, 96, 3] });
 * model.getLayer("features.2.0.block.2.fc1").getWeights()[0].shape; // [1, 1, 96, 4]
 * graft.freeze(model, "features.[0-5]*");         // the stem and stages 1–5
 * graft.freezeUpTo(model, "features.5.2.add");   // the same: up to stage 5's last layer
 * ```
 */
export const efficientnetB0 = zooBuilder("efficientnet_b0", "efficientnetB0", (opts) => {
  const { numClasses, includeTop, inputShape, seed } = resolveOptions("efficientnetB0", opts);
  const init = zooInit(seed, "efficientnetB0");
  const input = tf.input({ shape: inputShape, name: "input" });
  let x = convNormActivation(input, { init, name: "features.0", filters: 32, kernelSize: 3, stride: 2, activation: "silu", bn: BN });
  const total = B0_SETTING.reduce((n, row) => n + row[5], 0);
  let blockId = 0;
  B0_SETTING.forEach(([expandRatio, kernel, stride, inp, out, layers], stage) => {
    for (let i = 0; i < layers; i++) {
      const sdProb = (STOCHASTIC_DEPTH_PROB * blockId++) / total;
      const cfg = { expandRatio, kernel, stride: i === 0 ? stride : 1, inp: i === 0 ? inp : out, out, sdProb };
      x = mbConv(init, x, `features.${stage + 1}.${i}`, cfg);
    }
  });
  x = convNormActivation(x, { init, name: "features.8", filters: 1280, kernelSize: 1, activation: "silu", bn: BN });
  x = tf.layers.globalAveragePooling2d({ name: "avgpool" }).apply(x) as tf.SymbolicTensor;
  if (includeTop) {
    x = tf.layers.dropout({ rate: 0.2, name: "classifier.0" }).apply(x) as tf.SymbolicTensor;
    // torchvision: weight U(±1/√out_features), bias zeros.
    const bound = 1 / Math.sqrt(numClasses);
    x = tf.layers.dense({ units: numClasses, name: "classifier.1", kernelInitializer: init.uniform(bound) }).apply(x) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x, name: "efficientnet_b0" });
});

