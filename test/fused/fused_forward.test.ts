/**
 * graft's fused inference on tfjs: `[pad] → conv → [BatchNorm] → [ReLU]` chains as one fused
 * convolution give tfjs's own outputs (within 1e-5), fuse only where it is exact, follow new
 * weights, and free what they made.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ready, tf } from "../../src/engine/engine";
import { fusedForward, planOf } from "../../src/fused";
import * as zoo from "../../src/zoo";

function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  const x = a.dataSync(), y = b.dataSync();
  let worst = 0, scale = 1e-12;
  for (let i = 0; i < y.length; i++) {
    worst = Math.max(worst, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return worst / scale;
}

function assertFusedMatches(model: tf.LayersModel, x: tf.Tensor, tol = 1e-5): void {
  const fused = fusedForward(model);
  assert.ok(fused, "the model has something to fuse");
  const got = fused(x), want = model.predict(x) as tf.Tensor;
  const err = relativeError(got, want);
  assert.ok(err <= tol, `relative error ${err} > ${tol}`);
  tf.dispose([got, want]);
}

const apply = (l: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => l.apply(x) as tf.SymbolicTensor;

/** BatchNorm with random statistics (a fresh one is the identity and would hide a wrong fold). */
function bn(opts: Parameters<typeof tf.layers.batchNormalization>[0] = {}): tf.layers.Layer {
  const layer = tf.layers.batchNormalization({ epsilon: 1e-3, ...opts });
  const build = layer.build.bind(layer);
  layer.build = (shape) => {
    build(shape);
    layer.setWeights(layer.getWeights().map((w, i, all) => (i === all.length - 1 ? tf.randomUniform(w.shape, 0.5, 2, "float32", 20 + i) : tf.randomNormal(w.shape, 0, 1, "float32", 20 + i))));
  };
  return layer;
}

test("the fused chains: padding (explicit, symmetric for depthwise), BatchNorm with and without center/scale, ReLU and ReLU6, a conv's own ReLU", async () => {
  await ready();
  const input = tf.input({ shape: [11, 12, 4] });
  let y = apply(tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 3]] }), input);
  y = apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, useBias: true, biasInitializer: "randomNormal" }), y);
  y = apply(bn(), y);
  y = apply(tf.layers.reLU(), y);
  y = apply(tf.layers.zeroPadding2d({ padding: 1 }), y);
  y = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, useBias: false }), y);
  y = apply(bn({ center: false, scale: false }), y);
  y = apply(tf.layers.reLU({ maxValue: 6 }), y);
  y = apply(tf.layers.conv2d({ filters: 3, kernelSize: 1, activation: "relu", padding: "same" }), y);
  y = apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: "same", dilationRate: 2 }), y);
  y = apply(tf.layers.activation({ activation: "relu6" }), y);
  const model = tf.model({ inputs: input, outputs: apply(tf.layers.globalAveragePooling2d({}), y) });
  const plan = planOf(model)!;
  assert.equal(plan.steps.filter((s) => s.kind === "conv").length, 4);
  assert.equal(plan.fused, 7, "2 paddings, 2 BatchNorms, 3 activations");
  assertFusedMatches(model, tf.randomNormal([3, 11, 12, 4], 0, 1, "float32", 1));
});

test("only exact fusions: a BatchNorm read twice, an asymmetric pad before a depthwise conv, a sigmoid conv, channels-first BN stay tfjs layers", async () => {
  await ready();
  const input = tf.input({ shape: [8, 8, 3] });
  const conv = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3 }), input);
  const shared = apply(bn(), conv);
  const a = apply(tf.layers.reLU(), shared);
  const b = apply(tf.layers.depthwiseConv2d({ kernelSize: 2 }), apply(tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]] }), shared));
  const c = apply(tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: "sigmoid" }), b);
  const d = apply(bn({ axis: 1 }), apply(tf.layers.conv2d({ filters: 4, kernelSize: 1 }), c));
  const model = tf.model({ inputs: input, outputs: apply(tf.layers.concatenate(), [a, d]) });
  const plan = planOf(model)!;
  const layerSteps = plan.steps.filter((s) => s.kind === "layer").map((s) => (s as { layer: tf.layers.Layer }).layer.getClassName());
  assert.ok(layerSteps.includes("BatchNormalization") && layerSteps.includes("ZeroPadding2D") && layerSteps.includes("ReLU"), layerSteps.join(", "));
  assert.ok(plan.steps.some((s) => s.kind === "layer" && s.layer.getClassName() === "Conv2D"), "the sigmoid conv runs as a layer");
  assertFusedMatches(model, tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 2));
});

for (const arch of ["resnet18", "mobilenetV2", "mobilenetV3Small", "efficientnetB0", "densenet121"] as const) {
  test(`zoo.${arch}: fused outputs within 1e-5 of tfjs's`, async () => {
    await ready();
    const model = zoo[arch]({ seed: 2, includeTop: arch !== "densenet121" });
    assertFusedMatches(model, tf.randomNormal([2, 224, 224, 3], 0, 1, "float32", 3));
    model.dispose();
  });
}

test("new weights are folded again; model.dispose() frees the folded weights; nothing leaks per call", async () => {
  await ready();
  const input = tf.input({ shape: [6, 6, 2] });
  const model = tf.model({ inputs: input, outputs: apply(tf.layers.flatten(), apply(tf.layers.reLU(), apply(bn(), apply(tf.layers.conv2d({ filters: 3, kernelSize: 3 }), input)))) });
  const x = tf.randomNormal([2, 6, 6, 2], 0, 1, "float32", 4);
  const before = tf.memory().numTensors;
  assertFusedMatches(model, x);
  const afterFirst = tf.memory().numTensors;
  assertFusedMatches(model, x);
  assert.equal(tf.memory().numTensors, afterFirst, "a second call makes no new tensors");
  assert.equal(afterFirst - before, 2, "one folded kernel and bias");
  model.setWeights(model.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 1, "float32", 50 + i).abs()));
  assertFusedMatches(model, x);
  const weights = model.weights.length;
  const live = tf.memory().numTensors;
  model.dispose();
  assert.equal(live - tf.memory().numTensors, weights + 2, "the model's weights and the folded pair are freed");
  x.dispose();
});
