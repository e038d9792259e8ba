/**
 * DenseNet-121 as in torchvision 0.14 (`torchvision/models/densenet.py`: growth 32, blocks
 * (6, 12, 24, 16), 64 initial features, bottleneck 4·32).
 *
 * Layer names are torchvision's module paths: `features.conv0` (7×7 stride 2, padding 3,
 * `.pad` before it), `features.norm0`, `features.relu0`, `features.pool0` (3×3 max pool, stride 2,
 * padding 1); dense layers `features.denseblockB.denselayerL.{norm1, relu1, conv1, norm2, relu2,
 * conv2}` whose output is appended to the block's features by `….denselayerL.cat`; transitions
 * `features.transitionT.{norm, relu, conv, pool}` (2×2 average pool); `features.norm5`, then
 * `relu` and `avgpool` (torchvision's functional ReLU + adaptive average pool), `classifier`.
 */
import * as tf from "@tensorflow/tfjs";
import { maxPoolAfterRelu, relu, torchBatchNorm } from "./_layers";
import { zooInit, type ZooInit } from "./_init";
import { resolveOptions, type ZooOptions } from "./options";
import { zooBuilder } from "./_builder";

const GROWTH = 32;
const BN_SIZE = 4;
const BLOCKS_121 = [6, 12, 24, 16] as const;

/** torchvision inits DenseNet convs kaiming_normal_ with its default mode fan_in: N(0, 2 / (in·kh·kw)). */
function conv(init: ZooInit, x: tf.SymbolicTensor, name: string, filters: number, kernelSize: number, stride = 1, padding = 0): tf.SymbolicTensor {
  const fanIn = (x.shape[x.shape.length - 1] as number) * kernelSize * kernelSize;
  // torch's symmetric padding equals tfjs `same` for stride 1 and p = (k − 1) / 2; else pad explicitly.
  const same = stride === 1 && padding === (kernelSize - 1) / 2 && padding > 0;
  const input = padding > 0 && !same ? (tf.layers.zeroPadding2d({ padding, name: `${name}.pad` }).apply(x) as tf.SymbolicTensor) : x;
  const layer = tf.layers.conv2d({
    name,
    filters,
    kernelSize,
    strides: stride,
    padding: same ? "same" : "valid",
    useBias: false,
    kernelInitializer: init.normal(Math.sqrt(2 / fanIn)),
  });
  return layer.apply(input) as tf.SymbolicTensor;
}

function denseLayer(init: ZooInit, x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  let y = relu(torchBatchNorm(x, `${name}.norm1`), `${name}.relu1`);
  y = conv(init, y, `${name}.conv1`, BN_SIZE * GROWTH, 1);
  y = relu(torchBatchNorm(y, `${name}.norm2`), `${name}.relu2`);
  y = conv(init, y, `${name}.conv2`, GROWTH, 3, 1, 1);
  // torch.cat([previous features…, new], 1): the new features go last.
  return tf.layers.concatenate({ axis: -1, name: `${name}.cat` }).apply([x, y]) as tf.SymbolicTensor;
}

function transition(init: ZooInit, x: tf.SymbolicTensor, name: string, filters: number): tf.SymbolicTensor {
  let y = relu(torchBatchNorm(x, `${name}.norm`), `${name}.relu`);
  y = conv(init, y, `${name}.conv`, filters, 1);
  return tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: "valid", name: `${name}.pool` }).apply(y) as tf.SymbolicTensor;
}

/**
 * DenseNet-121 (torchvision `densenet121`): 8.0 M parameters at 1000 classes.
 *
 * @param opts `numClasses` (1000), `includeTop` (true; false ends after `avgpool` with 1024
 *   features per image), `inputShape` (`[224, 224, 3]`, channels last; at least 29×29, which the
 *   five halvings need), `seed` (same seed, same initial weights).
 * @returns an uncompiled LayersModel named `densenet121`; layer names = torchvision module paths.
 * @throws RangeError for an input smaller than 29×29.
 * @example
 * ```ts
 * const model = graft.zoo.densenet121({ numClasses: 5, inputShape: [64, 64, 3] });
 * model.getLayer("features.denseblock1.denselayer1.conv2").getWeights()[0].shape; // [3, 3, 128, 32]
 * model.getLayer("classifier").getWeights()[0].shape;                            // [1024, 5]
 * ```
 */
export const densenet121 = zooBuilder("densenet121", "densenet121", (opts) => {
  const { numClasses, includeTop, inputShape, seed } = resolveOptions("densenet121", opts);
  if (inputShape[0] < 29 || inputShape[1] < 29) {
    throw new RangeError(`zoo.densenet121: inputShape must be at least [29, 29, C] (five halvings); got ${JSON.stringify(inputShape)}`);
  }
  const init = zooInit(seed, "densenet121");
  const input = tf.input({ shape: inputShape, name: "input" });
  let x = conv(init, input, "features.conv0", 64, 7, 2, 3);
  x = relu(torchBatchNorm(x, "features.norm0"), "features.relu0");
  // After the ReLU every value is ≥ 0, so zero padding equals torch's −∞ padding here.
  x = maxPoolAfterRelu(x, "features.pool0", 3, 2, 1);
  let features = 64;
  BLOCKS_121.forEach((layers, b) => {
    for (let l = 0; l < layers; l++) x = denseLayer(init, x, `features.denseblock${b + 1}.denselayer${l + 1}`);
    features += layers * GROWTH;
    if (b < BLOCKS_121.length - 1) {
      features = Math.floor(features / 2);
      x = transition(init, x, `features.transition${b + 1}`, features);
    }
  });
  x = relu(torchBatchNorm(x, "features.norm5"), "relu");
  x = tf.layers.globalAveragePooling2d({ name: "avgpool" }).apply(x) as tf.SymbolicTensor;
  if (includeTop) {
    // nn.Linear's default weight init U(±1/√in); torchvision sets the bias to 0.
    const bound = 1 / Math.sqrt(features);
    x = tf.layers.dense({ units: numClasses, name: "classifier", kernelInitializer: init.uniform(bound) }).apply(x) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x, name: "densenet121" });
});

