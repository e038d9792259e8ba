/**
 * graft.fit runs a frozen prefix off the gradient tape: the same training as tfjs's model.fit,
 * in a fraction of the tensor memory.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ready, tf } from "../../src/engine/engine";
import { fit } from "../../src/train/fit";
import { withSeed } from "../../src/train/_seeded_random";
import { freeze, UnfreezeSchedule } from "../../src/freeze";

interface Spec { sequential?: boolean; batchNorm?: boolean; regularizer?: boolean; dropoutInBackbone?: boolean }

/** A frozen conv backbone (conv, [BN], pool, conv, pool) and a trainable head with Dropout. */
function makeModel(spec: Spec = {}): tf.LayersModel {
  const backbone: tf.layers.Layer[] = [
    tf.layers.conv2d({ name: "conv1", filters: 8, kernelSize: 3, padding: "same", activation: "relu", kernelRegularizer: spec.regularizer ? tf.regularizers.l2({ l2: 0.05 }) : undefined }),
    ...(spec.batchNorm ? [tf.layers.batchNormalization({ name: "bn1" })] : []),
    ...(spec.dropoutInBackbone ? [tf.layers.dropout({ name: "drop0", rate: 0.3 })] : []),
    tf.layers.maxPooling2d({ name: "pool1", poolSize: 2 }),
    tf.layers.conv2d({ name: "conv2", filters: 8, kernelSize: 3, padding: "same", activation: "relu" }),
    tf.layers.globalAveragePooling2d({ name: "gap" }),
  ];
  const head = [tf.layers.dense({ name: "fc1", units: 8, activation: "relu" }), tf.layers.dropout({ name: "drop", rate: 0.25 }), tf.layers.dense({ name: "fc", units: 3, activation: "softmax" })];
  let m: tf.LayersModel;
  if (spec.sequential) {
    const s = tf.sequential();
    s.add(tf.layers.inputLayer({ inputShape: [16, 16, 3] }));
    [...backbone, ...head].forEach((l) => s.add(l));
    m = s;
  } else {
    const input = tf.input({ shape: [16, 16, 3], name: "images" });
    let t: tf.SymbolicTensor = input;
    for (const l of [...backbone, ...head]) t = l.apply(t) as tf.SymbolicTensor;
    m = tf.model({ inputs: input, outputs: t });
  }
  m.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  freeze(m, /^(conv|bn)/);
  return m;
}

function pair(spec: Spec = {}): [tf.LayersModel, tf.LayersModel] {
  const a = makeModel(spec), b = makeModel(spec);
  b.setWeights(a.getWeights());
  return [a, b];
}

function data(n = 24) {
  const x = tf.randomUniform([n, 16, 16, 3], -1, 1, "float32", 5);
  const y = tf.oneHot(tf.randomUniform([n], 0, 3, "int32", 6) as tf.Tensor1D, 3);
  return { x, y };
}

const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

function assertSameTraining(graft: tf.LayersModel, tfjs: tf.LayersModel, hg: tf.History, ht: tf.History): void {
  assert.deepEqual(Object.keys(hg.history).sort(), Object.keys(ht.history).sort());
  for (const key of Object.keys(ht.history)) {
    (ht.history[key] as number[]).forEach((v, i) => assert.ok(Math.abs(v - (hg.history[key][i] as number)) <= 1e-6 * Math.max(1, Math.abs(v)), `${key}[${i}]: ${hg.history[key][i]} vs ${v}`));
  }
  const a = values(graft), b = values(tfjs);
  a.forEach((w, i) => w.forEach((v, j) => assert.ok(Math.abs(v - b[i][j]) <= 1e-6 * Math.max(1, Math.abs(b[i][j])), `weight ${i}[${j}]: ${v} vs ${b[i][j]}`)));
}

