/**
 * VGG-11 and VGG-16 (no BatchNorm) as in torchvision 0.14 (`torchvision/models/vgg.py`,
 * configurations "A" and "D").
 *
 * Layer names are torchvision's module paths: `features.N` numbers every conv, ReLU and
 * max-pool in order (vgg16: convs `features.0, 2, 5, 7, 10, …, 28`); `avgpool`
 * (AdaptiveAvgPool2d((7, 7)); absent at a 7×7 map, where it is the identity); `flatten`; `classifier.0` Linear, `.1` ReLU, `.2` Dropout,
 * `.3` Linear, `.4` ReLU, `.5` Dropout, `.6` Linear.
 *
 * Flatten order: torch flattens the `(C, 7, 7)` map in C·H·W order, tfjs flattens `(7, 7, C)`
 * in H·W·C order, so the rows of `classifier.0`'s kernel are a permutation of torch's
 * `classifier.0.weight` columns; the loader applies it (ARCHITECTURE.md §5).
 */
import * as tf from "@tensorflow/tfjs";
import { relu, torchConv, torchLinear } from "./_layers";
import { zooInit } from "./_init";
import { resolveOptions, type ZooOptions } from "./options";
import { zooBuilder } from "./_builder";

type VggConfig = ReadonlyArray<number | "M">;

/** torchvision's `cfgs`: channels of each 3×3 conv, "M" a 2×2 max-pool. */
const CONFIGS: Record<"vgg11" | "vgg16", VggConfig> = {
  vgg11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  vgg16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
};

/** Side of torchvision's AdaptiveAvgPool2d output. */
const POOLED = 7;

/** How AdaptiveAvgPool2d((7, 7)) reduces one side of n pixels: average k-blocks, or repeat a single pixel. */
interface PoolPlan {
  pool: number;
  repeat: number;
}

/** Feature-map side after VGG's five 2×2 max-pools (torch floors, as `valid` does). */
function featureSide(side: number): number {
  return Math.floor(side / 32);
}

/**
 * AdaptiveAvgPool2d((7, 7)) for the sizes where it is a plain average pool or a plain repeat:
 * n = 7k averages k×k blocks (k = 1 is the identity), n = 1 repeats the pixel 7 times (torch
 * does the same: every output window is that single pixel). Other sizes mix overlapping
 * windows of unequal size; they are refused rather than approximated — before any layer is built.
 */
function planAdaptivePool(arch: string, inputShape: number[]): [PoolPlan, PoolPlan] {
  const plan = (n: number): PoolPlan | undefined =>
    n % POOLED === 0 ? { pool: n / POOLED, repeat: 1 } : n === 1 ? { pool: 1, repeat: POOLED } : undefined;
  const [h, w] = [featureSide(inputShape[0]), featureSide(inputShape[1])];
  const [ph, pw] = [plan(h), plan(w)];
  if (!ph || !pw) {
    throw new RangeError(
      `zoo.${arch}: cannot build AdaptiveAvgPool2d((7, 7)) for a ${h}×${w} feature map (inputShape ` +
        `${JSON.stringify(inputShape)}); it is reproduced exactly only when each side is 1 or a multiple of 7 — ` +
        `use input sides of 32–63 or 224k to 224k + 31 (224, 448, …), or includeTop: false`,
    );
  }
  return [ph, pw];
}

function adaptiveAvgPool7(x: tf.SymbolicTensor, [ph, pw]: [PoolPlan, PoolPlan]): tf.SymbolicTensor {
  let y = x;
  if (ph.pool > 1 || pw.pool > 1) {
    const poolSize: [number, number] = [ph.pool, pw.pool];
    y = tf.layers.averagePooling2d({ poolSize, strides: poolSize, padding: "valid", name: "avgpool" }).apply(y) as tf.SymbolicTensor;
  }
  if (ph.repeat > 1 || pw.repeat > 1) {
    const name = y === x ? "avgpool" : "avgpool.repeat";
    y = tf.layers.upSampling2d({ size: [ph.repeat, pw.repeat], interpolation: "nearest", name }).apply(y) as tf.SymbolicTensor;
  }
  return y;
}

