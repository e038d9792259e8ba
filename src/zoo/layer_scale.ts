/**
 * LayerScale: ConvNeXt's per-channel learned scale (`CNBlock.layer_scale` in torchvision 0.14),
 * a layer tfjs-layers lacks. torch keeps the parameter as `(C, 1, 1)` on a channels-first map;
 * here it is `(C)` over the last (channels) axis, and the layout table reshapes between the two.
 */
import * as tf from "@tensorflow/tfjs";

/** Arguments of {@link LayerScale}. */
export interface LayerScaleArgs {
  name?: string;
  /** Initial value of every scale (torchvision: 1e-6). Default 1e-6. */
  initValue?: number;
  trainable?: boolean;
}

/**
 * `y = layer_scale · x` with one learned scale per channel (last axis); weight `layer_scale`, shape `[C]`.
 * Serialisable: registered with `tf.serialization`, so `model.save` / `tf.loadLayersModel` round-trip it.
 * @example
 * ```ts
 * const scale = new graft.zoo.LayerScale({ name: "features.1.0", initValue: 1e-6 });
 * const y = scale.apply(tf.input({ shape: [8, 8, 96] })) as tf.SymbolicTensor; // weight "features.1.0/layer_scale", [96]
 * ```
 */
export class LayerScale extends tf.layers.Layer {
  static className = "LayerScale";
  private readonly initValue: number;
  private scale?: tf.LayerVariable;

  constructor(args: LayerScaleArgs = {}) {
    super(args);
    this.initValue = args.initValue ?? 1e-6;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (channels == null) throw new RangeError(`LayerScale "${this.name}": the channels axis must be known; got input shape ${JSON.stringify(shape)}`);
    this.scale = this.addWeight("layer_scale", [channels], "float32", tf.initializers.constant({ value: this.initValue }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.mul(x, (this.scale as tf.LayerVariable).read()));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initValue: this.initValue };
  }
}
tf.serialization.registerClass(LayerScale);
