/** The tfjs twin of make_load_fixtures.py's `Tiny` (conv1 → bn1 → relu → mean → fc). */
import * as tf from "@tensorflow/tfjs";

const KERAS: Record<string, string> = { conv1: "conv2d", bn1: "batch_normalization", avgpool: "global_average_pooling2d", fc: "dense" };

/**
 * `names: "torch"` names layers after torch modules; `"keras"` as Keras would (conv2d,
 * batch_normalization, dense); `"tfjs"` leaves tfjs's defaults (conv2d_Conv2D1 …).
 */
export function tiny(classes: number, names: "torch" | "keras" | "tfjs" = "torch"): tf.LayersModel {
  const n = (torch: string) => (names === "torch" ? { name: torch } : names === "keras" ? { name: KERAS[torch] } : {});
  const input = tf.input({ shape: [6, 6, 3] });
  let x = tf.layers.conv2d({ ...n("conv1"), filters: 8, kernelSize: 3, padding: "same", useBias: false }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ ...n("bn1"), epsilon: 1e-5, momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  const features = tf.layers.globalAveragePooling2d({ ...n("avgpool") }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ ...n("fc"), units: classes }).apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [out, features] });
}