function vgg(arch: "vgg11" | "vgg16", opts?: ZooOptions): tf.LayersModel {
  const { numClasses, includeTop, inputShape, seed } = resolveOptions(arch, opts);
  const init = zooInit(seed, arch);
  const [height, width] = inputShape;
  if (height < 32 || width < 32) {
    throw new RangeError(
      `zoo.${arch}: inputShape ${JSON.stringify(inputShape)} is too small; VGG's five 2×2 max-pools need height and width ≥ 32`,
    );
  }
  const poolPlan = includeTop ? planAdaptivePool(arch, inputShape) : undefined;
  const input = tf.input({ shape: inputShape, name: "input" });
  let x: tf.SymbolicTensor = input;
  let index = 0;
  for (const item of CONFIGS[arch]) {
    if (item === "M") {
      x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "valid", name: `features.${index++}` }).apply(x) as tf.SymbolicTensor;
    } else {
      x = torchConv(x, { init, name: `features.${index++}`, filters: item, kernelSize: 3, padding: 1, useBias: true });
      x = relu(x, `features.${index++}`);
    }
  }
  if (!poolPlan) return tf.model({ inputs: input, outputs: x, name: arch });
  x = adaptiveAvgPool7(x, poolPlan);
  x = tf.layers.flatten({ name: "flatten" }).apply(x) as tf.SymbolicTensor;
  x = relu(torchLinear(x, "classifier.0", 4096, "normal", init), "classifier.1");
  x = tf.layers.dropout({ rate: 0.5, name: "classifier.2" }).apply(x) as tf.SymbolicTensor;
  x = relu(torchLinear(x, "classifier.3", 4096, "normal", init), "classifier.4");
  x = tf.layers.dropout({ rate: 0.5, name: "classifier.5" }).apply(x) as tf.SymbolicTensor;
  x = torchLinear(x, "classifier.6", numClasses, "normal", init);
  return tf.model({ inputs: input, outputs: x, name: arch });
}

/**
 * VGG-11 (torchvision `vgg11`, configuration "A", no BatchNorm): 132.9 M parameters at 1000
 * classes, 123.6 M of them in `classifier.0`.
 *
 * @param opts `numClasses` (1000); `includeTop` (true; false returns the output of `features`,
 *   the `[H/32, W/32, 512]` conv map after the last max-pool, as Keras' `include_top=False`
 *   and torchvision's detection backbones use it); `inputShape` (`[224, 224, 3]`; with the top,
 *   each side must give a 1×1 or 7k×7k feature map: 32–63, 224–255, 448–479, …); `seed`
 *   (as {@link resnet18}).
 * @returns an uncompiled tfjs LayersModel named `vgg11`.
 * @example
 * ```ts
 * const model = graft.zoo.vgg11({ numClasses: 10 });
 * model.getLayer("classifier.0").getWeights()[0].shape; // [25088, 4096]  (torch: [4096, 25088])
 * graft.zoo.vgg11({ includeTop: false }).outputs[0].shape; // [null, 7, 7, 512]
 * ```
 */
export const vgg11 = zooBuilder("vgg11", "vgg11", (opts) => vgg("vgg11", opts));

/**
 * VGG-16 (torchvision `vgg16`, configuration "D", no BatchNorm): 138.4 M parameters at 1000
 * classes.
 *
 * @param opts as {@link vgg11}.
 * @returns an uncompiled tfjs LayersModel named `vgg16`.
 * @example
 * ```ts
 * const backbone = graft.zoo.vgg16({ includeTop: false, inputShape: [512, 512, 3] });
 * backbone.getLayer("features.28").getWeights()[0].shape; // [3, 3, 512, 512]
 * backbone.outputs[0].shape; // [null, 16, 16, 512]
 * ```
 */
export const vgg16 = zooBuilder("vgg16", "vgg16", (opts) => vgg("vgg16", opts));