for (const spec of [{}, { sequential: true }, { batchNorm: true }, { regularizer: true }, { dropoutInBackbone: true }] as Spec[]) {
  test(`graft.fit trains like tfjs's model.fit (${JSON.stringify(spec)}): shuffled, Dropout, validationSplit`, async () => {
    await ready();
    const { x, y } = data();
    const [viaGraft, viaTfjs] = pair(spec);
    const frozenBefore = viaGraft.getLayer("conv1").getWeights()[0].dataSync().slice();
    const args = { epochs: 3, batchSize: 5, validationSplit: 0.25, verbose: 0 as const };
    const hg = await fit(viaGraft, x, y, { ...args, seed: 3 });
    const ht = await withSeed(3, () => viaTfjs.fit(x, y, args));
    assertSameTraining(viaGraft, viaTfjs, hg, ht);
    assert.deepEqual(viaGraft.getLayer("conv1").getWeights()[0].dataSync(), frozenBefore, "the frozen kernel did not move");
    assert.equal(viaGraft.history === hg, viaTfjs.history === ht, "model.history is set as model.fit sets it");
    tf.dispose([x, y]);
  });
}

test("the frozen prefix's activations are not kept for the gradient: peak tensor bytes of a step far below model.fit's", async () => {
  await ready();
  const x = tf.randomUniform([64, 16, 16, 3], -1, 1, "float32", 1);
  const y = tf.oneHot(tf.randomUniform([64], 0, 3, "int32", 2) as tf.Tensor1D, 3);
  const [viaGraft, viaTfjs] = pair();
  const args = { epochs: 1, batchSize: 64, verbose: 0 as const, shuffle: false };
  const pg = (await tf.profile(async () => { await fit(viaGraft, x, y, args); })).peakBytes;
  const pt = (await tf.profile(async () => { await viaTfjs.fit(x, y, args); })).peakBytes;
  // conv1's output alone is 64·16·16·8·4 bytes = 512 KiB; tfjs keeps it, conv2's and the pools' for backprop.
  assert.ok(pg < 0.6 * pt, `peak ${pg} bytes with graft.fit vs ${pt} with model.fit`);
  tf.dispose([x, y]);
});

test("unfreezing a prefix layer during graft.fit trains it from that epoch, as model.fit does", async () => {
  await ready();
  const { x, y } = data();
  const [viaGraft, viaTfjs] = pair();
  const args = (m: tf.LayersModel) => ({ epochs: 3, batchSize: 6, verbose: 0 as const, callbacks: [new UnfreezeSchedule(m, { 1: "conv2" })] });
  const before = viaGraft.getLayer("conv2").getWeights()[0].dataSync().slice();
  const hg = await fit(viaGraft, x, y, { ...args(viaGraft), seed: 9 });
  const ht = await withSeed(9, () => viaTfjs.fit(x, y, args(viaTfjs)));
  assertSameTraining(viaGraft, viaTfjs, hg, ht);
  assert.notDeepEqual(viaGraft.getLayer("conv2").getWeights()[0].dataSync(), before, "conv2 trained after it was unfrozen");
  tf.dispose([x, y]);
});

test("stopping from a callback (model.stopTraining, as the kernel's interrupt does) stops graft.fit", async () => {
  await ready();
  const { x, y } = data();
  const [model] = pair();
  const h = await fit(model, x, y, { epochs: 5, batchSize: 6, verbose: 0, callbacks: { onEpochEnd: async (epoch) => { if (epoch === 1) model.stopTraining = true; } } });
  assert.equal(h.epoch.length, 2);
  assert.equal(model.isTraining, false);
  const again = await fit(model, x, y, { epochs: 2, batchSize: 6, verbose: 0 });
  assert.equal(again.epoch.length, 2, "a later fit runs in full");
  tf.dispose([x, y]);
});

test("a recompiled model trains with its new optimizer and loss on the next graft.fit", async () => {
  await ready();
  const { x, y } = data();
  const [viaGraft, viaTfjs] = pair();
  await fit(viaGraft, x, y, { epochs: 1, batchSize: 6, seed: 1, verbose: 0 });
  await withSeed(1, () => viaTfjs.fit(x, y, { epochs: 1, batchSize: 6, verbose: 0 }));
  for (const m of [viaGraft, viaTfjs]) m.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
  const hg = await fit(viaGraft, x, y, { epochs: 2, batchSize: 6, seed: 2, verbose: 0 });
  const ht = await withSeed(2, () => viaTfjs.fit(x, y, { epochs: 2, batchSize: 6, verbose: 0 }));
  assertSameTraining(viaGraft, viaTfjs, hg, ht);
  tf.dispose([x, y]);
});
