/**
 * MobileNetV3 Large and Small as in torchvision 0.14 (`torchvision/models/mobilenetv3.py`,
 * width 1.0, no reduced tail, no dilation).
 *
 * Layer names are torchvision's module paths: the stem `features.0.0` (conv) / `.1` (BN) /
 * `.2` (Hardswish); inverted residual N is `features.N.block.…` — `block.0` (1×1 expand, when
 * the expansion differs from the input), then the k×k depthwise block, the squeeze-excitation
 * (`fc1`/`fc2`, ReLU and Hardsigmoid) where the row says so, and the 1×1 project (BN, no
 * activation); residual additions `features.N.add`. Then the last 1×1 conv (6× channels,
 * Hardswish), `avgpool`, `classifier.0` (Linear), `.1` (Hardswish), `.2` (Dropout 0.2), `.3` (Linear).
 * BatchNorm uses torchvision's eps 0.001 and momentum 0.01.
 */
import * as tf from "@tensorflow/tfjs";
import { activation, convNormActivation, makeDivisible, squeezeExcitation, type BatchNormConstants } from "./_blocks";
import { torchLinear } from "./_layers";
import { zooInit, type ZooInit } from "./_init";
import { resolveOptions, type ZooOptions } from "./options";
import { zooBuilder } from "./_builder";

/** torchvision's InvertedResidualConfig rows: in, kernel, expanded, out, SE, activation, stride. */
type Row = [number, number, number, number, boolean, "RE" | "HS", number];

const LARGE: readonly Row[] = [
  [16, 3, 16, 16, false, "RE", 1],
  [16, 3, 64, 24, false, "RE", 2],
  [24, 3, 72, 24, false, "RE", 1],
  [24, 5, 72, 40, true, "RE", 2],
  [40, 5, 120, 40, true, "RE", 1],
  [40, 5, 120, 40, true, "RE", 1],
  [40, 3, 240, 80, false, "HS", 2],
  [80, 3, 200, 80, false, "HS", 1],
  [80, 3, 184, 80, false, "HS", 1],
  [80, 3, 184, 80, false, "HS", 1],
  [80, 3, 480, 112, true, "HS", 1],
  [112, 3, 672, 112, true, "HS", 1],
  [112, 5, 672, 160, true, "HS", 2],
  [160, 5, 960, 160, true, "HS", 1],
  [160, 5, 960, 160, true, "HS", 1],
];

const SMALL: readonly Row[] = [
  [16, 3, 16, 16, true, "RE", 2],
  [16, 3, 72, 24, false, "RE", 2],
  [24, 3, 88, 24, false, "RE", 1],
  [24, 5, 96, 40, true, "HS", 2],
  [40, 5, 240, 40, true, "HS", 1],
  [40, 5, 240, 40, true, "HS", 1],
  [40, 5, 120, 48, true, "HS", 1],
  [48, 5, 144, 48, true, "HS", 1],
  [48, 5, 288, 96, true, "HS", 2],
  [96, 5, 576, 96, true, "HS", 1],
  [96, 5, 576, 96, true, "HS", 1],
];

/** torchvision's MobileNetV3 norm_layer: `partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)`. */
const BN: BatchNormConstants = { epsilon: 1e-3, torchMomentum: 0.01 };

function invertedResidual(init: ZooInit, x: tf.SymbolicTensor, name: string, row: Row): tf.SymbolicTensor {
  const [inp, kernel, expanded, out, useSe, act, stride] = row;
  const kind = act === "HS" ? "hardswish" : "relu";
  let y = x;
  let index = 0;
  const block = () => `${name}.block.${index++}`;
  if (expanded !== inp) y = convNormActivation(y, { init, name: block(), filters: expanded, kernelSize: 1, activation: kind, bn: BN });
  y = convNormActivation(y, { init, name: block(), filters: expanded, kernelSize: kernel, stride, depthwise: true, activation: kind, bn: BN });
  if (useSe) {
    y = squeezeExcitation(y, block(), makeDivisible(Math.floor(expanded / 4)), { activation: "relu", scale: "hardsigmoid" }, init);
  }
  y = convNormActivation(y, { init, name: block(), filters: out, kernelSize: 1, bn: BN });
  if (stride === 1 && inp === out) y = tf.layers.add({ name: `${name}.add` }).apply([y, x]) as tf.SymbolicTensor;
  return y;
}

