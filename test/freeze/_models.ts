/** Small models for freeze tests: a CNN with BatchNorm, and the same with a nested backbone. */
import * as tf from "@tensorflow/tfjs";

/** conv1 → bn1 → relu → conv2 → bn2 → relu → gap → fc, torch-style names. 8×8×3 input. */
export function smallCnn(classes = 3): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: "input" });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same", useBias: false, name: "conv1" }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: "bn1", momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: "relu" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: "same", name: "layer1.0.conv1" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: "layer1.0.bn1", momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: "layer1.0.relu" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: "same", name: "layer2.0.conv1" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: "layer2.0.bn1", momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: "avgpool" }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: classes, activation: "softmax", name: "fc" }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: "small_cnn" });
}

/** A functional backbone (conv1, bn1, layer1.0.conv1, layer1.0.bn1) used as a layer in a Sequential with a head. */
export function nestedCnn(classes = 3): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same", name: "conv1" }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: "bn1" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same", name: "layer1.0.conv1" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: "layer1.0.bn1" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: "avgpool" }).apply(x) as tf.SymbolicTensor;
  const backbone = tf.model({ inputs: input, outputs: x, name: "backbone" });
  return tf.sequential({
    name: "nested",
    layers: [backbone, tf.layers.dense({ units: 8, activation: "relu", name: "head.0" }), tf.layers.dense({ units: classes, activation: "softmax", name: "head.1" })],
  });
}

/** Deterministic data: n images 8×8×3 and one-hot labels. */
export function data(n = 16, classes = 3): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const x = tf.tidy(() => tf.sin(tf.range(0, n * 8 * 8 * 3).reshape([n, 8, 8, 3]).mul(0.37)).mul(2).add(0.5) as tf.Tensor4D);
  const y = tf.tidy(() => tf.oneHot(tf.range(0, n, 1, "int32").mod(classes).toInt() as tf.Tensor1D, classes).toFloat() as tf.Tensor2D);
  return { x, y };
}

/** Bytes of every weight, by layer path and weight name (`conv1/kernel`). */
export function weightBytes(model: tf.LayersModel): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const visit = (layers: tf.layers.Layer[], prefix: string) => {
    for (const l of layers) {
      const inner = (l as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (Array.isArray(inner)) { visit(inner, prefix + l.name + "/"); continue; }
      for (const w of l.weights) {
        const d = w.read().dataSync();
        out.set(prefix + l.name + "/" + w.originalName.split("/").pop(), new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice());
      }
    }
  };
  visit(model.layers, "");
  return out;
}

/** Names of weights whose bytes differ between two snapshots. */
export function changed(a: Map<string, Uint8Array>, b: Map<string, Uint8Array>): string[] {
  return [...a.keys()].filter((k) => {
    const x = a.get(k)!;
    const y = b.get(k)!;
    return x.length !== y.length || x.some((v, i) => v !== y[i]);
  });
}
