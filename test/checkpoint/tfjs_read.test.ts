import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, appendFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as tf from "@tensorflow/tfjs";
import { open, GraftFormatError } from "../../src/checkpoint";
import { openTfjs } from "../../src/checkpoint/tfjs";
import { ready } from "../../src/engine/engine";

const tmp = mkdtempSync(join(tmpdir(), "graft-tfjs-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

function model(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, name: "conv1" }));
  m.add(tf.layers.batchNormalization({ name: "bn1" }));
  m.add(tf.layers.flatten({ name: "flat" }));
  m.add(tf.layers.dense({ units: 5, name: "fc" }));
  return m;
}

/** tfjs's own decoder: the reference for every value graft reads. */
function reference(specs: tf.io.WeightsManifestEntry[], data: Uint8Array): Record<string, tf.Tensor> {
  return tf.io.decodeWeights(Uint8Array.from(data).buffer, specs);
}

function bytesOf(t: tf.Tensor): Buffer {
  const v = t.dataSync();
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

async function assertMatches(path: string, specs: tf.io.WeightsManifestEntry[], data: Uint8Array): Promise<void> {
  const ref = reference(specs, data);
  const ck = await open(path);
  assert.equal(ck.format, "tfjs");
  assert.deepEqual(ck.entries.map((e) => e.name), specs.map((s) => s.name));
  for (const s of specs) {
    const t = await ck.read(s.name);
    assert.deepEqual(t.shape, s.shape, s.name);
    assert.equal(t.dtype, ref[s.name].dtype, s.name);
    assert.ok(bytesOf(t).equals(bytesOf(ref[s.name])), `${s.name}: values differ from tf.io.decodeWeights`);
    t.dispose();
  }
  await ck.close();
}

test("tfjs: a model saved by real tfjs (file:// handler) reads back with tfjs's own values and its metadata", async () => {
  await ready();
  const m = model();
  await m.save(`file://${join(tmp, "saved")}`);
  const json = JSON.parse(readFileSync(join(tmp, "saved", "model.json"), "utf8")) as tf.io.ModelJSON;
  const specs = json.weightsManifest[0].weights;
  await assertMatches(join(tmp, "saved", "model.json"), specs, readFileSync(join(tmp, "saved", "weights.bin")));
  const ck = await openTfjs(join(tmp, "saved", "model.json"), {});
  assert.deepEqual(ck.metadata.layerNames, ["conv1", "bn1", "flat", "fc"]);
  assert.equal(ck.metadata.format, "layers-model");
  assert.match(String(ck.metadata.generatedBy), /TensorFlow\.js/);
  // Same bits as the model's own variables.
  for (const [i, w] of m.weights.entries()) {
    const t = await ck.read(specs[i].name);
    assert.ok(bytesOf(t).equals(bytesOf(w.read())), w.originalName);
  }
  await ck.close();
});

test("tfjs: weights spanning shard boundaries and several groups are stitched in order", async () => {
  await ready();
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model().save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  const specs = artifacts!.weightSpecs!;
  const data = new Uint8Array(artifacts!.weightData as ArrayBuffer);
  const dir = join(tmp, "sharded");
  mkdirSync(dir);
  // Group 1: the first two weights cut into three shards at odd places; group 2: the rest in one.
  const g1Bytes = specs.slice(0, 2).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  const cuts = [0, 7, 301, g1Bytes];
  const g1 = cuts.slice(1).map((end, i) => {
    writeFileSync(join(dir, `group1-shard${i + 1}of3.bin`), data.subarray(cuts[i], end));
    return `group1-shard${i + 1}of3.bin`;
  });
  writeFileSync(join(dir, "group2-shard1of1.bin"), data.subarray(g1Bytes));
  const manifest = [{ paths: g1, weights: specs.slice(0, 2) }, { paths: ["group2-shard1of1.bin"], weights: specs.slice(2) }];
  writeFileSync(join(dir, "model.json"), JSON.stringify({ format: "layers-model", modelTopology: artifacts!.modelTopology, weightsManifest: manifest }));
  await assertMatches(join(dir, "model.json"), specs, data);
});

test("tfjs: uint8/uint16/float16-quantized weights dequantize as q * scale + min (and as tfjs decodes them)", async () => {
  await ready();
  const specs: tf.io.WeightsManifestEntry[] = [
    { name: "dense/kernel", shape: [4, 5], dtype: "float32", quantization: { dtype: "uint8", scale: 0.0123, min: -1.5 } },
    { name: "dense/bias", shape: [3], dtype: "float32", quantization: { dtype: "uint16", scale: 3.1e-5, min: -0.75 } },
    { name: "half", shape: [2, 3], dtype: "float32", quantization: { dtype: "float16" } },
    { name: "ids", shape: [4], dtype: "int32", quantization: { dtype: "uint8", scale: 0.5, min: -3 } },
    { name: "plain", shape: [2], dtype: "float32" },
  ];
  const q8 = Uint8Array.from({ length: 20 }, (_, i) => (i * 37) % 256);
  const q16 = new Uint16Array([0, 1234, 65535]);
  const half = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x3555]); // 1, -2, 65504, 2^-24, -0, 0.333
  const ids = new Uint8Array([0, 1, 2, 7]);
  const plain = new Float32Array([Math.PI, -0]);
  const parts = [q8, new Uint8Array(q16.buffer), new Uint8Array(half.buffer), ids, new Uint8Array(plain.buffer)];
  const data = Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  const dir = join(tmp, "quant");
  mkdirSync(dir);
  writeFileSync(join(dir, "group1-shard1of1.bin"), data);
  writeFileSync(join(dir, "model.json"), JSON.stringify({ format: "graph-model", convertedBy: "TensorFlow.js Converter v4.22.0", weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights: specs }] }));
  await assertMatches(join(dir, "model.json"), specs, data);
  const ck = await openTfjs(join(dir, "model.json"), {});
  assert.deepEqual(Array.from((await ck.readRaw("dense/kernel")).data as ArrayLike<number>), Array.from(q8, (q) => Math.fround(q * 0.0123 - 1.5)));
  assert.deepEqual(Array.from((await ck.readRaw("dense/bias")).data as ArrayLike<number>), Array.from(q16, (q) => Math.fround(q * 3.1e-5 - 0.75)));
  assert.deepEqual(Array.from((await ck.readRaw("half")).data as ArrayLike<number>), [1, -2, 65504, 2 ** -24, -0, Math.fround(0.333251953125)]);
  assert.deepEqual(Array.from((await ck.readRaw("ids")).data as ArrayLike<number>), [-3, -2, -2, 1]); // Math.round(-2.5) = -2, as tfjs
  assert.deepEqual(ck.entries.map((e) => e.byteLength), [20, 6, 12, 4, 8]);
  assert.deepEqual(ck.metadata.quantization, { "dense/kernel": specs[0].quantization, "dense/bias": specs[1].quantization, half: { dtype: "float16" }, ids: specs[3].quantization });
  assert.equal(ck.metadata.convertedBy, "TensorFlow.js Converter v4.22.0");
  await ck.close();
});

