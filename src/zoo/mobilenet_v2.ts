/**
 * MobileNetV2 as in torchvision 0.14 (`torchvision/models/mobilenetv2.py`, width 1.0).
 *
 * Layer names are torchvision's module paths: the stem `features.0.0` (conv) / `.1` (BN) /
 * `.2` (ReLU6); inverted residual `features.N.conv.…` — with expansion
 * `conv.0.0`/`conv.0.1`/`conv.0.2` (1×1 expand), `conv.1.0`/`.1`/`.2` (3×3 depthwise),
 * `conv.2` (1×1 project), `conv.3` (BN); without expansion (`features.1`) the depthwise block
 * is `conv.0.*`, then `conv.1`, `conv.2`; the last 1×1 `features.18.0`/`.1`/`.2`; `avgpool`;
 * `classifier.0` (Dropout 0.2), `classifier.1` (Linear). Residual additions are
 * `features.N.add`; explicit paddings `<conv>.pad`.
 */
import * as tf from "@tensorflow/tfjs";
import { relu, torchBatchNorm, torchConv, torchLinear } from "./_layers";
import { zooInit, type ZooInit } from "./_init";
import { resolveOptions, type ZooOptions } from "./options";
import { zooBuilder } from "./_builder";

/** torchvision's inverted residual setting: expand ratio t, channels c, repeats n, first stride s. */
const INVERTED_RESIDUAL_SETTING: ReadonlyArray<[number, number, number, number]> = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** torchvision's Conv2dNormActivation(…, activation_layer=ReLU6): `<name>.0` conv, `.1` BN, `.2` ReLU6. */
function convBnRelu6(
  init: ZooInit,
  x: tf.SymbolicTensor,
  name: string,
  filters: number,
  kernelSize: number,
  stride = 1,
  depthwise = false,
): tf.SymbolicTensor {
  const padding = (kernelSize - 1) / 2;
  const y = torchConv(x, { init, name: `${name}.0`, filters, kernelSize, stride, padding, depthwise });
  return relu(torchBatchNorm(y, `${name}.1`), `${name}.2`, 6);
}

function invertedResidual(
  init: ZooInit,
  x: tf.SymbolicTensor,
  name: string,
  inp: number,
  oup: number,
  stride: number,
  expandRatio: number,
): tf.SymbolicTensor {
  const hidden = Math.round(inp * expandRatio);
  let y = x;
  let index = 0;
  if (expandRatio !== 1) y = convBnRelu6(init, y, `${name}.conv.${index++}`, hidden, 1);
  y = convBnRelu6(init, y, `${name}.conv.${index++}`, hidden, 3, stride, true);
  y = torchConv(y, { init, name: `${name}.conv.${index++}`, filters: oup, kernelSize: 1 });
  y = torchBatchNorm(y, `${name}.conv.${index++}`);
  if (stride === 1 && inp === oup) {
    y = tf.layers.add({ name: `${name}.add` }).apply([x, y]) as tf.SymbolicTensor;
  }
  return y;
}

/**
 * MobileNetV2 (torchvision `mobilenet_v2`, width 1.0): 3.5 M parameters at 1000 classes.
 *
 * @param opts `numClasses` (1000), `includeTop` (true; false ends after `avgpool` with 1280
 *   features per image), `inputShape` (`[224, 224, 3]`, channels last), `seed` (as {@link resnet18}).
 * @returns an uncompiled tfjs LayersModel named `mobilenet_v2`, layer names = torchvision module
 *   paths; depthwise convolutions are DepthwiseConv2D layers (kernel `[3, 3, C, 1]`).
 * @example
 * ```ts
 * const model = graft.zoo.mobilenetV2({ numClasses: 5, inputShape: [96, 96, 3] });
 * model.getLayer("features.2.conv.1.0").getWeights()[0].shape; // [3, 3, 96, 1]  (torch: [96, 1, 3, 3])
 * model.outputs[0].shape; // [null, 5]
 * ```
 */
export const mobilenetV2 = zooBuilder("mobilenet_v2", "mobilenetV2", (opts) => {
  const { numClasses, includeTop, inputShape, seed } = resolveOptions("mobilenetV2", opts);
  const init = zooInit(seed, "mobilenetV2");
  const input = tf.input({ shape: inputShape, name: "input" });
  let x = convBnRelu6(init, input, "features.0", 32, 3, 2);
  let inp = 32;
  let feature = 1;
  for (const [t, c, n, s] of INVERTED_RESIDUAL_SETTING) {
    for (let i = 0; i < n; i++) {
      x = invertedResidual(init, x, `features.${feature++}`, inp, c, i === 0 ? s : 1, t);
      inp = c;
    }
  }
  x = convBnRelu6(init, x, `features.${feature}`, 1280, 1);
  // nn.functional.adaptive_avg_pool2d(x, (1, 1)) + torch.flatten(x, 1).
  x = tf.layers.globalAveragePooling2d({ name: "avgpool" }).apply(x) as tf.SymbolicTensor;
  if (includeTop) {
    x = tf.layers.dropout({ rate: 0.2, name: "classifier.0" }).apply(x) as tf.SymbolicTensor;
    x = torchLinear(x, "classifier.1", numClasses, "normal", init);
  }
  return tf.model({ inputs: input, outputs: x, name: "mobilenet_v2" });
});