function mobilenetV3(arch: "mobilenet_v3_large" | "mobilenet_v3_small", builder: string, opts: ZooOptions | undefined): tf.LayersModel {
  const { numClasses, includeTop, inputShape, seed } = resolveOptions(builder, opts);
  const init = zooInit(seed, builder);
  const rows = arch === "mobilenet_v3_large" ? LARGE : SMALL;
  const lastChannel = arch === "mobilenet_v3_large" ? 1280 : 1024;
  const input = tf.input({ shape: inputShape, name: "input" });
  let x = convNormActivation(input, { init, name: "features.0", filters: 16, kernelSize: 3, stride: 2, activation: "hardswish", bn: BN });
  rows.forEach((row, i) => {
    x = invertedResidual(init, x, `features.${i + 1}`, row);
  });
  const lastConv = 6 * rows[rows.length - 1][3];
  x = convNormActivation(x, { init, name: `features.${rows.length + 1}`, filters: lastConv, kernelSize: 1, activation: "hardswish", bn: BN });
  x = tf.layers.globalAveragePooling2d({ name: "avgpool" }).apply(x) as tf.SymbolicTensor;
  if (includeTop) {
    x = torchLinear(x, "classifier.0", lastChannel, "normal", init);
    x = activation(x, "hardswish", "classifier.1");
    x = tf.layers.dropout({ rate: 0.2, name: "classifier.2" }).apply(x) as tf.SymbolicTensor;
    x = torchLinear(x, "classifier.3", numClasses, "normal", init);
  }
  return tf.model({ inputs: input, outputs: x, name: arch });
}

/**
 * MobileNetV3-Large (torchvision `mobilenet_v3_large`): 5.5 M parameters at 1000 classes.
 *
 * @param opts `numClasses` (1000), `includeTop` (true; false ends after `avgpool` with 960
 *   features per image), `inputShape` (`[224, 224, 3]`, channels last), `seed` (as {@link resnet18}).
 * @returns an uncompiled tfjs LayersModel named `mobilenet_v3_large`, layer names = torchvision
 *   module paths (features.0 … features.16, classifier.0 … classifier.3).
 * @example
 * ```ts
 * const model = graft.zoo.mobilenetV3Large({ numClasses: 5, inputShape: [96, 96, 3] });
 * model.getLayer("features.4.block.2.fc1").getWeights()[0].shape; // [1, 1, 72, 24]
 * graft.freeze(model, "features.[0-9].*");  // features.0 … features.9; features.1* would add 10–16
 * graft.freezeUpTo(model, "features.9.add"); // the same
 * ```
 */
export const mobilenetV3Large = zooBuilder("mobilenet_v3_large", "mobilenetV3Large", (opts) => mobilenetV3("mobilenet_v3_large", "mobilenetV3Large", opts));

/**
 * MobileNetV3-Small (torchvision `mobilenet_v3_small`): 2.5 M parameters at 1000 classes.
 *
 * @param opts as {@link mobilenetV3Large}; without the top the model ends with 576 features per image.
 * @returns an uncompiled tfjs LayersModel named `mobilenet_v3_small` (features.0 … features.12,
 *   classifier.0 … classifier.3).
 * @example
 * ```ts
 * const model = graft.zoo.mobilenetV3Small({ numClasses: 3, inputShape: [64, 64, 3] });
 * model.outputs[0].shape; // [null, 3]
 * ```
 */
export const mobilenetV3Small = zooBuilder("mobilenet_v3_small", "mobilenetV3Small", (opts) => mobilenetV3("mobilenet_v3_small", "mobilenetV3Small", opts));


