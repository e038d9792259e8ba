/**
 * ResNet-18/34/50 as in torchvision 0.14 (`torchvision/models/resnet.py`): BasicBlock for
 * 18/34, Bottleneck with the stride on the 3×3 conv ("ResNet V1.5") for 50.
 *
 * Layer names are torchvision's module paths (`conv1`, `bn1`, `layer1.0.conv1`,
 * `layer1.0.downsample.0`, `fc`), so a torchvision state dict loads by name. Layers that hold
 * no torch parameters get names torch never uses for parameters: `conv1.pad`, `relu`,
 * `maxpool.pad`, `maxpool`, `layer1.0.relu1` / `relu2` (inside a block), `layer1.0.add`,
 * `layer1.0.relu` (after the addition), `avgpool`.
 */
import * as tf from "@tensorflow/tfjs";
import { maxPoolAfterRelu, relu, torchBatchNorm, torchConv, torchLinear } from "./_layers";
import { zooInit, type ZooInit } from "./_init";
import { resolveOptions, type ZooOptions } from "./options";
import { zooBuilder } from "./_builder";

type Block = "basic" | "bottleneck";

function basicBlock(init: ZooInit, x: tf.SymbolicTensor, name: string, planes: number, stride: number, downsample: boolean): tf.SymbolicTensor {
  let y = torchConv(x, { init, name: `${name}.conv1`, filters: planes, kernelSize: 3, stride, padding: 1 });
  y = relu(torchBatchNorm(y, `${name}.bn1`), `${name}.relu1`);
  y = torchConv(y, { init, name: `${name}.conv2`, filters: planes, kernelSize: 3, padding: 1 });
  y = torchBatchNorm(y, `${name}.bn2`);
  return residual(init, x, y, name, planes, stride, downsample);
}

function bottleneck(init: ZooInit, x: tf.SymbolicTensor, name: string, planes: number, stride: number, downsample: boolean): tf.SymbolicTensor {
  let y = torchConv(x, { init, name: `${name}.conv1`, filters: planes, kernelSize: 1 });
  y = relu(torchBatchNorm(y, `${name}.bn1`), `${name}.relu1`);
  y = torchConv(y, { init, name: `${name}.conv2`, filters: planes, kernelSize: 3, stride, padding: 1 });
  y = relu(torchBatchNorm(y, `${name}.bn2`), `${name}.relu2`);
  y = torchConv(y, { init, name: `${name}.conv3`, filters: planes * 4, kernelSize: 1 });
  y = torchBatchNorm(y, `${name}.bn3`);
  return residual(init, x, y, name, planes * 4, stride, downsample);
}

/** identity (or `downsample.0` 1×1 conv + `downsample.1` BN) + y, then ReLU. */
function residual(
  init: ZooInit,
  x: tf.SymbolicTensor,
  y: tf.SymbolicTensor,
  name: string,
  outChannels: number,
  stride: number,
  downsample: boolean,
): tf.SymbolicTensor {
  let identity = x;
  if (downsample) {
    identity = torchConv(x, { init, name: `${name}.downsample.0`, filters: outChannels, kernelSize: 1, stride });
    identity = torchBatchNorm(identity, `${name}.downsample.1`);
  }
  const sum = tf.layers.add({ name: `${name}.add` }).apply([y, identity]) as tf.SymbolicTensor;
  return relu(sum, `${name}.relu`);
}

function resnet(arch: string, block: Block, layers: [number, number, number, number], opts?: ZooOptions): tf.LayersModel {
  const { numClasses, includeTop, inputShape, seed } = resolveOptions(arch, opts);
  const init = zooInit(seed, arch);
  const expansion = block === "basic" ? 1 : 4;
  const makeBlock = block === "basic" ? basicBlock : bottleneck;
  const input = tf.input({ shape: inputShape, name: "input" });
  let x = torchConv(input, { init, name: "conv1", filters: 64, kernelSize: 7, stride: 2, padding: 3 });
  x = relu(torchBatchNorm(x, "bn1"), "relu");
  // After the ReLU every value is ≥ 0, so zero padding equals torch's −∞ padding here.
  x = maxPoolAfterRelu(x, "maxpool", 3, 2, 1);
  let inplanes = 64;
  layers.forEach((count, stage) => {
    const planes = 64 * 2 ** stage;
    for (let i = 0; i < count; i++) {
      const stride = i === 0 && stage > 0 ? 2 : 1;
      const downsample = i === 0 && (stride !== 1 || inplanes !== planes * expansion);
      x = makeBlock(init, x, `layer${stage + 1}.${i}`, planes, stride, downsample);
      inplanes = planes * expansion;
    }
  });
  // AdaptiveAvgPool2d((1, 1)) + flatten: one vector of 512·expansion features per image.
  x = tf.layers.globalAveragePooling2d({ name: "avgpool" }).apply(x) as tf.SymbolicTensor;
  if (includeTop) x = torchLinear(x, "fc", numClasses, "torch", init);
  return tf.model({ inputs: input, outputs: x, name: arch });
}

/**
 * ResNet-18 (torchvision `resnet18`): 11.7 M parameters at 1000 classes.
 *
 * @param opts `numClasses` (1000), `includeTop` (true; false ends after `avgpool` with 512
 *   features per image), `inputShape` (`[224, 224, 3]`, channels last; any size ≥ 1 works), `seed` (same seed,
 *   same initial weights; unseeded by default). Unknown keys are a TypeError with a did-you-mean.
 * @returns an uncompiled tfjs LayersModel named `resnet18` whose layer names are torchvision's
 *   module paths.
 * @example Build and graft torchvision weights by name
 * ```ts
 * const model = graft.zoo.resnet18({ numClasses: 10 });
 * model.getLayer("layer1.0.conv1").getWeights()[0].shape; // [3, 3, 64, 64]  (torch: [64, 64, 3, 3])
 * const report = await graft.loadWeights(model, "resnet18-f37072fd.pth"); // fc mismatches: 1000 vs 10 classes
 * ```
 */
export const resnet18 = zooBuilder("resnet18", "resnet18", (opts) => resnet("resnet18", "basic", [2, 2, 2, 2], opts));

/**
 * ResNet-34 (torchvision `resnet34`): BasicBlocks [3, 4, 6, 3], 21.8 M parameters.
 *
 * @param opts as {@link resnet18}; without top the output has 512 features per image.
 * @returns an uncompiled LayersModel named `resnet34`.
 * @example
 * ```ts
 * const backbone = graft.zoo.resnet34({ includeTop: false, inputShape: [128, 128, 3] });
 * backbone.outputs[0].shape; // [null, 512]
 * ```
 */
export const resnet34 = zooBuilder("resnet34", "resnet34", (opts) => resnet("resnet34", "basic", [3, 4, 6, 3], opts));

/**
 * ResNet-50 (torchvision `resnet50`, V1.5: stride on the 3×3 conv): Bottlenecks [3, 4, 6, 3],
 * 25.6 M parameters.
 *
 * @param opts as {@link resnet18}; without top the output has 2048 features per image.
 * @returns an uncompiled LayersModel named `resnet50`.
 * @example
 * ```ts
 * const model = graft.zoo.resnet50();
 * model.getLayer("layer1.0.downsample.0").getWeights()[0].shape; // [1, 1, 64, 256]
 * model.outputs[0].shape; // [null, 1000]
 * ```
 */
export const resnet50 = zooBuilder("resnet50", "resnet50", (opts) => resnet("resnet50", "bottleneck", [3, 4, 6, 3], opts));
