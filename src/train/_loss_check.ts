/**
 * The logits trap: a model whose last layer is linear (the zoo's, torchvision's) compiled with a
 * tfjs loss that expects probabilities trains nothing and says nothing. graft warns once per
 * model, from `graft.fit` and from `model.compile` (wrapped once when graft is loaded).
 */
import * as tf from "@tensorflow/tfjs";

const PROBABILITY_LOSSES: Record<string, string> = {
  categoricalCrossentropy: "graft.losses.crossEntropy (labels one-hot or int)",
  categorical_crossentropy: "graft.losses.crossEntropy (labels one-hot or int)",
  sparseCategoricalCrossentropy: "graft.losses.crossEntropy (int labels)",
  sparse_categorical_crossentropy: "graft.losses.crossEntropy (int labels)",
  binaryCrossentropy: "a sigmoid on the last layer (activation: \"sigmoid\")",
  binary_crossentropy: "a sigmoid on the last layer (activation: \"sigmoid\")",
};

const warned = new WeakSet<object>();

/** Layers that pass their input through unchanged in value range. */
const PASS_THROUGH = new Set(["Flatten", "Reshape", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "Permute"]);

/** The activation the model's output goes through last, or undefined when it can't be told. */
export function outputActivation(model: tf.LayersModel): string | undefined {
  let layer: tf.layers.Layer | undefined = model.outputs[0]?.sourceLayer as tf.layers.Layer | undefined;
  for (let hops = 0; layer && hops < 50; hops++) {
    const inner = (layer as unknown as { layers?: tf.layers.Layer[]; outputs?: tf.SymbolicTensor[] });
    if (Array.isArray(inner.layers) && inner.outputs) {
      layer = inner.outputs[0]?.sourceLayer as tf.layers.Layer;
      continue;
    }
    const cls = layer.getClassName();
    if (cls === "Softmax") return "softmax";
    const config = layer.getConfig() as { activation?: unknown };
    if (typeof config.activation === "string") return config.activation;
    if (!PASS_THROUGH.has(cls)) return undefined;
    const nodes = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes;
    layer = nodes[0]?.inboundLayers[0];
  }
  return undefined;
}

/** The warning for `model` with `loss`, or undefined when they fit together. */
export function logitsWarning(model: tf.LayersModel, loss: unknown): string | undefined {
  const name = typeof loss === "string" ? loss : Array.isArray(loss) && loss.length === 1 && typeof loss[0] === "string" ? loss[0] : undefined;
  if (!name || !(name in PROBABILITY_LOSSES)) return undefined;
  if (outputActivation(model) !== "linear") return undefined;
  return `graft: "${model.name}" ends in a linear layer (logits) but is compiled with loss "${name}", which expects probabilities: ` +
    `it will train nothing and say nothing. Use ${PROBABILITY_LOSSES[name]}, e.g. model.compile({ optimizer: "adam", loss: graft.losses.crossEntropy, metrics: ["accuracy"] })`;
}

/** Warns (console.warn) about the logits trap, once per model. */
export function warnLogits(model: tf.LayersModel, loss: unknown = (model as unknown as { loss?: unknown }).loss): void {
  if (warned.has(model)) return;
  let message: string | undefined;
  try {
    message = logitsWarning(model, loss);
  } catch {
    return; // an unusual graph: say nothing rather than fail the user's compile
  }
  if (!message) return;
  warned.add(model);
  console.warn(message);
}

/** A model graft builds over another's layers (a head, a twin) and compiles itself: no second warning. */
export function noLogitsWarning(model: tf.LayersModel): void {
  warned.add(model);
}

const WRAPPED = Symbol.for("graft.compile.logitsCheck");

let inSequential = 0;

function wrap(proto: Record<string | symbol, unknown>, sequential: boolean): void {
  if (Object.prototype.hasOwnProperty.call(proto, WRAPPED)) return;
  const original = proto.compile as (this: tf.LayersModel, args: tf.ModelCompileArgs) => void;
  Object.defineProperty(proto, WRAPPED, { value: true });
  proto.compile = function compile(this: tf.LayersModel, args: tf.ModelCompileArgs) {
    // tf.Sequential compiles an inner LayersModel: warn once, about the Sequential.
    if (sequential) inSequential++;
    try {
      original.call(this, args);
    } finally {
      if (sequential) inSequential--;
    }
    if (inSequential === 0) warnLogits(this, args?.loss);
  };
}

/** Wraps `compile` of tfjs's LayersModel and Sequential once, so compiling a logits model with a probability loss warns. */
export function installCompileCheck(): void {
  wrap(tf.LayersModel.prototype as unknown as Record<string | symbol, unknown>, false);
  wrap(tf.Sequential.prototype as unknown as Record<string | symbol, unknown>, true);
}
