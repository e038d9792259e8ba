import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as graft from "../../src/index";
import { tf } from "../../src/index";
import { photoFolder } from "./_photos";

const root = photoFolder({ perClass: 5, val: 3, size: 24, seed: 2 });
after(() => fs.rmSync(root, { recursive: true, force: true }));
const T = graft.data.transforms;
const transform = T.compose([T.resize(20), T.centerCrop(16), T.toTensor(), T.normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])]);

function logitsModel(seed = 3): tf.LayersModel {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 2 }) }),
  ] });
}

/** torch's CrossEntropyLoss and a numpy confusion matrix (np.add.at over (label, argmax)) of the same logits. */
function reference(logits: number[][], labels: number[]): { loss: number; confusion: number[][] } {
  const script = `
import json, sys, torch, numpy as np
d = json.load(sys.stdin)
l = torch.tensor(d["logits"]); y = torch.tensor(d["labels"])
m = np.zeros((l.shape[1], l.shape[1]), int)
np.add.at(m, (y.numpy(), l.argmax(1).numpy()), 1)
print(json.dumps(dict(loss=torch.nn.CrossEntropyLoss()(l, y).item(), confusion=m.tolist())))
`;
  return JSON.parse(execFileSync("/usr/bin/python3", ["-W", "ignore", "-c", script], { input: JSON.stringify({ logits, labels }), encoding: "utf8" }));
}

test("evaluate over a loader and over tensors: loss as torch's CrossEntropyLoss, confusion as numpy's, accuracy its diagonal", async () => {
  await graft.ready();
  const model = logitsModel();
  const folder = graft.data.imageFolder(path.join(root, "train"), { transform });
  const batches = graft.data.loader(folder, { batchSize: 4, workers: 2 });
  const xs: tf.Tensor[] = [], ys: number[] = [];
  for await (const b of batches) { xs.push(b.xs.clone()); ys.push(...b.ys.dataSync()); }
  const x = tf.concat(xs);
  const logits = (model.predict(x) as tf.Tensor).arraySync() as number[][];
  const ref = reference(logits, ys);

  for (const result of [
    await graft.evaluate(model, batches),
    await graft.evaluate(model, { x, y: tf.tensor1d(ys, "int32") }, { batchSize: 7 }),
    await graft.evaluate(model, [x, tf.oneHot(tf.tensor1d(ys, "int32"), 3)]),
  ]) {
    assert.equal(result.count, 15);
    assert.ok(Math.abs(result.loss - ref.loss) < 1e-4, `loss ${result.loss} vs torch ${ref.loss}`);
    assert.deepEqual(result.confusion, ref.confusion);
    const diag = ref.confusion.reduce((a, row, i) => a + row[i], 0);
    assert.equal(result.accuracy, diag / 15);
  }
  // A compiled model's own loss is used (here tfjs's categoricalCrossentropy on probabilities).
  const probs = tf.sequential({ layers: [...model.layers, tf.layers.softmax()] });
  probs.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
  const viaCompiled = await graft.evaluate(probs, batches);
  assert.ok(Math.abs(viaCompiled.loss - ref.loss) < 1e-4, `compiled categoricalCrossentropy on softmax: ${viaCompiled.loss} vs ${ref.loss}`);
  assert.deepEqual(viaCompiled.confusion, ref.confusion);
});

test("evaluate: a label beyond the model's classes and mismatched tensors are clear errors", async () => {
  const model = logitsModel();
  await assert.rejects(graft.evaluate(model, { x: tf.zeros([2, 16, 16, 3]), y: tf.tensor1d([0, 5], "int32") }), /label 5 .*3 outputs/);
  await assert.rejects(graft.evaluate(model, { x: tf.zeros([2, 16, 16, 3]), y: tf.tensor1d([0], "int32") }), /x has 2 samples but y has 1/);
  await assert.rejects(graft.evaluate(model, 42 as never), TypeError);
});

test("predict: a path, a readImage result and a tensor give the same top-k, probabilities = softmax of the logits", async () => {
  await graft.ready();
  const model = logitsModel(5);
  const folder = graft.data.imageFolder(path.join(root, "val"), { transform });
  const file = folder.samples[4][0];
  const fromPath = await graft.predict(model, file, { transform, classes: folder, topk: 2 });
  const decoded = await graft.data.readImage(file);
  const fromImage = await graft.predict(model, decoded, { transform, classes: folder.classes, topk: 2 });
  const tensor = transform(decoded) as tf.Tensor3D;
  const fromTensor = await graft.predict(model, tensor, { classes: folder.classes, topk: 3 });
  assert.equal(fromPath.length, 2);
  assert.deepEqual(fromImage, fromPath);
  assert.deepEqual(fromTensor.slice(0, 2), fromPath);
  const expected = tf.softmax(model.predict(tensor.expandDims(0)) as tf.Tensor).dataSync();
  for (const p of fromTensor) {
    assert.ok(Math.abs(p.probability - expected[p.index]) < 1e-6);
    assert.equal(p.label, folder.classes[p.index]);
  }
  assert.ok(fromTensor[0].probability >= fromTensor[1].probability && fromTensor[1].probability >= fromTensor[2].probability);
  assert.ok(Math.abs(fromTensor.reduce((a, p) => a + p.probability, 0) - 1) < 1e-5);
  assert.ok(!tensor.isDisposed, "the caller's tensor is left alone");
  const unnamed = await graft.predict(model, tensor.expandDims(0));
  assert.equal(unnamed.length, 3);
  assert.match(unnamed[0].label, /^[0-2]$/);
});

test("predict: missing transform, wrong size, wrong class count and a missing file are typed errors naming the fix", async () => {
  const model = logitsModel();
  const file = path.join(root, "val", "cat", "0000.jpg");
  await assert.rejects(graft.predict(model, file), (e: Error) => e instanceof TypeError && /needs a transform.*zoo\.resnet18\.transforms\(\)/.test(e.message));
  await assert.rejects(graft.predict(model, file, { transform: T.compose([T.resize(30), T.centerCrop(24), T.toTensor()]) }), /input is \[24,24,3\] but the model takes \[16,16,3\]/);
  await assert.rejects(graft.predict(model, file, { transform, classes: ["a", "b"] }), /2 class names for a model with 3 outputs/);
  await assert.rejects(graft.predict(model, path.join(root, "nope.jpg"), { transform }), /nope\.jpg/);
  await assert.rejects(graft.predict(model, file, { transform, top_k: 1 } as never), /unknown option top_k/);
});
