/**
 * Private building blocks of torchvision's mobile architectures (EfficientNet, MobileNetV3):
 * torch's Hardswish and Hardsigmoid and StochasticDepth as serialisable tfjs layers, SiLU,
 * `Conv2dNormActivation` with a chosen BatchNorm and activation, and `SqueezeExcitation`
 * (`fc1`/`fc2` are 1×1 convolutions with bias, as in torchvision, so checkpoints load by name).
 */
import * as tf from "@tensorflow/tfjs";
import type { ZooInit } from "./_init";
import { relu, torchConv } from "./_layers";

/** torch.nn.Hardswish: `x · relu6(x + 3) / 6` (not tfjs's hardSigmoid, which is Keras's 0.2x + 0.5). */
export class Hardswish extends tf.layers.Layer {
  static readonly className = "Hardswish";
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.mul(x, tf.div(tf.clipByValue(tf.add(x, 3), 0, 6), 6));
    });
  }
}

/** torch.nn.Hardsigmoid: `relu6(x + 3) / 6`. */
export class Hardsigmoid extends tf.layers.Layer {
  static readonly className = "Hardsigmoid";
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.div(tf.clipByValue(tf.add(x, 3), 0, 6), 6);
    });
  }
}

/** Arguments of {@link StochasticDepth}. */
export interface StochasticDepthArgs {
  /** torchvision's `p`: probability of dropping the residual branch of one sample. */
  rate: number;
  name?: string;
}

/**
 * torchvision.ops.StochasticDepth(p, mode="row"): in training, each sample's residual branch is
 * kept with probability 1 − p and scaled by 1 / (1 − p); at inference (and for p = 0) the identity.
 */
export class StochasticDepth extends tf.layers.Layer {
  static readonly className = "StochasticDepth";
  readonly rate: number;
  constructor(args: StochasticDepthArgs) {
    super(args);
    if (!(args.rate >= 0 && args.rate <= 1)) {
      throw new RangeError(`StochasticDepth ${args.name ?? ""}: rate must be in [0, 1]; got ${String(args.rate)}`);
    }
    this.rate = args.rate;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!kwargs?.training || this.rate === 0) return tf.clone(x);
      const survival = 1 - this.rate;
      if (survival === 0) return tf.zerosLike(x);
      const shape = [x.shape[0], ...x.shape.slice(1).map(() => 1)];
      const keep = tf.floor(tf.add(tf.randomUniform(shape), survival));
      return tf.mul(x, tf.div(keep, survival));
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}

tf.serialization.registerClass(Hardswish);
tf.serialization.registerClass(Hardsigmoid);
tf.serialization.registerClass(StochasticDepth);

/** The activations torchvision's mobile blocks use. */
export type Activation = "relu" | "silu" | "hardswish" | "sigmoid" | "hardsigmoid";

/** Applies one activation as a weightless layer named `name` (torch's module path). */
export function activation(x: tf.SymbolicTensor, kind: Activation, name: string): tf.SymbolicTensor {
  if (kind === "relu") return relu(x, name);
  const layer =
    kind === "hardswish"
      ? new Hardswish({ name })
      : kind === "hardsigmoid"
        ? new Hardsigmoid({ name })
        : tf.layers.activation({ activation: kind === "silu" ? "swish" : "sigmoid", name }); // tfjs swish = x·σ(x) = SiLU
  return layer.apply(x) as tf.SymbolicTensor;
}

/** BatchNorm2d constants: torch's `eps` and `momentum` (tfjs's momentum is 1 − torch's). */
export interface BatchNormConstants {
  epsilon: number;
  torchMomentum: number;
}

/** Arguments of {@link convNormActivation}. */
export interface ConvNormActivationArgs {
  init: ZooInit;
  /** torch module path of the Conv2dNormActivation: conv `<name>.0`, BN `.1`, activation `.2`. */
  name: string;
  filters: number;
  kernelSize: number;
  stride?: number;
  depthwise?: boolean;
  /** No activation (torchvision's `activation_layer=None`) when undefined. */
  activation?: Activation;
  bn: BatchNormConstants;
}

/** torchvision's Conv2dNormActivation: conv (padding (k − 1) / 2, no bias) → BatchNorm2d → activation. */
export function convNormActivation(x: tf.SymbolicTensor, args: ConvNormActivationArgs): tf.SymbolicTensor {
  const { init, name, filters, kernelSize, stride = 1, depthwise = false } = args;
  let y = torchConv(x, { init, name: `${name}.0`, filters, kernelSize, stride, padding: (kernelSize - 1) / 2, depthwise });
  y = tf.layers
    .batchNormalization({ axis: -1, epsilon: args.bn.epsilon, momentum: 1 - args.bn.torchMomentum, name: `${name}.1` })
    .apply(y) as tf.SymbolicTensor;
  return args.activation === undefined ? y : activation(y, args.activation, `${name}.2`);
}

/**
 * torchvision.ops.SqueezeExcitation at module path `name`: `avgpool` → `fc1` (1×1 conv, bias) →
 * `activation` → `fc2` (1×1 conv, bias) → `scale_activation`, times the input (`<name>.mul`).
 */
export function squeezeExcitation(
  x: tf.SymbolicTensor,
  name: string,
  squeezeChannels: number,
  kinds: { activation: Activation; scale: Activation },
  init: ZooInit,
): tf.SymbolicTensor {
  const channels = x.shape[x.shape.length - 1] as number;
  let s = tf.layers.globalAveragePooling2d({ name: `${name}.avgpool` }).apply(x) as tf.SymbolicTensor;
  s = tf.layers.reshape({ targetShape: [1, 1, channels], name: `${name}.avgpool.reshape` }).apply(s) as tf.SymbolicTensor;
  s = torchConv(s, { init, name: `${name}.fc1`, filters: squeezeChannels, kernelSize: 1, useBias: true });
  s = activation(s, kinds.activation, `${name}.activation`);
  s = torchConv(s, { init, name: `${name}.fc2`, filters: channels, kernelSize: 1, useBias: true });
  s = activation(s, kinds.scale, `${name}.scale_activation`);
  return tf.layers.multiply({ name: `${name}.mul` }).apply([s, x]) as tf.SymbolicTensor;
}

/** torchvision's `_make_divisible(v, 8)`: round to a multiple of 8, never more than 10 % below `v`. */
export function makeDivisible(v: number, divisor = 8): number {
  let out = Math.max(divisor, Math.floor(v + divisor / 2) - (Math.floor(v + divisor / 2) % divisor));
  if (out < 0.9 * v) out += divisor;
  return out;
}
