// These tests count calls of the tfjs backbone's layers; native inference (ONNX Runtime, tested in
// test/native and test/train/untaped_prefix.test.ts) would run the backbone without them.
process.env.GRAFT_NATIVE = "0";
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as graft from "../../src/index";
import { tf } from "../../src/index";
import { photoFolder } from "./_photos";

const root = photoFolder({ perClass: 8, val: 3, size: 24, seed: 1 });
after(() => fs.rmSync(root, { recursive: true, force: true }));
const T = graft.data.transforms;
const fixed = () => T.compose([T.resize(20), T.centerCrop(16), T.toTensor(), T.normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])]);
const augmented = () => T.compose([T.randomResizedCrop(16, { scale: [0.5, 1] }), T.randomHorizontalFlip(), T.toTensor(), T.normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])]);
const folder = (split: string, transform = fixed()) => graft.data.imageFolder(path.join(root, split), { transform });

/** conv backbone (frozen by graft.freeze) → global average pool → a linear head of 3 logits; counts backbone calls. */
function makeModel(seed = 1, loss: unknown = graft.losses.crossEntropy) {
  const input = tf.input({ shape: [16, 16, 3] });
  const conv = tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: "relu", name: "backbone.conv", kernelInitializer: tf.initializers.glorotUniform({ seed }) });
  const bn = tf.layers.batchNormalization({ name: "backbone.bn" });
  const x = tf.layers.globalAveragePooling2d({}).apply(bn.apply(conv.apply(input))) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, name: "fc", kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  graft.freeze(model, "backbone.*");
  model.compile({ optimizer: tf.train.adam(0.05), loss: loss as never, metrics: ["accuracy"] });
  const calls = { n: 0 };
  const call = conv.call.bind(conv);
  conv.call = (inputs, kwargs) => { calls.n++; return call(inputs, kwargs); };
  return { model, calls };
}

test("fit from a loader: crossEntropy gets int labels, categoricalCrossentropy one-hot; accuracy and validation from a loader", async () => {
  await graft.ready();
  const train = graft.data.loader(folder("train"), { batchSize: 8, shuffle: true, seed: 3, workers: 1 });
  const val = graft.data.loader(folder("val"), { batchSize: 4, workers: 0 });
  const { model } = makeModel();
  const h = await graft.fit(model, train, { epochs: 12, validationData: val });
  const loss = h.history.loss as number[];
  assert.equal(loss.length, 12);
  assert.ok(loss.at(-1)! < loss[0], `loss fell: ${loss[0]} → ${loss.at(-1)}`);
  const acc = h.history.acc as number[];
  assert.ok(acc.every((a) => a >= 0 && a <= 1), `accuracy in [0, 1]: ${acc}`);
  assert.ok(acc.at(-1)! > 0.6, `the colours are learnable: accuracy ${acc.at(-1)}`);
  assert.equal((h.history.val_loss as number[]).length, 12);

  const softmaxHead = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [16, 16, 3] }), tf.layers.dense({ units: 3, activation: "softmax" })] });
  softmaxHead.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const h2 = await graft.fit(softmaxHead, train, { epochs: 2 });
  assert.ok((h2.history.loss as number[]).every(Number.isFinite));
  const sparse = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [16, 16, 3] }), tf.layers.dense({ units: 3, activation: "softmax" })] });
  sparse.compile({ optimizer: tf.train.adam(0.01), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  const h3 = await graft.fit(sparse, train, { epochs: 1 });
  assert.ok(Number.isFinite((h3.history.loss as number[])[0]));
});

test("fit from a loader: labels beyond the model's classes, tensor-only options and missing compile are clear errors", async () => {
  const train = graft.data.loader(folder("train"), { batchSize: 8, workers: 0 });
  const two = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [16, 16, 3] }), tf.layers.dense({ units: 2 })] });
  two.compile({ optimizer: "sgd", loss: graft.losses.crossEntropy });
  await assert.rejects(graft.fit(two, train, { epochs: 1 }), (e: Error) => e instanceof RangeError && /label 2 .*has 2 outputs.*numClasses/.test(e.message));
  await assert.rejects(graft.fit(two, train, { epochs: 1, batchSize: 4 }), (e: Error) => e instanceof TypeError && /batchSize applies to tensors only/.test(e.message));
  const raw = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [16, 16, 3] }), tf.layers.dense({ units: 3 })] });
  await assert.rejects(graft.fit(raw, train, { epochs: 1 }), /compile a model before training/);
});

test("cacheFrozen with a random transform is refused, naming it", async () => {
  const { model, calls } = makeModel();
  const train = graft.data.loader(folder("train", augmented()), { batchSize: 8, workers: 0 });
  await assert.rejects(graft.fit(model, train, { epochs: 1, cacheFrozen: true }),
    (e: Error) => e instanceof graft.GraftCacheError && e.reason === "random-transform" && /randomResizedCrop.*randomHorizontalFlip.*cacheFrozen: false/s.test(e.message));
  assert.equal(calls.n, 0);
});

