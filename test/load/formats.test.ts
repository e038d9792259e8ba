/**
 * Other sources through graft's own readers: safetensors with torch names (float32 and
 * float16), Keras 2 weights-only h5 (layer_names / weight_names) and Keras 3 .weights.h5
 * (layers/<name>/vars/<i>) — all the same torch-written values, so every load must reproduce
 * torch's features.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
import { loadWeights } from "../../src/load";
import { fixturePath, readCase, relativeError } from "./_fixtures";
import { tiny } from "./_tiny";

function features(model: tf.LayersModel, c: ReturnType<typeof readCase>): Float32Array {
  const [, f] = model.predict(tf.tensor(c.input.data, c.input.shape)) as tf.Tensor[];
  return f.dataSync() as Float32Array;
}

test("safetensors with torch names: layout auto converts like a .pth; float16 goes through the general path", async () => {
  await ready();
  const c = readCase("seed_head");
  for (const [file, tolerance] of [["seed_head.safetensors", 1e-4], ["seed_head_f16.safetensors", 5e-3]] as const) {
    const model = tiny(1000);
    const report = await loadWeights(model, fixturePath(file), { strict: true });
    assert.equal(report.format, "safetensors");
    assert.equal(report.layout, "torch");
    assert.equal(report.coverage, 1);
    const cast = file.includes("f16") ? "cast(float16→float32), " : "";
    assert.equal(report.loaded.find((l) => l.source === "conv1.weight")?.transform, `${cast}transpose(2,3,1,0)`);
    const err = relativeError(features(model, c), c.features!.data);
    assert.ok(err <= tolerance, `${file}: relative error ${err}`);
  }
});

test("Keras 2 h5 (dense/kernel:0 names) and Keras 3 .weights.h5 (layers/dense/vars/0) load by name, as is", async () => {
  await ready();
  const c = readCase("seed_head");
  for (const [file, format] of [["tiny_keras2.h5", "keras-h5"], ["tiny.weights.h5", "keras-v3"]] as const) {
    const model = tiny(1000, "keras");
    const report = await loadWeights(model, fixturePath(file), { strict: true });
    assert.equal(report.format, format);
    assert.equal(report.layout, "tfjs");
    assert.equal(report.coverage, 1, report.toString());
    assert.ok(report.loaded.every((l) => l.transform === "identity" && !l.structural), report.toString());
    assert.ok(relativeError(features(model, c), c.features!.data) <= 1e-4, file);
  }
});

test("Keras weights onto differently named tfjs layers pair by structure", async () => {
  await ready();
  const c = readCase("seed_head");
  const model = tiny(1000, "torch");
  const report = await loadWeights(model, fixturePath("tiny_keras2.h5"), { strict: true });
  assert.equal(report.coverage, 1, report.toString());
  assert.ok(report.loaded.every((l) => l.structural));
  assert.ok(relativeError(features(model, c), c.features!.data) <= 1e-4);
});

test("tfjs model.json saved by tfjs itself loads back by name into a fresh copy", async () => {
  await ready();
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-load-tfjs-"));
  try {
    const source = tiny(10, "keras");
    await source.save(`file://${dir}`);
    const target = tiny(10, "keras");
    const report = await loadWeights(target, path.join(dir, "model.json"), { strict: true });
    assert.equal(report.format, "tfjs");
    assert.equal(report.coverage, 1, report.toString());
    const a = source.getWeights().map((w) => Array.from(w.dataSync()));
    const b = target.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(b, a);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a nested backbone model receives backbone.-prefixed torch names", async () => {
  await ready();
  const c = readCase("seed_head");
  const inner = tiny(1000);
  const input = tf.input({ shape: [6, 6, 3] });
  const [logits] = inner.apply(input) as tf.SymbolicTensor[];
  const outer = tf.model({ inputs: input, outputs: tf.layers.dense({ name: "head", units: 3 }).apply(logits) as tf.SymbolicTensor });
  const report = await loadWeights(outer, (await import("./_fixtures")).memoryCheckpoint(c.tensors, { rename: (n) => `backbone.${n}` }));
  assert.equal(report.prefix?.stripped, "backbone.");
  assert.equal(report.loaded.length, 7);
  assert.deepEqual(report.missing.map((m) => m.target), ["head/kernel", "head/bias"]);
  assert.ok(relativeError(features(inner, c), c.features!.data) <= 1e-4);
});
