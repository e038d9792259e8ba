/**
 * Finds where a model can be cut into a frozen prefix (run once, in inference mode) and a
 * trainable suffix (trained on the cached prefix outputs), and builds the suffix as its own
 * model over the same layer objects, so training it updates the original model's weights.
 */
import * as tf from "@tensorflow/tfjs";
import { GraftCacheError } from "./errors";

/** Layers whose output in training mode differs from inference mode without having weights. */
const STOCHASTIC = new Set(["Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "StochasticDepth"]);
/** graft's freeze marks a BatchNormalization it made run in inference mode with this key. */
const INFERENCE_BN = Symbol.for("graft.freeze.batchNormCall");

export interface Cut {
  /** Layers run once over the data (index order of `model.layers`, InputLayer excluded). */
  prefix: tf.layers.Layer[];
  /** Layers trained on the cached outputs, a chain. */
  suffix: tf.layers.Layer[];
  /** The prefix as a model from the original input to the cut. */
  features: tf.LayersModel;
  /** The suffix as a model from the cut to the original output. */
  head: tf.LayersModel;
}

const hasWeights = (l: tf.layers.Layer) => l.weights.length > 0;
const isFrozen = (l: tf.layers.Layer) => !l.trainable && hasWeights(l);
const isInput = (l: tf.layers.Layer) => l.getClassName() === "InputLayer";

function refuse(message: string, reason: GraftCacheError["reason"], layer?: string): never {
  throw new GraftCacheError(`Cannot cache frozen features: ${message}`, reason, layer);
}

/** A layer, or the layers inside it when it is a nested model. */
function leaves(layer: tf.layers.Layer): tf.layers.Layer[] {
  const inner = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
  return Array.isArray(inner) ? inner.flatMap(leaves) : [layer];
}

type Node = { inboundLayers: tf.layers.Layer[] };

/**
 * The layers feeding `layer` when the model was built: its first inbound node (heads built
 * by earlier cached fits apply the same layers again, adding later nodes).
 */
function inboundLayers(layer: tf.layers.Layer): tf.layers.Layer[] {
  return (layer as unknown as { inboundNodes: Node[] }).inboundNodes[0].inboundLayers;
}

/**
 * Splits `model` at the end of its frozen prefix, or returns undefined when nothing is frozen.
 * Weightless deterministic layers right after the last frozen one (pooling, flatten) join the
 * prefix, so less is cached and less is recomputed. `earlier` (a cut of the same model) is
 * returned as is when the prefix is unchanged, so repeated fits don't re-apply the head layers.
 */
export function findCut(model: tf.LayersModel, earlier?: Cut): Cut | undefined {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    refuse(`the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; only single-input, single-output models are supported`, "graph");
  }
  const layers = model.layers.filter((l) => !isInput(l));
  const lastFrozen = layers.map(isFrozen).lastIndexOf(true);
  if (lastFrozen < 0) return undefined;
  const firstTrainable = layers.findIndex((l) => l.trainable && hasWeights(l));
  if (firstTrainable >= 0 && firstTrainable < lastFrozen) {
    refuse(`the frozen layers are not a prefix of the model: "${layers[firstTrainable].name}" is trainable but comes before the frozen "${layers[lastFrozen].name}"; ` +
      `freeze everything up to the head (graft.freezeUpTo) or pass cacheFrozen: false`, "not-a-prefix", layers[firstTrainable].name);
  }
  let end = lastFrozen;
  while (end + 1 < layers.length && !hasWeights(layers[end + 1]) && !STOCHASTIC.has(layers[end + 1].getClassName())) end++;
  if (end === layers.length - 1) {
    refuse(`every layer of the model is frozen; there is nothing to train`, "not-a-prefix");
  }
  const prefix = layers.slice(0, end + 1);
  for (const l of prefix.flatMap(leaves)) {
    if (STOCHASTIC.has(l.getClassName())) {
      refuse(`"${l.name}" (${l.getClassName()}) sits inside the frozen prefix; tfjs runs it in training mode during fit, ` +
        `so cached (inference-mode) features would differ. Move it after the frozen layers or pass cacheFrozen: false`, "stochastic-layer", l.name);
    }
    if (l.getClassName() === "BatchNormalization" && !Object.prototype.hasOwnProperty.call(l, INFERENCE_BN)) {
      refuse(`BatchNormalization "${l.name}" is frozen with trainable = false only, so tfjs still normalises it with batch statistics ` +
        `during fit; freeze it with graft.freeze (frozen BatchNormalization runs in inference mode) or pass cacheFrozen: false`, "batchnorm-training", l.name);
    }
  }
  const cut = prefix[prefix.length - 1];
  const suffix = layers.slice(end + 1);
  let previous = cut;
  for (const l of suffix) {
    const from = inboundLayers(l);
    if (from.length !== 1 || from[0] !== previous) {
      refuse(`the trainable part after "${cut.name}" is not a chain: "${l.name}" takes [${from.map((f) => f.name).join(", ")}]; pass cacheFrozen: false`, "graph", l.name);
    }
    previous = l;
  }
  if (earlier && earlier.prefix.length === prefix.length && earlier.prefix.every((l, i) => l === prefix[i])) return earlier;
  const features = tf.model({ inputs: model.inputs, outputs: cut.output as tf.SymbolicTensor });
  const input = tf.input({ shape: (cut.outputShape as number[]).slice(1) });
  let t: tf.SymbolicTensor = input;
  for (const l of suffix) t = l.apply(t) as tf.SymbolicTensor;
  const head = tf.model({ inputs: input, outputs: t, name: `${model.name}_head` });
  return { prefix, suffix, features, head };
}
