/** The tfjs twin of make_load_fixtures.py's `Tiny` (conv1 → bn1 → relu → mean → fc). */
import * as tf from "@tensorflow/tfjs";

/** `names: "torch"` names layers after torch modules; `"tfjs"` leaves tfjs's defaults (conv2d_N …). */
export function tiny(classes: number, names: "torch" | "tfjs" = "torch"): tf.LayersModel {
  const n = (torch: string) => (names === "torch" ? { name: torch } : {});
  const input = tf.input({ shape: [6, 6, 3] });
  let x = tf.layers.conv2d({ ...n("conv1"), filters: 8, kernelSize: 3, padding: "same", useBias: false }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ ...n("bn1"), epsilon: 1e-5, momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  const features = tf.layers.globalAveragePooling2d({ ...n("avgpool") }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ ...n("fc"), units: classes }).apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [out, features] });
}
