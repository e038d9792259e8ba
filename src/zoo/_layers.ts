/**
 * Private building blocks shared by the zoo architectures: torch-style convolutions,
 * BatchNorm with torch's constants, ReLU, max-pool and Linear layers.
 *
 * Padding rule: PyTorch pads `p` pixels on every side. tfjs `same` only agrees with that
 * for stride 1 and an odd kernel with `p = (k - 1) / 2`; for stride 2 on an even input it
 * pads 0 on the top/left and 1 on the bottom/right, which shifts every window by one pixel.
 * So every other padded convolution or pooling here is an explicit `zeroPadding2d`
 * (named `<module>.pad`) followed by a `valid` layer — the same arithmetic as torch.
 */
import * as tf from "@tensorflow/tfjs";
import type { ZooInit } from "./_init";

/** BatchNorm constants of torch.nn.BatchNorm2d: eps 1e-5, momentum 0.1 (tfjs momentum = 1 − torch's). */
export const TORCH_BN_EPSILON = 1e-5;
export const TORCH_BN_MOMENTUM = 0.9;

/** Arguments of {@link torchConv}, in torch.nn.Conv2d's terms. */
export interface TorchConvArgs {
  /** torch module path, e.g. `layer1.0.conv1`; the tfjs layer gets this name. */
  name: string;
  /** out_channels; ignored for depthwise convolutions (depth multiplier 1). */
  filters: number;
  kernelSize: number;
  stride?: number;
  /** torch's symmetric `padding`. */
  padding?: number;
  /** torch `groups == in_channels == out_channels`: a DepthwiseConv2D with depthMultiplier 1. */
  depthwise?: boolean;
  /** torch `bias=True`. Default false (every conv followed by BatchNorm). */
  useBias?: boolean;
  /** The build's initializers (seeded or not). */
  init: ZooInit;
}

/** Applies torch's symmetric padding: `same` where identical, else an explicit `<name>.pad` layer. */
function torchPadding(
  x: tf.SymbolicTensor,
  name: string,
  kernelSize: number,
  stride: number,
  padding: number,
): { x: tf.SymbolicTensor; padding: "same" | "valid" } {
  if (padding === 0) return { x, padding: "valid" };
  if (stride === 1 && kernelSize % 2 === 1 && padding === (kernelSize - 1) / 2) return { x, padding: "same" };
  const pad = tf.layers.zeroPadding2d({ padding: padding, name: `${name}.pad` });
  return { x: pad.apply(x) as tf.SymbolicTensor, padding: "valid" };
}

/** A torch.nn.Conv2d as tfjs layers (Conv2D or DepthwiseConv2D, plus padding where needed). */
export function torchConv(x: tf.SymbolicTensor, args: TorchConvArgs): tf.SymbolicTensor {
  const stride = args.stride ?? 1;
  const padded = torchPadding(x, args.name, args.kernelSize, stride, args.padding ?? 0);
  const common = {
    kernelSize: args.kernelSize,
    strides: stride,
    padding: padded.padding,
    useBias: args.useBias ?? false,
    name: args.name,
  };
  // torchvision initialises convs with kaiming_normal_(mode="fan_out"): N(0, 2 / fan_out), where
  // fan_out = out_channels·kh·kw (for a depthwise conv torch counts C·kh·kw, C the channels).
  const channels = args.depthwise ? (x.shape[x.shape.length - 1] as number) : args.filters;
  const init = args.init.normal(Math.sqrt(2 / (channels * args.kernelSize * args.kernelSize)));
  const layer = args.depthwise
    ? tf.layers.depthwiseConv2d({ ...common, depthMultiplier: 1, depthwiseInitializer: init })
    : tf.layers.conv2d({ ...common, filters: args.filters, kernelInitializer: init });
  return layer.apply(padded.x) as tf.SymbolicTensor;
}

/** torch.nn.BatchNorm2d (eval: moving statistics, eps 1e-5) over the channels axis. */
export function torchBatchNorm(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  const bn = tf.layers.batchNormalization({ axis: -1, epsilon: TORCH_BN_EPSILON, momentum: TORCH_BN_MOMENTUM, name });
  return bn.apply(x) as tf.SymbolicTensor;
}

/** torch.nn.ReLU (`maxValue` 6 for ReLU6); torch has no weights here, so any unique name works. */
export function relu(x: tf.SymbolicTensor, name: string, maxValue?: number): tf.SymbolicTensor {
  const layer = maxValue === undefined ? tf.layers.reLU({ name }) : tf.layers.reLU({ maxValue, name });
  return layer.apply(x) as tf.SymbolicTensor;
}

/**
 * torch.nn.MaxPool2d with symmetric padding, written as `<name>.pad` + a valid pool.
 * Torch pads max pooling with −∞; zeros are used here, which gives the same result only when
 * the input is ≥ 0 (after a ReLU) and every window holds at least one real pixel
 * (`padding < kernelSize`). Callers must only use it there.
 */
export function maxPoolAfterRelu(
  x: tf.SymbolicTensor,
  name: string,
  kernelSize: number,
  stride: number,
  padding: number,
): tf.SymbolicTensor {
  const padded = padding === 0 ? x : (tf.layers.zeroPadding2d({ padding, name: `${name}.pad` }).apply(x) as tf.SymbolicTensor);
  const pool = tf.layers.maxPooling2d({ poolSize: kernelSize, strides: stride, padding: "valid", name });
  return pool.apply(padded) as tf.SymbolicTensor;
}

/**
 * torch.nn.Linear as a Dense layer (`in → out`, kernel `(in, out)`), initialised from `init` as
 * torchvision does: `"torch"` = nn.Linear's default U(±1/√in) for weight and bias (resnet's fc),
 * `"normal"` = N(0, 0.01) weight and zero bias (vgg, mobilenet_v2).
 */
export function torchLinear(
  x: tf.SymbolicTensor,
  name: string,
  units: number,
  kind: "torch" | "normal",
  init: ZooInit,
): tf.SymbolicTensor {
  const fanIn = x.shape[x.shape.length - 1] as number;
  const bound = 1 / Math.sqrt(fanIn);
  const dense =
    kind === "torch"
      ? tf.layers.dense({ units, name, kernelInitializer: init.uniform(bound), biasInitializer: init.uniform(bound) })
      : tf.layers.dense({ units, name, kernelInitializer: init.normal(0.01) });
  return dense.apply(x) as tf.SymbolicTensor;
}

/** Spatial size after a torch conv/pool: floor((n + 2p − k) / s) + 1. */
export function convOutSize(n: number, kernelSize: number, stride: number, padding: number): number {
  return Math.floor((n + 2 * padding - kernelSize) / stride) + 1;
}