const isFormatError = (re: RegExp, entry?: string) => (e: unknown): boolean => {
  assert.ok(e instanceof GraftFormatError, `expected GraftFormatError, got ${String(e)}`);
  assert.match(e.message, re);
  if (entry !== undefined) assert.equal(e.entry, entry);
  return true;
};

function writeModel(name: string, weights: unknown[], shards: Record<string, number>, paths = Object.keys(shards)): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [p, size] of Object.entries(shards)) writeFileSync(join(dir, p), Buffer.alloc(size));
  writeFileSync(join(dir, "model.json"), JSON.stringify({ weightsManifest: [{ paths, weights }] }));
  return join(dir, "model.json");
}

test("tfjs bad input: missing shard, shard size mismatch, unsupported dtype, bad quantization, duplicates, escaping paths", async () => {
  const w = { name: "k", shape: [2, 3], dtype: "float32" };
  await assert.rejects(openTfjs(writeModel("missing", [w], {}, ["w.bin"]), {}), isFormatError(/weight shard w\.bin is missing/, "w.bin"));
  const short = writeModel("short", [w], { "w.bin": 24 });
  truncateSync(join(tmp, "short", "w.bin"), 23);
  await assert.rejects(openTfjs(short, {}), isFormatError(/holds 23 bytes but its 1 weights need 24; a shard is truncated/));
  const long = writeModel("long", [w], { "w.bin": 24 });
  appendFileSync(join(tmp, "long", "w.bin"), Buffer.alloc(1));
  await assert.rejects(openTfjs(long, {}), isFormatError(/holds 25 bytes .* longer than the manifest says/));
  await assert.rejects(openTfjs(writeModel("str", [{ ...w, dtype: "string" }], { "w.bin": 24 }), {}), isFormatError(/dtype "string" is not supported/, "k"));
  await assert.rejects(openTfjs(writeModel("q", [{ ...w, quantization: { dtype: "int4" } }], { "w.bin": 6 }), {}), isFormatError(/quantization dtype "int4" is unknown/, "k"));
  await assert.rejects(openTfjs(writeModel("qs", [{ ...w, quantization: { dtype: "uint8", min: 0 } }], { "w.bin": 6 }), {}), isFormatError(/needs finite numbers scale and min/, "k"));
  await assert.rejects(openTfjs(writeModel("dup", [w, w], { "w.bin": 48 }), {}), isFormatError(/appears twice/, "k"));
  await assert.rejects(openTfjs(writeModel("shape", [{ ...w, shape: [2, -3] }], { "w.bin": 24 }), {}), isFormatError(/non-negative integers/, "k"));
  await assert.rejects(openTfjs(writeModel("esc", [w], {}, ["../../w.bin"]), {}), isFormatError(/leaves the model\.json folder/));
  const noManifest = join(tmp, "none.json");
  writeFileSync(noManifest, JSON.stringify({ modelTopology: {} }));
  await assert.rejects(openTfjs(noManifest, {}), isFormatError(/needs a "weightsManifest" array/));
});

test("tfjs: a shard truncated after opening fails the read with a GraftFormatError naming the shard", async () => {
  const path = writeModel("late", [{ name: "k", shape: [6], dtype: "float32" }], { "w.bin": 24 });
  const ck = await openTfjs(path, {});
  unlinkSync(join(tmp, "late", "w.bin"));
  writeFileSync(join(tmp, "late", "w.bin"), Buffer.alloc(10));
  await assert.rejects(ck.readRaw("k"), isFormatError(/weight shard w\.bin changed since it was opened/, "k"));
  await ck.close();
});
