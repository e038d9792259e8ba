/**
 * ClassToken: the ViT class token (`VisionTransformer.class_token` in torchvision 0.14), a layer
 * tfjs-layers lacks. It prepends one learned `[1, 1, E]` vector to every sequence:
 * `(N, L, E) → (N, L + 1, E)`, as `torch.cat([class_token.expand(n, -1, -1), x], dim=1)`.
 */
import * as tf from "@tensorflow/tfjs";

type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** Arguments of {@link ClassToken}. */
export interface ClassTokenArgs {
  name?: string;
  /** Initial value of the token (torchvision: zeros). Used when the layer is built; not serialised (loaded weights replace it). */
  initializer?: Initializer;
  trainable?: boolean;
}

/**
 * Prepends a learned token to each sequence; weight `class_token`, shape `[1, 1, E]` (torch's layout).
 * The weight sits on torch's root module, so the layout table maps it to the state-dict name
 * `class_token` whatever the layer is called. Serialisable (`model.save` / `tf.loadLayersModel`).
 * @example
 * ```ts
 * const token = new graft.zoo.ClassToken({ name: "class_token" });
 * (token.apply(tf.input({ shape: [196, 768] })) as tf.SymbolicTensor).shape; // [null, 197, 768]
 * ```
 */
export class ClassToken extends tf.layers.Layer {
  static className = "ClassToken";
  private readonly initializer: Initializer;
  private token?: tf.LayerVariable;

  constructor(args: ClassTokenArgs = {}) {
    super(args);
    this.initializer = args.initializer ?? tf.initializers.zeros();
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const dim = shape[shape.length - 1];
    if (shape.length !== 3 || dim == null) {
      throw new RangeError(`ClassToken "${this.name}": input must be (batch, sequence, hidden) with a known hidden size; got ${JSON.stringify(shape)}`);
    }
    this.token = this.addWeight("class_token", [1, 1, dim], "float32", this.initializer);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => {
      const token = (this.token as tf.LayerVariable).read();
      return tf.concat([tf.tile(token, [x.shape[0], 1, 1]), x], 1);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], s[1] == null ? null : (s[1] as number) + 1, s[2]];
  }
}
tf.serialization.registerClass(ClassToken);

/** Arguments of {@link TakeToken}. */
export interface TakeTokenArgs {
  name?: string;
  /** Position in the sequence to keep. Default 0 (the class token). */
  index?: number;
}

/**
 * `x[:, index]`: one token of each sequence, `(N, L, E) → (N, E)` — ViT's classifier input
 * (torchvision `x = x[:, 0]`). No weights. Serialisable.
 * @example
 * ```ts
 * const take = new graft.zoo.TakeToken({ name: "class_token.select" });
 * (take.apply(tf.input({ shape: [197, 768] })) as tf.SymbolicTensor).shape; // [null, 768]
 * ```
 */
export class TakeToken extends tf.layers.Layer {
  static className = "TakeToken";
  readonly index: number;

  constructor(args: TakeTokenArgs = {}) {
    super(args);
    this.index = args.index ?? 0;
    if (!Number.isInteger(this.index) || this.index < 0) throw new RangeError(`TakeToken: index must be an integer ≥ 0; got ${String(args.index)}`);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.reshape(tf.slice(x, [0, this.index, 0], [-1, 1, -1]), [x.shape[0], x.shape[2] as number]));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (s.length !== 3 || (s[1] != null && this.index >= (s[1] as number))) {
      throw new RangeError(`TakeToken "${this.name}": cannot take token ${this.index} of input shape ${JSON.stringify(s)}`);
    }
    return [s[0], s[2]];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), index: this.index };
  }
}
tf.serialization.registerClass(TakeToken);
