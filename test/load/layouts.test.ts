/**
 * Every row of the layout table against real torch numerics: a torch module (written by
 * test/fixtures/make_load_fixtures.py) and the equivalent tfjs model loaded through
 * loadWeights must give the same outputs for the same input (≤ 1e-4 relative).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
import { loadWeights, torchRule } from "../../src/load";
import { memoryCheckpoint, readCase, relativeError } from "./_fixtures";

/** Loads case `name` into `model` (checkpoint names prefixed with `prefix`) and compares outputs. */
async function check(name: string, model: tf.LayersModel, prefix: string, expectTransform?: RegExp): Promise<void> {
  await ready();
  const c = readCase(name);
  const ckpt = memoryCheckpoint(c.tensors, { rename: (n) => (n.includes(".") && /^\d/.test(n) ? n : prefix + n) });
  const report = await loadWeights(model, ckpt, { strict: true, match: "name" });
  assert.equal(report.coverage, 1, report.toString());
  if (expectTransform) assert.ok(report.loaded.some((l) => expectTransform.test(l.transform)), report.toString());
  const y = model.predict(tf.tensor(c.input.data, c.input.shape)) as tf.Tensor;
  assert.deepEqual(y.shape, c.output.shape);
  const err = relativeError(y.dataSync(), c.output.data);
  assert.ok(err <= 1e-4, `${name}: relative error ${err} > 1e-4`);
  y.dispose();
}

test("Conv2d OIHW → Conv2D HWIO matches torch", async () => {
  const model = tf.sequential({ layers: [tf.layers.conv2d({ name: "conv", filters: 4, kernelSize: 3, padding: "same", inputShape: [5, 5, 3] })] });
  await check("conv2d", model, "conv.", /^transpose\(2,3,1,0\)$/);
});

test("Conv1d OIW → Conv1D WIO matches torch", async () => {
  const model = tf.sequential({ layers: [tf.layers.conv1d({ name: "conv", filters: 4, kernelSize: 3, inputShape: [8, 3] })] });
  await check("conv1d", model, "conv.", /^transpose\(2,1,0\)$/);
});

test("Conv3d OIDHW → Conv3D DHWIO matches torch", async () => {
  const model = tf.sequential({ layers: [tf.layers.conv3d({ name: "conv", filters: 3, kernelSize: 3, inputShape: [4, 5, 5, 2] })] });
  await check("conv3d", model, "conv.", /^transpose\(2,3,4,1,0\)$/);
});

test("depthwise Conv2d (groups = C, multiplier 2) → DepthwiseConv2D matches torch", async () => {
  const model = tf.sequential({ layers: [tf.layers.depthwiseConv2d({ name: "dw", kernelSize: 3, depthMultiplier: 2, inputShape: [6, 6, 4] })] });
  await check("depthwise", model, "dw.", /transpose\(2,3,0,1\)/);
});

test("ConvTranspose2d (in,out,kh,kw) → Conv2DTranspose matches torch", async () => {
  const model = tf.sequential({ layers: [tf.layers.conv2dTranspose({ name: "up", filters: 4, kernelSize: 3, strides: 2, padding: "valid", inputShape: [4, 4, 3] })] });
  await check("conv_transpose", model, "up.");
});

test("Linear after Flatten of a conv map: the in axis is permuted C·H·W → H·W·C", async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: "0", filters: 3, kernelSize: 3, inputShape: [6, 6, 2] }),
      tf.layers.flatten({ name: "1" }),
      tf.layers.dense({ name: "2", units: 5 }),
    ],
  });
  await check("flatten_linear", model, "", /permute in C·H·W→H·W·C \(4×4×3 map\)/);
});

test("BatchNorm2d → BatchNormalization (eval mode) matches torch; num_batches_tracked is ignored", async () => {
  const model = tf.sequential({ layers: [tf.layers.batchNormalization({ name: "bn", epsilon: 1e-5, momentum: 0.9, inputShape: [3, 3, 4] })] });
  await check("batchnorm", model, "bn.");
  const c = readCase("batchnorm");
  const report = await loadWeights(model, memoryCheckpoint(c.tensors, { rename: (n) => "bn." + n }), { dryRun: true });
  assert.deepEqual(report.ignored.map((i) => i.source), ["bn.num_batches_tracked"]);
  assert.equal(report.unexpected.length, 0);
  assert.equal(report.warnings.length, 0, report.toString());
});

