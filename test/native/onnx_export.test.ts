/**
 * graft's native inference: tfjs models exported to ONNX and run on ONNX Runtime compute what
 * tfjs's model.predict computes, layer kind by layer kind and for the zoo's architectures; what
 * isn't translated falls back to tfjs, saying why.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { ready, tf } from "../../src/engine/engine";
import { nativeForward, nativeReason, nativeRuntime, toOnnx } from "../../src/native";
import { infer } from "../../src/train/infer";
import * as zoo from "../../src/zoo";

/** Largest |a − b| over the scale of b (NaN where b is NaN must be NaN in a too). */
function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  const x = a.dataSync(), y = b.dataSync();
  let worst = 0, scale = 1e-12;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i]) || !Number.isFinite(y[i])) {
      assert.ok(Object.is(x[i], y[i]) || (Number.isNaN(x[i]) && Number.isNaN(y[i])), `item ${i}: ${x[i]} vs ${y[i]}`);
      continue;
    }
    worst = Math.max(worst, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return worst / scale;
}

function assertNativeMatches(model: tf.LayersModel, x: tf.Tensor, tol = 1e-5): void {
  const native = nativeForward(model);
  assert.ok(native, `runs natively: ${nativeReason(model)}`);
  const got = native(x), want = model.predict(x) as tf.Tensor;
  const err = relativeError(got, want);
  assert.ok(err <= tol, `relative error ${err} > ${tol}`);
  tf.dispose([got, want]);
}

/** A functional model from `input` through `build`. */
function functional(shape: number[], build: (x: tf.SymbolicTensor) => tf.SymbolicTensor): tf.LayersModel {
  const input = tf.input({ shape });
  return tf.model({ inputs: input, outputs: build(input) });
}

const apply = (l: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => l.apply(x) as tf.SymbolicTensor;

test("the runtime is there (onnxruntime-node is an optional dependency that npm ci installs here)", () => {
  const info = nativeRuntime();
  assert.equal(info.available, true, info.reason);
  assert.match(info.reason, /ONNX Runtime \d+\.\d+/);
});

test("convolutions: same/valid padding at odd and even sizes, strides, dilation, bias, every activation", async () => {
  await ready();
  const activations = ["linear", "relu", "relu6", "sigmoid", "tanh", "elu", "selu", "softplus", "softsign", "hardSigmoid", "swish", "gelu", "softmax"] as const;
  for (const size of [7, 8]) {
    for (const [stride, dilation] of [[1, 1], [2, 1], [1, 2]]) {
      for (const padding of ["same", "valid"] as const) {
        const act = activations[(size + stride * 3 + dilation + (padding === "same" ? 1 : 0)) % activations.length];
        const model = functional([size, size, 3], (x) => {
          let y = apply(tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: stride, dilationRate: dilation, padding, activation: act, useBias: true, biasInitializer: "randomNormal" }), x);
          y = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: "same", strides: stride === 2 && size === 8 ? 2 : 1, activation: "relu", biasInitializer: "randomNormal" }), y);
          return y;
        });
        assertNativeMatches(model, tf.randomNormal([2, size, size, 3], 0, 1, "float32", size));
      }
    }
  }
});

test("BatchNorm (rank 4 and 2, with and without center/scale), padding, pools, global pools, Flatten and Reshape keep tfjs's layout", async () => {
  await ready();
  const randomBn = (l: tf.layers.Layer) => {
    l.setWeights(l.getWeights().map((w, i) => (i === l.getWeights().length - 1 ? tf.randomUniform(w.shape, 0.5, 2, "float32", i) : tf.randomNormal(w.shape, 0, 1, "float32", i))));
    return l;
  };
  const model = functional([9, 10, 3], (x) => {
    let y = apply(tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 3]] }), x);
    y = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3 }), y);
    const bn = tf.layers.batchNormalization({ epsilon: 1e-3 });
    y = apply(bn, y);
    randomBn(bn);
    const a = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" }), y);
    const b = apply(tf.layers.averagePooling2d({ poolSize: 2, padding: "same" }), y);
    const gap = apply(tf.layers.globalAveragePooling2d({}), y);
    const gmp = apply(tf.layers.globalMaxPooling2d({}), a);
    const flat = apply(tf.layers.flatten(), b);
    const reshaped = apply(tf.layers.flatten(), apply(tf.layers.reshape({ targetShape: [(a.shape[1] as number) * (a.shape[2] as number), 4] }), a));
    const joined = apply(tf.layers.concatenate(), [gap, gmp, flat, reshaped]);
    const bn2 = tf.layers.batchNormalization({ center: false, scale: false });
    const z = apply(bn2, joined);
    randomBn(bn2);
    return apply(tf.layers.dense({ units: 6, activation: "softmax" }), z);
  });
  assertNativeMatches(model, tf.randomNormal([3, 9, 10, 3], 0, 1, "float32", 1));
});

