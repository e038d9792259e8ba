import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ready, tf } from "../../src/engine/engine";
import { fit } from "../../src/train/fit";
import { GraftCacheError } from "../../src/train/errors";

/** A frozen conv backbone (conv, pool, conv, flatten) and a trainable head with Dropout. */
function makeModel(opts: { dropoutInBackbone?: boolean; trainableFirst?: boolean; batchNorm?: boolean } = {}): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, activation: "relu", }));
  if (opts.batchNorm) m.add(tf.layers.batchNormalization());
  if (opts.dropoutInBackbone) m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 6, kernelSize: 2, activation: "relu" }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 8, activation: "relu" }));
  m.add(tf.layers.dropout({ rate: 0.25 }));
  m.add(tf.layers.dense({ units: 3, activation: "softmax" }));
  const convs = m.layers.filter((l) => l.getClassName() === "Conv2D" || l.getClassName() === "BatchNormalization");
  convs.forEach((l) => { l.trainable = false; });
  if (opts.trainableFirst) m.layers[0].trainable = true;
  m.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return m;
}

/** Two models with the same weights. */
function twin(): [tf.LayersModel, tf.LayersModel] {
  const a = makeModel(), b = makeModel();
  b.setWeights(a.getWeights());
  return [a, b];
}

function data(n = 40) {
  const x = tf.randomUniform([n, 8, 8, 3], -1, 1, "float32", 11);
  const y = tf.oneHot(tf.randomUniform([n], 0, 3, "int32", 12) as tf.Tensor1D, 3);
  return { x, y };
}

