/**
 * MultiHeadSelfAttention: the part of torch.nn.MultiheadAttention (batch_first, query = key =
 * value) before its output projection, a layer tfjs-layers lacks. It keeps torch's packed
 * input projection as is: `in_proj_weight` `[3E, E]` (rows: query, key, value) and
 * `in_proj_bias` `[3E]`, so torchvision checkpoints load without a transform. The output
 * projection `out_proj` is an ordinary Dense layer named `<module>.out_proj` after this one.
 *
 * Per head h (d = E / heads): `softmax(q_h k_hᵀ / √d) v_h`; the heads are concatenated back to E.
 */
import * as tf from "@tensorflow/tfjs";

type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** Arguments of {@link MultiHeadSelfAttention}. */
export interface MultiHeadSelfAttentionArgs {
  name?: string;
  /** torch's `num_heads`; must divide the hidden size. */
  numHeads: number;
  /** Initial `in_proj_weight` (torch: xavier uniform). Used when built; not serialised. */
  kernelInitializer?: Initializer;
  /** Initial `in_proj_bias` (torch: zeros). Used when built; not serialised. */
  biasInitializer?: Initializer;
  trainable?: boolean;
}

/**
 * Multi-head self-attention with torch's weight layout: `(N, L, E) → (N, L, E)` (heads
 * concatenated, before `out_proj`). No attention dropout (torchvision's ViTs use 0).
 * Serialisable: `model.save` / `tf.loadLayersModel` round-trip it.
 * @example
 * ```ts
 * const attention = new graft.zoo.MultiHeadSelfAttention({ name: "encoder.layers.encoder_layer_0.self_attention", numHeads: 12 });
 * attention.apply(tf.input({ shape: [197, 768] })); // weights in_proj_weight [2304, 768], in_proj_bias [2304]
 * ```
 */
export class MultiHeadSelfAttention extends tf.layers.Layer {
  static className = "MultiHeadSelfAttention";
  readonly numHeads: number;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: MultiHeadSelfAttentionArgs) {
    super(args);
    if (!Number.isInteger(args?.numHeads) || args.numHeads < 1) {
      throw new RangeError(`MultiHeadSelfAttention: numHeads must be a positive integer; got ${String(args?.numHeads)}`);
    }
    this.numHeads = args.numHeads;
    this.kernelInitializer = args.kernelInitializer ?? tf.initializers.glorotUniform({});
    this.biasInitializer = args.biasInitializer ?? tf.initializers.zeros();
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const dim = shape[shape.length - 1];
    if (shape.length !== 3 || dim == null) {
      throw new RangeError(`MultiHeadSelfAttention "${this.name}": input must be (batch, sequence, hidden); got ${JSON.stringify(shape)}`);
    }
    if (dim % this.numHeads !== 0) {
      throw new RangeError(`MultiHeadSelfAttention "${this.name}": hidden size ${dim} is not divisible by numHeads ${this.numHeads}`);
    }
    this.kernel = this.addWeight("in_proj_weight", [3 * dim, dim], "float32", this.kernelInitializer);
    this.bias = this.addWeight("in_proj_bias", [3 * dim], "float32", this.biasInitializer);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    return tf.tidy(() => {
      const [n, l, e] = x.shape;
      const h = this.numHeads;
      const d = e / h;
      const flat = tf.reshape(x, [n * l, e]);
      const qkv = tf.add(tf.matMul(flat, (this.kernel as tf.LayerVariable).read() as tf.Tensor2D, false, true), (this.bias as tf.LayerVariable).read());
      // (N·L, 3E) → three (N, H, L, d)
      const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [n, l, h, d]), [0, 2, 1, 3]) as tf.Tensor4D;
      const [q, k, v] = tf.split(qkv, 3, 1).map(heads);
      const scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(d)), k, false, true);
      const out = tf.matMul(tf.softmax(scores, -1), v);
      return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [n, l, e]);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads };
  }
}
tf.serialization.registerClass(MultiHeadSelfAttention);