test("merges over NCHW values, Dense on rank 4, LayerNormalization, Softmax, nested and Sequential models", async () => {
  await ready();
  const inner = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [6, 6, 4], filters: 4, kernelSize: 1 }), tf.layers.reLU({ maxValue: 2 })] });
  const model = functional([6, 6, 4], (x) => {
    const a = apply(inner, x);
    const b = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same" }), x);
    const merged = [tf.layers.add(), tf.layers.multiply(), tf.layers.maximum(), tf.layers.minimum(), tf.layers.average()]
      .map((l) => apply(l, [a, b]));
    let y = apply(tf.layers.concatenate({ axis: -1 }), merged);
    y = apply(tf.layers.dense({ units: 8 }), y);
    const ln = tf.layers.layerNormalization({ epsilon: 1e-6 });
    y = apply(ln, y);
    ln.setWeights(ln.getWeights().map((w, i) => tf.randomNormal(w.shape, 1, 0.5, "float32", 7 + i)));
    y = apply(tf.layers.softmax({ axis: -1 }), y);
    return apply(tf.layers.dropout({ rate: 0.5 }), y);
  });
  assertNativeMatches(model, tf.randomNormal([2, 6, 6, 4], 0, 1, "float32", 2));
  const seq = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 3, kernelSize: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
  assertNativeMatches(seq, tf.randomNormal([4, 8, 8, 3], 0, 1, "float32", 3));
});

for (const arch of ["resnet18", "resnet50", "mobilenetV2", "mobilenetV3Small", "efficientnetB0", "densenet121", "convnextTiny"] as const) {
  test(`zoo.${arch}: native outputs within 1e-5 of tfjs's, for the whole model and its backbone`, async () => {
    await ready();
    const x = tf.randomNormal([2, 224, 224, 3], 0, 1, "float32", 4);
    for (const includeTop of [true, false]) {
      const model = zoo[arch]({ seed: 1, includeTop });
      assertNativeMatches(model, x);
      model.dispose();
    }
    x.dispose();
  });
}

test("what has no translation runs on tfjs, and says why", async () => {
  await ready();
  const model = functional([4, 5, 3], (x) => apply(tf.layers.flatten(), apply(tf.layers.permute({ dims: [2, 1, 3], name: "swap" }), apply(tf.layers.conv2d({ filters: 2, kernelSize: 1 }), x))));
  const exported = toOnnx(model);
  assert.equal(exported.ok, false);
  assert.match((exported as { reason: string }).reason, /"swap" \(Permute\)/);
  assert.equal(nativeForward(model), undefined);
  assert.match(nativeReason(model)!, /Permute/);
  const x = tf.randomNormal([3, 4, 5, 3], 0, 1, "float32", 5);
  const got = await infer(model, x), want = model.predict(x) as tf.Tensor;
  assert.equal(relativeError(got, want), 0);
});

test("new weights (setWeights, a load, training) are exported again on the next call", async () => {
  await ready();
  const model = functional([5, 5, 2], (x) => apply(tf.layers.dense({ units: 3 }), apply(tf.layers.flatten(), apply(tf.layers.conv2d({ filters: 2, kernelSize: 3 }), x))));
  const x = tf.randomNormal([2, 5, 5, 2], 0, 1, "float32", 6);
  assertNativeMatches(model, x);
  model.setWeights(model.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 1, "float32", 40 + i)));
  assertNativeMatches(model, x);
});

test("graft.infer: batches, NaN and Infinity inputs as tfjs gives them, a wrong shape gets tfjs's error, bad options a RangeError", async () => {
  await ready();
  const model = functional([4, 4, 3], (x) => apply(tf.layers.dense({ units: 2 }), apply(tf.layers.globalAveragePooling2d({}), apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: "same" }), x))));
  const x = tf.randomNormal([37, 4, 4, 3], 0, 1, "float32", 8);
  const got = await infer(model, x, { batchSize: 8 }), want = model.predict(x) as tf.Tensor;
  assert.ok(relativeError(got, want) <= 1e-5);
  const hostile = tf.tensor4d(Array.from({ length: 2 * 48 }, (_, i) => [NaN, Infinity, -Infinity, 3.4e38, 0][i % 5]), [2, 4, 4, 3]);
  const h1 = await infer(model, hostile), h2 = model.predict(hostile) as tf.Tensor;
  assert.equal(h1.dataSync().filter(Number.isNaN).length, h2.dataSync().filter(Number.isNaN).length);
  await assert.rejects(infer(model, tf.zeros([1, 5, 5, 3])), /expected .*shape|\[.*4,4,3\]/i);
  await assert.rejects(infer(model, x, { batchSize: 0 }), RangeError);
  tf.dispose([x, got, want, hostile, h1, h2]);
});

test("GRAFT_NATIVE=0 turns native inference off, and says so", () => {
  const root = path.join(__dirname, "..", "..");
  const out = execFileSync(process.execPath, ["--import", "tsx", "-e", `const n = require("./src/native"); console.log(JSON.stringify(n.nativeRuntime()));`], {
    cwd: root, env: { ...process.env, GRAFT_NATIVE: "0" }, encoding: "utf8",
  });
  const info = JSON.parse(out.trim().split("\n").pop()!);
  assert.equal(info.available, false);
  assert.match(info.reason, /GRAFT_NATIVE=0/);
});