async function weights(m: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(m.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

function assertClose(a: Float32Array[], b: Float32Array[], tol = 1e-5): void {
  assert.equal(a.length, b.length);
  a.forEach((w, i) => w.forEach((v, j) => assert.ok(Math.abs(v - b[i][j]) <= tol * Math.max(1, Math.abs(b[i][j])), `weight ${i}[${j}]: ${v} vs ${b[i][j]}`)));
}

test("cacheFrozen: same final weights and losses as the uncached fit, given the seed (shuffled, Dropout in the head)", async () => {
  await ready();
  const { x, y } = data();
  const [plain, cached] = twin();
  const kernel = (m: tf.LayersModel, i: number) => m.layers[i].getWeights()[0].dataSync().slice();
  const frozenBefore = kernel(cached, 0), headBefore = kernel(cached, cached.layers.length - 1);
  const h1 = await fit(plain, x, y, { epochs: 3, batchSize: 8, seed: 7, verbose: 0 });
  const h2 = await fit(cached, x, y, { epochs: 3, batchSize: 8, seed: 7, verbose: 0, cacheFrozen: true });
  assertClose(await weights(cached), await weights(plain));
  assert.ok(kernel(cached, 0).every((v, i) => v === frozenBefore[i]), "the frozen conv kernel did not change");
  assert.ok(kernel(cached, cached.layers.length - 1).some((v, i) => v !== headBefore[i]), "the head trained");
  (h1.history.loss as number[]).forEach((l, i) => assert.ok(Math.abs(l - (h2.history.loss[i] as number)) < 1e-5));
  assert.deepEqual(Object.keys(h2.history).sort(), Object.keys(h1.history).sort());
  tf.dispose([x, y]);
});

test("cacheFrozen past the memory budget: features go to a temp file, results equal (shuffle false), file removed", async () => {
  await ready();
  const { x, y } = data(20);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-fit-test-"));
  const [plain, cached] = twin();
  await fit(plain, x, y, { epochs: 2, batchSize: 6, shuffle: false, seed: 3, verbose: 0 });
  await fit(cached, x, y, { epochs: 2, batchSize: 6, shuffle: false, seed: 3, verbose: 0, cacheFrozen: { memoryBudgetBytes: 0, dir } });
  assertClose(await weights(cached), await weights(plain));
  assert.deepEqual(fs.readdirSync(dir), []);
  fs.rmSync(dir, { recursive: true });
  tf.dispose([x, y]);
});

test("a second cached fit reuses the head and continues from the trained weights", async () => {
  await ready();
  const { x, y } = data(16);
  const [plain, cached] = twin();
  for (let i = 0; i < 2; i++) {
    await fit(plain, x, y, { epochs: 1, batchSize: 8, seed: 5 + i, verbose: 0 });
    await fit(cached, x, y, { epochs: 1, batchSize: 8, seed: 5 + i, verbose: 0, cacheFrozen: true });
  }
  assertClose(await weights(cached), await weights(plain));
  tf.dispose([x, y]);
});

test("cacheFrozen refuses what would change the result, saying why", async () => {
  await ready();
  const { x, y } = data(8);
  const refuse = async (m: tf.LayersModel, xs: unknown, reason: string, text: RegExp) => {
    await assert.rejects(fit(m, xs as tf.Tensor, y, { epochs: 1, cacheFrozen: true, verbose: 0 }), (e: unknown) => {
      assert.ok(e instanceof GraftCacheError, String(e));
      assert.equal(e.reason, reason);
      assert.match(e.message, text);
      return true;
    });
  };
  await refuse(makeModel({ dropoutInBackbone: true }), x, "stochastic-layer", /"dropout\w*" \(Dropout\) sits inside the frozen prefix/);
  await refuse(makeModel({ trainableFirst: true }), x, "not-a-prefix", /not a prefix of the model: "conv2d\w*" is trainable but comes before the frozen "conv2d\w*"/);
  await refuse(makeModel({ batchNorm: true }), x, "batchnorm-training", /BatchNormalization "batch_normalization\w*" is frozen with trainable = false only/);
  await refuse(makeModel(), tf.data.array([1, 2]), "input-pipeline", /x is a tf\.data\.Dataset/);
  const backbone = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3 }), tf.layers.gaussianNoise({ stddev: 0.1 }), tf.layers.flatten()] });
  backbone.trainable = false;
  const nested = tf.sequential({ layers: [backbone, tf.layers.dense({ units: 3, activation: "softmax" })] });
  nested.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
  await refuse(nested, x, "stochastic-layer", /"gaussian_?noise\w*" \(GaussianNoise\) sits inside the frozen prefix/i);
  await refuse(makeModel(), () => x, "input-pipeline", /x is a generator function/);
  tf.dispose([x, y]);
});

test("a callback that unfreezes a backbone layer during a cached fit stops it with GraftCacheError", async () => {
  await ready();
  const { x, y } = data(16);
  const m = makeModel();
  const thaw = new tf.CustomCallback({ onEpochEnd: async (epoch) => { if (epoch === 0) m.layers[0].trainable = true; } });
  await assert.rejects(fit(m, x, y, { epochs: 3, batchSize: 8, cacheFrozen: true, verbose: 0, callbacks: [thaw] }),
    (e: unknown) => e instanceof GraftCacheError && e.reason === "unfrozen-during-fit" && /"conv2d\w*" was unfrozen during the fit/.test(e.message));
  tf.dispose([x, y]);
});

test("a cached fit takes plain hook records and callback objects in one list, calling each once per epoch", async () => {
  await ready();
  const [model] = twin();
  const { x, y } = data();
  const plainEpochs: number[] = [];
  const objectEpochs: number[] = [];
  class Recorder extends tf.Callback {
    override async onEpochEnd(epoch: number): Promise<void> { objectEpochs.push(epoch); }
  }
  await fit(model, x, y, {
    epochs: 2, batchSize: 10, seed: 1, cacheFrozen: true, verbose: 0,
    callbacks: [{ onEpochEnd: async (epoch: number) => { plainEpochs.push(epoch); } }, new Recorder()],
  });
  assert.deepEqual(plainEpochs, [0, 1]);
  assert.deepEqual(objectEpochs, [0, 1]);
});
