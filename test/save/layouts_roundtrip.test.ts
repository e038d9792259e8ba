/**
 * Every row of the export table is the inverse of its load row: a model with one layer of each
 * kind, random weights, saved and loaded back by graft, comes back bit for bit; what cannot be
 * inverted is refused with the layer named and nothing written.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ready, tf } from "../../src/engine/engine";
import { loadWeights } from "../../src/load";
import { GraftSaveError, save, stateDict } from "../../src/save";

let dir = "";
before(async () => {
  await ready();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-save-rt-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function randomize(model: tf.LayersModel, seed: number): void {
  let s = seed;
  for (const l of model.layers) {
    l.setWeights(l.getWeights().map((w) => tf.randomNormal(w.shape, 0, 1, "float32", s++)));
  }
}

function bits(model: tf.LayersModel): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const l of model.layers) l.weights.forEach((w, i) => {
    const v = w.read().dataSync() as Float32Array;
    out.set(`${l.name}/${i}`, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  });
  return out;
}

function imageModel(): tf.LayersModel {
  const input = tf.input({ shape: [9, 11, 3] });
  let x = tf.layers.conv2d({ name: "conv", filters: 4, kernelSize: [3, 2], useBias: true }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ name: "dw", kernelSize: 3, depthMultiplier: 2, useBias: true }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2dTranspose({ name: "up", filters: 5, kernelSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: "bn", epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: "flat" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ name: "fc", units: 3 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: "image_model" });
}

function sequenceModel(): tf.LayersModel {
  const input = tf.input({ shape: [6] });
  let x = tf.layers.embedding({ name: "emb", inputDim: 20, outputDim: 8 }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv1d({ name: "c1", filters: 8, kernelSize: 3, padding: "same" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.layerNormalization({ name: "ln" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.lstm({ name: "lstm", units: 5, returnSequences: true }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.simpleRNN({ name: "rnn", units: 3 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: "sequence_model" });
}

for (const [label, build] of [["conv/depthwise/transpose/BN/flatten→dense", imageModel], ["embedding/conv1d/layernorm/LSTM/RNN", sequenceModel]] as const) {
  for (const ext of [".pth", ".safetensors"]) {
    test(`${label}: save${ext} → loadWeights gives the same bits`, async () => {
      const a = build();
      randomize(a, Math.floor(Math.random() * 1e6));
      const file = path.join(dir, `${a.name}${ext}`);
      await save(a, file);
      const b = build();
      const report = await loadWeights(b, file, { strict: true });
      assert.equal(report.coverage, 1);
      const x = bits(a), y = bits(b);
      for (const [k, v] of x) assert.ok(v.equals(y.get(k) as Buffer), `${k} differs after ${ext}`);
      assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp")).length, 0);
    });
  }
}

test("torch names and shapes: OIHW conv, (C·m,1,kh,kw) depthwise, (in,out,kh,kw) transpose, num_batches_tracked int64", () => {
  const sd = stateDict(imageModel());
  const shapes = Object.fromEntries(sd.map((e) => [e.name, e.shape]));
  assert.deepEqual(shapes["conv.weight"], [4, 3, 3, 2]);
  assert.deepEqual(shapes["dw.weight"], [8, 1, 3, 3]);
  assert.deepEqual(shapes["up.weight"], [8, 5, 2, 2]);
  assert.deepEqual(shapes["fc.weight"], [3, 10 * 16 * 5]);
  assert.deepEqual(shapes["bn.num_batches_tracked"], []);
  assert.equal(sd.find((e) => e.name === "bn.num_batches_tracked")?.dtype, "int64");
  // the inverse of the load rule, named as such: the Flatten map that is undone
  assert.match(sd.find((e) => e.name === "fc.weight")?.transform ?? "", /inverse of permute in C·H·W→H·W·C \(10×16×5 map\)/);
});

test("refusals name the layer and write nothing", async () => {
  const cases: [tf.LayersModel, RegExp][] = [
    [tf.sequential({ layers: [tf.layers.separableConv2d({ name: "sep", inputShape: [8, 8, 3], filters: 4, kernelSize: 3 })] }), /layer sep \(SeparableConv2D\) weight depthwise_kernel has no PyTorch layout/],
    [tf.sequential({ layers: [tf.layers.gru({ name: "g", inputShape: [4, 3], units: 2 })] }), /layer g \(GRU\): GRU with resetAfter: false/],
    [tf.sequential({ layers: [tf.layers.batchNormalization({ name: "b", inputShape: [4], scale: false })] }), /layer b \(BatchNormalization\): BatchNormalization with center: true, scale: false/],
  ];
  for (const [model, message] of cases) {
    const file = path.join(dir, "refused.pth");
    await assert.rejects(save(model, file), (e: unknown) => e instanceof GraftSaveError && message.test(e.message) && !!e.layer);
    assert.equal(fs.existsSync(file), false);
  }
  await assert.rejects(save(imageModel(), path.join(dir, "x.onnx")), /cannot tell the format of .*x\.onnx.*\.pth or \.safetensors/);
  await assert.rejects(save(imageModel(), path.join(dir, "x.pth"), { names: "keras" as never }), RangeError);
});

test("NaN, ±Inf, huge and denormal values survive save → load bit for bit; re-saving over a file replaces it", async () => {
  const model = imageModel();
  const special = [NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, -0, 0];
  model.layers.forEach((l) => l.setWeights(l.getWeights().map((w) => {
    const v = new Float32Array(w.size).map(() => Math.random() * 2 - 1);
    special.forEach((x, i) => { if (i < v.length) v[i] = x; });
    return tf.tensor(v, w.shape);
  })));
  for (const ext of [".pth", ".safetensors"]) {
    const file = path.join(dir, `special${ext}`);
    fs.writeFileSync(file, "an older file");
    await save(model, file);
    const back = imageModel();
    await loadWeights(back, file, { strict: true });
    const x = bits(model), y = bits(back);
    for (const [k, v] of x) assert.ok(v.equals(y.get(k) as Buffer), `${k} differs after ${ext}`);
  }
});

test("a path in a folder that does not exist is a GraftSaveError naming it, and leaves nothing behind", async () => {
  const file = path.join(dir, "no", "such", "folder", "m.pth");
  await assert.rejects(save(imageModel(), file), (e: unknown) => e instanceof GraftSaveError && e.message.includes(file) && /writing failed/.test(e.message));
  assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp")).length, 0);
});

test("names: 'tfjs' keeps tfjs names and layouts, and loads back by those names", async () => {
  const a = imageModel();
  randomize(a, 11);
  const file = path.join(dir, "tfjs-names.safetensors");
  const res = await save(a, file, { names: "tfjs" });
  assert.deepEqual(res.tensors.slice(0, 2).map((t) => [t.name, t.shape]), [["conv/kernel", [3, 2, 3, 4]], ["conv/bias", [4]]]);
  const b = imageModel();
  const report = await loadWeights(b, file, { strict: true });
  assert.equal(report.coverage, 1);
  const x = bits(a), y = bits(b);
  for (const [k, v] of x) assert.ok(v.equals(y.get(k) as Buffer), `${k} differs`);
});
