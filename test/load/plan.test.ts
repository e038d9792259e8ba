/**
 * The match plan as pure data: structural matching of a hand-named tfjs copy, refusal of
 * ambiguous pairings, tfjs/Keras source names, "did you mean" suggestions, layout detection.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
import { loadWeights, planLoad, tfjsKeyCandidates } from "../../src/load";
import type { TensorInfo } from "../../src/checkpoint/types";
import { memoryCheckpoint, readCase, relativeError } from "./_fixtures";
import { tiny } from "./_tiny";

const info = (name: string, shape: number[]): TensorInfo => ({ name, shape, dtype: "float32", byteLength: 4 * shape.reduce((a, b) => a * b, 1) });

test("structural matching: a tfjs copy with default names (conv2d_N, batch_normalization_N, dense_N) loads by order and shape", async () => {
  await ready();
  const c = readCase("seed_head");
  const model = tiny(1000, "tfjs");
  const report = await loadWeights(model, memoryCheckpoint(c.tensors), { strict: true });
  assert.equal(report.coverage, 1, report.toString());
  assert.equal(report.loaded.length, 7);
  assert.ok(report.loaded.every((l) => l.structural));
  assert.match(report.summary(), /7 matched by structure/);
  const conv = report.loaded.find((l) => l.source === "conv1.weight")!;
  assert.match(conv.target, /^conv2d_\w+\/kernel$/);
  assert.equal(conv.transform, "transpose(2,3,1,0)");
  const [, f] = model.predict(tf.tensor(c.input.data, c.input.shape)) as tf.Tensor[];
  assert.ok(relativeError(f.dataSync(), c.features!.data) <= 1e-4);
  // match: "name" never pairs by structure.
  const byName = await loadWeights(tiny(1000, "tfjs"), memoryCheckpoint(c.tensors), { match: "name", dryRun: true });
  assert.equal(byName.loaded.length, 0);
  assert.equal(byName.missing.length, 7);
});

test("structural matching refuses groups whose counts differ instead of guessing", async () => {
  await ready();
  const model = tf.sequential({ layers: [tf.layers.dense({ name: "a", units: 4, inputShape: [4] }), tf.layers.dense({ name: "b", units: 4 })] });
  const entries = ["x", "y", "z"].flatMap((m) => [info(`${m}.weight`, [4, 4]), info(`${m}.bias`, [4])]);
  const plan = planLoad(model, { format: "torch-zip", entries });
  assert.equal(plan.loaded.length, 0);
  assert.equal(plan.missing.length, 4);
  assert.equal(plan.unexpected.length, 6);
  const w = plan.warnings.find((x) => x.code === "structural_ambiguous")!;
  assert.match(w.message, /refused 2 model layers \(a, b\) against 3 checkpoint modules \(x, y, z\).*rename/);
  // Equal counts pair in order.
  const two = planLoad(model, { format: "torch-zip", entries: entries.slice(0, 4) });
  assert.deepEqual(two.loaded.map((l) => [l.target, l.sources[0], l.structural]), [
    ["a/kernel", "x.weight", true], ["a/bias", "x.bias", true], ["b/kernel", "y.weight", true], ["b/bias", "y.bias", true],
  ]);
});

test("match: 'order' pairs by structure even when names would match", () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ name: "fc", units: 3, inputShape: [2] })] });
  const plan = planLoad(model, { format: "torch-zip", entries: [info("fc.weight", [3, 2]), info("fc.bias", [3])] }, { match: "order" });
  assert.ok(plan.loaded.length === 2 && plan.loaded.every((l) => l.structural));
});

test("tfjs and Keras names: conv2d_1/kernel, dense/kernel:0, h5 model_weights paths, Keras 3 vars, RNN cells", () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: "conv2d_1", filters: 2, kernelSize: 3, inputShape: [5, 5, 1] }),
      tf.layers.flatten({ name: "flatten" }),
      tf.layers.dense({ name: "dense", units: 3 }),
      tf.layers.reshape({ name: "reshape", targetShape: [3, 1] }),
      tf.layers.lstm({ name: "lstm", units: 2 }),
      tf.layers.dense({ name: "head", units: 1 }),
    ],
  });
  const entries = [
    info("conv2d_1/kernel", [3, 3, 1, 2]), info("conv2d_1/bias:0", [2]),
    info("model_weights/dense/dense/kernel:0", [18, 3]), info("model_weights/dense/dense/bias:0", [3]),
    info("lstm/lstm_cell/kernel:0", [1, 8]), info("lstm/lstm_cell/recurrent_kernel:0", [2, 8]), info("lstm/lstm_cell/bias:0", [8]),
    info("head/vars/0", [2, 1]), info("head/vars/1", [1]),
  ];
  for (const format of ["keras-h5", "safetensors"] as const) {
    const plan = planLoad(model, { format, entries });
    assert.equal(plan.layout, "tfjs", format);
    assert.equal(plan.loaded.length, 9, format);
    assert.ok(plan.loaded.every((l) => l.transform === "identity" && !l.structural));
    assert.equal(plan.loaded.find((l) => l.target === "dense/kernel")?.sources[0], "model_weights/dense/dense/kernel:0");
  }
  assert.deepEqual(tfjsKeyCandidates("lstm/lstm_cell/kernel:0"), ["lstm/lstm_cell/kernel", "lstm_cell/kernel", "lstm/kernel"]);
});

test("layout auto: safetensors with torch names converts, with tfjs names does not", () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ name: "fc", units: 3, inputShape: [2] })] });
  const torchy = planLoad(model, { format: "safetensors", entries: [info("fc.weight", [3, 2]), info("fc.bias", [3])] });
  assert.equal(torchy.layout, "torch");
  assert.equal(torchy.loaded[0].transform, "transpose(1,0)");
  const tfjsy = planLoad(model, { format: "safetensors", entries: [info("fc/kernel", [2, 3]), info("fc/bias", [3])] });
  assert.equal(tfjsy.layout, "tfjs");
  assert.equal(tfjsy.loaded[0].transform, "identity");
  const forced = planLoad(model, { format: "safetensors", entries: [info("fc/kernel", [2, 3])] }, { layout: "torch", match: "name" });
  assert.equal(forced.loaded.length, 0);
});

test("unexpected entries get a 'did you mean' by name and shape", () => {
  const model = tiny(10);
  const plan = planLoad(model, {
    format: "torch-zip",
    entries: [info("conv1.weight", [8, 3, 3, 3]), info("bn1.weight", [8]), info("bn1.bias", [8]), info("bn1.running_mean", [8]), info("bn_1.running_var", [8]), info("classifier.weight", [10, 8]), info("fc1.bias", [10])],
  }, { match: "name" });
  const s = Object.fromEntries(plan.unexpected.map((u) => [u.source, u.suggestion]));
  assert.equal(s["bn_1.running_var"], "bn1.running_var");
  assert.equal(s["fc1.bias"], "fc.bias");
  assert.equal(s["classifier.weight"], "fc.weight");
  assert.deepEqual(plan.missing.map((m) => m.target), ["bn1/moving_variance", "fc/kernel", "fc/bias"]);
  assert.deepEqual(plan.missing[1].expected, ["fc.weight"]);
});

test("planning stays fast on a large unrelated checkpoint (suggestions within a comparison budget)", () => {
  const model = tiny(10);
  const entries = Array.from({ length: 5000 }, (_, i) => info(`transformer.h.${i % 48}.mlp.c_fc${i}.weight`, [768, (i % 7) + 1]));
  const plan = planLoad(model, { format: "safetensors", entries });
  assert.equal(plan.unexpected.length, 5000);
  assert.equal(plan.loaded.length, 0);
  assert.equal(plan.missing.length, 7);
});