test("a BatchNormalization with tfjs's default epsilon gets a bn_epsilon warning", async () => {
  await ready();
  const c = readCase("batchnorm");
  const model = tf.sequential({ layers: [tf.layers.batchNormalization({ name: "bn", inputShape: [3, 3, 4] })] });
  const report = await loadWeights(model, memoryCheckpoint(c.tensors, { rename: (n) => "bn." + n }));
  const w = report.warnings.find((x) => x.code === "bn_epsilon");
  assert.ok(w, report.toString());
  assert.match(w.message, /bn \(0\.001\).*epsilon: 1e-5/);
});

test("LSTM: kernel = W_ihᵀ, recurrent = W_hhᵀ, bias = b_ih + b_hh matches torch", async () => {
  const model = tf.sequential({ layers: [tf.layers.lstm({ name: "lstm", units: 4, returnSequences: true, recurrentActivation: "sigmoid", inputShape: [5, 3] })] });
  await check("lstm", model, "lstm.", /bias_ih_l0 \+ bias_hh_l0/);
});

test("Embedding weight → embeddings matches torch", async () => {
  const model = tf.sequential({ layers: [tf.layers.embedding({ name: "emb", inputDim: 10, outputDim: 4, inputLength: 5 })] });
  await check("embedding", model, "emb.");
});

test("GRU: a tfjs GRU (reset before) is reported incompatible, never loaded", async () => {
  await ready();
  const c = readCase("gru");
  const model = tf.sequential({ layers: [tf.layers.gru({ name: "gru", units: 4, returnSequences: true, inputShape: [5, 3] })] });
  const before = model.getWeights().map((w) => w.dataSync().slice());
  const report = await loadWeights(model, memoryCheckpoint(c.tensors, { rename: (n) => "gru." + n }));
  assert.equal(report.loaded.length, 0);
  assert.equal(report.incompatible.length, 3);
  assert.match(report.incompatible[0].reason, /reset gate after/);
  assert.deepEqual(model.getWeights().map((w) => w.dataSync()), before);
  await assert.rejects(loadWeights(model, memoryCheckpoint(c.tensors, { rename: (n) => "gru." + n }), { strict: true }), /reset_after|reset gate/);
});

test("GRU gate reorder (r,z,n)→(z,r,n) and stacked biases reproduce torch in a reset-after cell", async () => {
  await ready();
  const c = readCase("gru");
  const get = (n: string) => {
    const t = c.tensors.find((x) => x.name === n)!;
    return tf.tensor(t.data, t.shape);
  };
  const ctx = (target: number[]) => ({ layer: undefined as unknown as tf.layers.Layer, target });
  const kernel = torchRule("GRU", "kernel")!.convert([get("weight_ih_l0")], ctx([3, 12]));
  const recurrent = torchRule("GRU", "recurrent_kernel")!.convert([get("weight_hh_l0")], ctx([4, 12]));
  const bias = torchRule("GRU", "bias")!.convert([get("bias_ih_l0"), get("bias_hh_l0")], ctx([2, 12]));
  assert.deepEqual(bias.shape, [2, 12]);
  // Keras's reset_after GRU cell, gate order z, r, h.
  const x = tf.tensor3d(c.input.data, c.input.shape as [number, number, number]);
  let h = tf.zeros([2, 4]) as tf.Tensor2D;
  const outs: tf.Tensor2D[] = [];
  const [bIn, bRec] = tf.unstack(bias);
  for (let t = 0; t < 5; t++) {
    const xt = x.slice([0, t, 0], [2, 1, 3]).reshape([2, 3]) as tf.Tensor2D;
    const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xt, kernel as tf.Tensor2D), bIn), 3, 1);
    const [hz, hr, hh] = tf.split(tf.add(tf.matMul(h, recurrent as tf.Tensor2D), bRec), 3, 1);
    const z = tf.sigmoid(tf.add(xz, hz));
    const r = tf.sigmoid(tf.add(xr, hr));
    const n = tf.tanh(tf.add(xh, tf.mul(r, hh)));
    h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), n)) as tf.Tensor2D;
    outs.push(h);
  }
  const y = tf.stack(outs, 1);
  const err = relativeError(y.dataSync(), c.output.data);
  assert.ok(err <= 1e-4, `relative error ${err}`);
});
