import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { ready, tf } from "../../src/engine/engine";
import { loadWeights } from "../../src/load";
import { load } from "../../src/plot/load";

const CHECKPOINT = path.join(__dirname, "..", "..", "notebooks", "data", "fashion_cnn_0-4.pth");

function smallCnn(numClasses: number): tf.LayersModel {
  const input = tf.input({ shape: [28, 28, 1] });
  let x: tf.SymbolicTensor = input;
  const apply = (layer: tf.layers.Layer) => (x = layer.apply(x) as tf.SymbolicTensor);
  for (const [i, filters] of [[1, 16], [2, 32]]) {
    apply(tf.layers.conv2d({ name: `conv${i}`, filters, kernelSize: 3, padding: "same" }));
    apply(tf.layers.batchNormalization({ name: `bn${i}`, epsilon: 1e-5 }));
    apply(tf.layers.maxPooling2d({ name: `pool${i}`, poolSize: 2 }));
  }
  apply(tf.layers.flatten({ name: "flatten" }));
  apply(tf.layers.dense({ name: "fc1", units: 64, activation: "relu" }));
  apply(tf.layers.dense({ name: "extra", units: 8 }));
  apply(tf.layers.dense({ name: "fc", units: numClasses }));
  return tf.model({ inputs: input, outputs: x });
}

test("plot.load draws a real load report: loaded, mismatched and missing parameters per layer", async () => {
  await ready();
  const report = await loadWeights(smallCnn(10), CHECKPOINT);
  const fig = load(report);
  const [loaded, mismatched, missing] = fig.data as unknown as Array<{ x: number[]; y: string[]; name: string }>;
  assert.deepEqual(loaded.y, ["conv1", "bn1", "conv2", "bn2", "fc1", "fc", "extra"].filter((n) => loaded.y.includes(n)));
  const at = (trace: { x: number[]; y: string[] }, layer: string) => trace.x[trace.y.indexOf(layer)];
  assert.equal(at(loaded, "conv1"), 16 * 9 + 16);
  assert.equal(at(loaded, "bn1"), 4 * 16);
  assert.equal(at(mismatched, "fc"), 8 * 10 + 10);
  assert.equal(at(missing, "extra"), 64 * 8 + 8);
  assert.match(String((fig.layout.title as { text: string }).text), /parameters loaded from fashion_cnn_0-4\.pth/);
  assert.match(fig.toSVG(), /<svg/);
  assert.match(fig.summary, /fc: 90 mismatched, 0 missing/);
});
