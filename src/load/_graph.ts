/** Private: walks a tfjs model graph backwards from a layer (for the Flatten → Dense permutation). */
import type * as tf from "@tensorflow/tfjs";

/** Layers that keep the element order of their input: walking through them changes nothing. */
const ORDER_PRESERVING = new Set(["Dropout", "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "GaussianNoise", "GaussianDropout", "AlphaDropout"]);

function inbound(layer: tf.layers.Layer): tf.layers.Layer | undefined {
  const nodes = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes;
  if (!nodes || nodes.length === 0) return undefined;
  const from = nodes[0].inboundLayers;
  return from.length === 1 ? from[0] : undefined;
}

/**
 * `[H, W, C]` when `dense`'s input is a Flatten (possibly through dropout/activations) of a
 * rank-4 map; torch's `torch.flatten(x, 1)` of the same map orders those features C·H·W.
 */
export function flattenedMap(dense: tf.layers.Layer): [number, number, number] | undefined {
  let layer = inbound(dense);
  while (layer && ORDER_PRESERVING.has(layer.getClassName())) layer = inbound(layer);
  if (!layer || layer.getClassName() !== "Flatten") return undefined;
  const node = (layer as unknown as { inboundNodes: { inputShapes: unknown }[] }).inboundNodes[0];
  const shapes = node?.inputShapes;
  const shape = Array.isArray(shapes) && Array.isArray(shapes[0]) ? shapes[0] : shapes;
  if (!Array.isArray(shape) || Array.isArray(shape[0]) || shape.length !== 4) return undefined;
  const [, h, w, c] = shape as number[];
  if (![h, w, c].every((n) => typeof n === "number" && n > 0)) return undefined;
  return [h, w, c];
}