test("cacheFrozen from a loader: same result as uncached; the cache is reused by a later fit (backbone not run) until the backbone changes", async () => {
  await graft.ready();
  const train = graft.data.loader(folder("train"), { batchSize: 8, shuffle: true, seed: 5, workers: 2 });
  const val = graft.data.loader(folder("val"), { batchSize: 8, workers: 0 });
  const a = makeModel(), b = makeModel();
  // In dataset order both see the same batches (shuffled, the cached fit shuffles the cached features its own way).
  const ordered = train.withOptions({ shuffle: false });
  const plain = await graft.fit(a.model, ordered, { epochs: 3, seed: 9 });
  const cached = await graft.fit(b.model, ordered, { epochs: 3, seed: 9, cacheFrozen: true, validationData: val });
  (plain.history.loss as number[]).forEach((l, i) => assert.ok(Math.abs(l - (cached.history.loss as number[])[i]) < 1e-4, `epoch ${i}: ${l} vs ${(cached.history.loss as number[])[i]}`));
  assert.ok(Number.isFinite((cached.history.val_loss as number[])[2]));
  const afterFirst = b.calls.n;
  assert.ok(afterFirst > 0, "the first cached fit ran the backbone");

  const again = await graft.fit(b.model, train, { epochs: 2, cacheFrozen: true, validationData: val });
  assert.equal(b.calls.n, afterFirst, "the second fit did not run the backbone");
  assert.equal((again.history.loss as number[]).length, 2);

  // Same data through a new loader with other batching: still the same data, still cached.
  await graft.fit(b.model, train.withOptions({ batchSize: 4 }), { epochs: 1, cacheFrozen: true });
  assert.equal(b.calls.n, afterFirst);

  // A photo rewritten on disk is new data: recomputed once, then cached again.
  const photo = folder("train").samples[0][0];
  fs.writeFileSync(photo, fs.readFileSync(folder("train").samples[1][0]));
  await graft.fit(b.model, train, { epochs: 1, cacheFrozen: true });
  assert.ok(b.calls.n > afterFirst, "recomputed after a file changed");
  const rewritten = b.calls.n;
  await graft.fit(b.model, train, { epochs: 1, cacheFrozen: true });
  assert.equal(b.calls.n, rewritten);

  // Changing a frozen weight invalidates the cache.
  const conv = b.model.getLayer("backbone.conv");
  conv.setWeights(conv.getWeights().map((w) => w.mul(0.5)));
  await graft.fit(b.model, train, { epochs: 1, cacheFrozen: true });
  assert.ok(b.calls.n > rewritten, "recomputed after the backbone changed");
  const changed = b.calls.n;

  // Unfreezing the backbone: nothing frozen is left, a plain fit runs it every batch.
  graft.unfreeze(b.model, "backbone.*");
  b.model.compile({ optimizer: tf.train.adam(0.01), loss: graft.losses.crossEntropy });
  await graft.fit(b.model, train, { epochs: 1, cacheFrozen: true });
  assert.ok(b.calls.n > changed);
});

test("fit({ seed }) with a seeded zoo model and augmentation: two runs give identical losses and weights", async () => {
  await graft.ready();
  const run = async () => {
    const model = graft.zoo.resnet18({ numClasses: 3, inputShape: [16, 16, 3], seed: 4 });
    model.compile({ optimizer: tf.train.sgd(0.01), loss: graft.losses.crossEntropy({ labelSmoothing: 0.1 }), metrics: ["accuracy"] });
    const train = graft.data.loader(folder("train", augmented()), { batchSize: 12, shuffle: true, workers: 2 });
    const h = await graft.fit(model, train, { epochs: 2, seed: 11 });
    const fc = model.getLayer("fc").getWeights()[0].dataSync().slice();
    return { loss: h.history.loss as number[], fc };
  };
  const one = await run(), two = await run();
  assert.deepEqual(one.loss, two.loss);
  assert.deepEqual([...one.fc], [...two.fc]);
});

test("fit from a loader draws fresh random transforms every epoch (and the same inputs every epoch without them)", async () => {
  await graft.ready();
  const inputsPerEpoch = async (transform: graft.data.Transform) => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [16, 16, 3] }), tf.layers.dense({ units: 3 })] });
    model.compile({ optimizer: tf.train.sgd(0), loss: graft.losses.crossEntropy });
    const flatten = model.layers[0];
    const call = flatten.call.bind(flatten);
    const sums: number[] = [];
    flatten.call = (inputs, kwargs) => { sums.push(tf.sum(Array.isArray(inputs) ? inputs[0] : inputs).dataSync()[0]); return call(inputs, kwargs); };
    const train = graft.data.loader(folder("train", transform), { batchSize: 24, seed: 1, workers: 1 });
    await graft.fit(model, train, { epochs: 2 });
    return sums;
  };
  const random = await inputsPerEpoch(augmented());
  assert.equal(random.length, 2);
  assert.notEqual(random[0], random[1], "epoch 2 saw new crops and flips");
  const fixedSums = await inputsPerEpoch(fixed());
  assert.equal(fixedSums[0], fixedSums[1]);
});

test("graft.fit from tensors with crossEntropy takes int class labels as well as one-hot", async () => {
  await graft.ready();
  const make = () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })] });
    m.compile({ optimizer: tf.train.sgd(0.1), loss: graft.losses.crossEntropy, metrics: ["accuracy"] });
    return m;
  };
  const x = tf.randomNormal([30, 4], 0, 1, "float32", 3);
  const labels = tf.randomUniform([30], 0, 3, "int32", 4);
  const a = await graft.fit(make(), x, labels, { epochs: 3, batchSize: 10, seed: 1 });
  const b = await graft.fit(make(), x, tf.oneHot(labels as tf.Tensor1D, 3), { epochs: 3, batchSize: 10, seed: 1 });
  assert.deepEqual(a.history.loss, b.history.loss);
  assert.deepEqual(a.history.acc, b.history.acc);
  await assert.rejects(graft.fit(make(), x, tf.fill([30], 3, "int32"), { epochs: 1 }), /label 3 .*3 outputs/);
});
