/**
 * PositionEmbedding: ViT's learned position embedding (`Encoder.pos_embedding` in torchvision
 * 0.14), a layer tfjs-layers lacks: `x + pos_embedding`, one `[1, L, E]` table added to every
 * sequence of length L.
 */
import * as tf from "@tensorflow/tfjs";

type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** Arguments of {@link PositionEmbedding}. */
export interface PositionEmbeddingArgs {
  name?: string;
  /** Initial table (torchvision: N(0, 0.02²)). Used when the layer is built; not serialised (loaded weights replace it). */
  initializer?: Initializer;
  trainable?: boolean;
}

/**
 * Adds a learned position embedding; weight `pos_embedding`, shape `[1, L, E]` (torch's layout).
 * Named after its torch module (`encoder`), it receives `encoder.pos_embedding`. Serialisable.
 * @example
 * ```ts
 * const pos = new graft.zoo.PositionEmbedding({ name: "encoder" });
 * pos.apply(tf.input({ shape: [197, 768] })); // weight "encoder/pos_embedding", [1, 197, 768]
 * ```
 */
export class PositionEmbedding extends tf.layers.Layer {
  static className = "PositionEmbedding";
  private readonly initializer: Initializer;
  private table?: tf.LayerVariable;

  constructor(args: PositionEmbeddingArgs = {}) {
    super(args);
    this.initializer = args.initializer ?? tf.initializers.zeros();
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 3 || shape[1] == null || shape[2] == null) {
      throw new RangeError(`PositionEmbedding "${this.name}": input must be (batch, sequence, hidden) with known sizes; got ${JSON.stringify(shape)}`);
    }
    this.table = this.addWeight("pos_embedding", [1, shape[1], shape[2]], "float32", this.initializer);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.add(x, (this.table as tf.LayerVariable).read()));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
}
tf.serialization.registerClass(PositionEmbedding);
