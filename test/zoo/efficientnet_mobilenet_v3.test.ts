/**
 * efficientnetB0, mobilenetV3Large, mobilenetV3Small without PyTorch at hand: parameter and
 * BatchNorm-statistic counts equal torchvision 0.14's, torch module names and BN constants,
 * freezing by block pattern and freezeUpTo, seeds, save → load round trips of the custom layers,
 * stochastic depth in training, and the transforms presets.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ready, tf } from "../../src/engine/engine";
import { countParams, freeze, freezeUpTo, frozenLayers } from "../../src/freeze";
import { fit } from "../../src/train";
import * as zoo from "../../src/zoo";
import { Hardsigmoid, Hardswish, StochasticDepth } from "../../src/zoo/_blocks";

before(async () => {
  await ready();
});

function count(weights: tf.LayerVariable[]): number {
  return weights.reduce((n, w) => n + w.shape.reduce((a, b) => (a as number) * (b as number), 1)!, 0);
}

/** torchvision 0.14: sum(p.numel() for p in model.parameters()), and the BN running statistics. */
const COUNTS: Array<[string, (o?: zoo.ZooOptions) => tf.LayersModel, number, number, number]> = [
  ["efficientnet_b0", zoo.efficientnetB0, 5288548, 42016, 1280],
  ["mobilenet_v3_large", zoo.mobilenetV3Large, 5483032, 24400, 960],
  ["mobilenet_v3_small", zoo.mobilenetV3Small, 2542856, 12112, 576],
];

for (const [name, build, parameters, buffers, features] of COUNTS) {
  test(`${name}: parameter and BN statistic counts equal torchvision's; without top, ${features} features`, () => {
    const model = build();
    try {
      assert.equal(model.name, name);
      assert.equal(zoo.torchvisionName(model), name);
      assert.ok(zoo.TORCHVISION_NAMES.includes(name as zoo.TorchvisionName));
      assert.equal(count(model.trainableWeights), parameters);
      assert.equal(count(model.nonTrainableWeights), buffers);
      const counts = countParams(model);
      assert.deepEqual([counts.trainable, counts.nonTrainable], [parameters, buffers]);
      assert.deepEqual(model.outputs[0].shape, [null, 1000]);
      const names = model.layers.map((l) => l.name);
      assert.equal(new Set(names).size, names.length, "layer names are unique");
    } finally {
      model.dispose();
    }
    const headless = build({ includeTop: false, inputShape: [64, 80, 3] });
    assert.deepEqual(headless.outputs[0].shape, [null, features]);
    assert.ok(!headless.layers.some((l) => l.name.startsWith("classifier")));
    headless.dispose();
  });
}

test("efficientnet_b0: torchvision module names, SE as 1×1 convs with bias, stochastic depth on residual blocks", () => {
  const model = zoo.efficientnetB0({ numClasses: 10, inputShape: [64, 64, 3] });
  try {
    const shape = (n: string) => model.getLayer(n).getWeights().map((w) => w.shape);
    assert.deepEqual(shape("features.0.0"), [[3, 3, 3, 32]]);
    assert.equal(model.getLayer("features.1.0.block.0.0").getClassName(), "DepthwiseConv2D");
    assert.deepEqual(shape("features.1.0.block.1.fc1"), [[1, 1, 32, 8], [8]]);
    assert.deepEqual(shape("features.1.0.block.1.fc2"), [[1, 1, 8, 32], [32]]);
    assert.deepEqual(shape("features.2.0.block.2.fc1"), [[1, 1, 96, 4], [4]]);
    assert.deepEqual(shape("features.3.0.block.1.0"), [[5, 5, 144, 1]]);
    assert.deepEqual(shape("features.7.0.block.3.0"), [[1, 1, 1152, 320]]);
    assert.deepEqual(shape("features.8.0"), [[1, 1, 320, 1280]]);
    assert.deepEqual(shape("classifier.1"), [[1280, 10], [10]]);
    const bn = model.getLayer("features.0.1").getConfig() as { epsilon: number; momentum: number };
    assert.deepEqual([bn.epsilon, bn.momentum], [1e-5, 0.9]);
    assert.equal((model.getLayer("features.0.2").getConfig() as { activation: string }).activation, "swish");
    // Stochastic depth p = 0.2 · block / 16, only where the block adds its input.
    const rate = (n: string) => (model.getLayer(n) as StochasticDepth).rate;
    assert.ok(Math.abs(rate("features.2.1.stochastic_depth") - 0.2 * 2 / 16) < 1e-12);
    assert.ok(Math.abs(rate("features.6.3.stochastic_depth") - 0.2 * 14 / 16) < 1e-12);
    const names = model.layers.map((l) => l.name);
    assert.ok(!names.includes("features.2.0.stochastic_depth") && !names.includes("features.1.0.add"));
    // Stride-2 convs pad explicitly as torch does; stride 1 uses `same`.
    assert.deepEqual((model.getLayer("features.3.0.block.1.0.pad").getConfig() as { padding: unknown }).padding, [[2, 2], [2, 2]]);
    assert.equal((model.getLayer("features.4.1.block.1.0").getConfig() as { padding: string }).padding, "same");
  } finally {
    model.dispose();
  }
});

test("mobilenet_v3: torchvision module names, Hardswish/ReLU by row, SE with Hardsigmoid, BN eps 0.001 momentum 0.01", () => {
  const large = zoo.mobilenetV3Large({ numClasses: 4, inputShape: [64, 64, 3] });
  const small = zoo.mobilenetV3Small({ numClasses: 4, inputShape: [64, 64, 3] });
  try {
    const shape = (m: tf.LayersModel, n: string) => m.getLayer(n).getWeights().map((w) => w.shape);
    assert.deepEqual(shape(large, "features.1.block.0.0"), [[3, 3, 16, 1]]); // no expansion: depthwise first
    assert.deepEqual(shape(large, "features.4.block.2.fc1"), [[1, 1, 72, 24], [24]]);
    assert.deepEqual(shape(large, "features.16.0"), [[1, 1, 160, 960]]);
    assert.deepEqual(shape(large, "classifier.0"), [[960, 1280], [1280]]);
    assert.deepEqual(shape(large, "classifier.3"), [[1280, 4], [4]]);
    assert.ok(large.getLayer("features.0.2") instanceof Hardswish);
    assert.equal(large.getLayer("features.4.block.1.2").getClassName(), "ReLU");
    assert.ok(large.getLayer("features.7.block.1.2") instanceof Hardswish);
    assert.ok(large.getLayer("features.4.block.2.scale_activation") instanceof Hardsigmoid);
    assert.ok(large.getLayer("classifier.1") instanceof Hardswish);
    assert.ok(large.layers.some((l) => l.name === "features.3.add") && !large.layers.some((l) => l.name === "features.4.add"));
    const bn = large.getLayer("features.5.block.1.1").getConfig() as { epsilon: number; momentum: number };
    assert.deepEqual([bn.epsilon, bn.momentum], [1e-3, 0.99]);
    assert.deepEqual(shape(small, "features.1.block.1.fc1"), [[1, 1, 16, 8], [8]]);
    assert.deepEqual(shape(small, "features.12.0"), [[1, 1, 96, 576]]);
    assert.deepEqual(shape(small, "classifier.0"), [[576, 1024], [1024]]);
    assert.ok(!small.layers.some((l) => l.name === "features.13.0"));
  } finally {
    large.dispose();
    small.dispose();
  }
});

test("Hardswish and Hardsigmoid compute torch's formulas, gradients included", () => {
  const x = tf.tensor1d([-5, -3, -1.5, 0, 0.5, 2.9, 3, 4]);
  const expectedSigmoid = [0, 0, 0.25, 0.5, 3.5 / 6, 5.9 / 6, 1, 1];
  const hs = new Hardsigmoid({}).apply(x) as tf.Tensor;
  const hw = new Hardswish({}).apply(x) as tf.Tensor;
  const close = (a: ArrayLike<number>, b: number[]) => b.forEach((v, i) => assert.ok(Math.abs(a[i] - v) < 1e-6, `${a[i]} vs ${v}`));
  close(hs.dataSync(), expectedSigmoid);
  close(hw.dataSync(), expectedSigmoid.map((s, i) => s * [-5, -3, -1.5, 0, 0.5, 2.9, 3, 4][i]));
  // d/dx hardswish = (2x + 3) / 6 inside (−3, 3), 0 below, 1 above.
  const g = tf.grad((t: tf.Tensor) => tf.sum(new Hardswish({}).apply(t) as tf.Tensor))(tf.tensor1d([-4, -1, 0.5, 4]));
  close(g.dataSync(), [0, 1 / 6, 4 / 6, 1]);
  tf.dispose([x, hs, hw, g]);
});

test("StochasticDepth: identity at inference; in training drops whole samples and rescales the rest", () => {
  const layer = new StochasticDepth({ rate: 0.5 });
  const x = tf.ones([400, 2, 2, 3]);
  const inference = layer.apply(x) as tf.Tensor;
  assert.equal(tf.sum(tf.notEqual(inference, x)).dataSync()[0], 0);
  const train = layer.apply(x, { training: true }) as tf.Tensor;
  const perSample = tf.tidy(() => train.reshape([400, 12]));
  const values = perSample.arraySync() as number[][];
  assert.ok(values.every((row) => row.every((v) => v === row[0]) && (row[0] === 0 || row[0] === 2)), "whole samples kept ×2 or dropped");
  const kept = values.filter((row) => row[0] === 2).length;
  assert.ok(kept > 140 && kept < 260, `kept ${kept} of 400 at p = 0.5`);
  assert.throws(() => new StochasticDepth({ rate: 1.5, name: "sd" }), { name: "RangeError", message: /sd: rate must be in \[0, 1\]; got 1\.5/ });
  tf.dispose([x, inference, train, perSample]);
});

test("freezing by block pattern and freezeUpTo use torchvision's block names", () => {
  const model = zoo.efficientnetB0({ numClasses: 3, inputShape: [64, 64, 3] });
  try {
    const frozen = freeze(model, "features.[0-5]*");
    assert.ok(frozen.includes("features.0.0") && frozen.includes("features.5.2.block.3.1"));
    assert.ok(!frozen.some((n) => n.startsWith("features.6") || n.startsWith("classifier")));
    const before = frozenLayers(model);
    model.layers.forEach((l) => (l.trainable = true));
    freezeUpTo(model, "features.5.2.add"); // the last layer of stage 5
    assert.deepEqual(frozenLayers(model), before);
  } finally {
    model.dispose();
  }
  const large = zoo.mobilenetV3Large({ numClasses: 3, inputShape: [64, 64, 3] });
  try {
    const byPattern = freeze(large, "features.[0-9].*");
    assert.ok(byPattern.includes("features.9.block.2.1") && !byPattern.some((n) => n.startsWith("features.1") && n[10] !== "."));
    const before = frozenLayers(large);
    large.layers.forEach((l) => (l.trainable = true));
    freezeUpTo(large, "features.9.add");
    assert.deepEqual(frozenLayers(large), before);
    const counts = countParams(large);
    assert.ok(counts.frozen > 0 && counts.trainable > 0);
  } finally {
    large.dispose();
  }
});

const SEEDED: Array<[string, (o: zoo.ZooOptions) => tf.LayersModel]> = [
  ["efficientnetB0", (o) => zoo.efficientnetB0({ ...o, numClasses: 7, inputShape: [32, 32, 3] })],
  ["mobilenetV3Large", (o) => zoo.mobilenetV3Large({ ...o, numClasses: 7, inputShape: [32, 32, 3] })],
  ["mobilenetV3Small", (o) => zoo.mobilenetV3Small({ ...o, numClasses: 7, inputShape: [32, 32, 3] })],
];

for (const [name, build] of SEEDED) {
  test(`${name}: same seed, same weights; save → loadLayersModel keeps names, custom layers and outputs`, async () => {
    const a = build({ seed: 42 });
    const b = build({ seed: 42 });
    const c = build({ seed: 43 });
    try {
      const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
      assert.deepEqual(weights(a), weights(b));
      assert.notDeepEqual(weights(a), weights(c));
      // No two seeded weights share a random stream (every initializer gets its own derived seed).
      const random = weights(a).filter((w) => w.length > 1 && w[0] !== w[1]);
      assert.equal(new Set(random.map((w) => w[0])).size, random.length);
      assert.throws(() => build({ num_classes: 3 } as never), new RegExp(`zoo\\.${name}: unknown option "num_classes"; did you mean "numClasses"`));

      let saved: tf.io.ModelArtifacts | undefined;
      await a.save(tf.io.withSaveHandler(async (artifacts) => ((saved = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } })));
      const copy = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
      try {
        assert.deepEqual(copy.layers.map((l) => [l.name, l.getClassName()]), a.layers.map((l) => [l.name, l.getClassName()]));
        assert.equal(zoo.torchvisionName(copy), zoo.torchvisionName(a));
        const x = tf.randomNormal([2, 32, 32, 3], 0, 1, "float32", 9);
        const [ya, yc] = [a, copy].map((m) => (m.predict(x) as tf.Tensor).dataSync());
        assert.deepEqual(Array.from(yc), Array.from(ya));
        x.dispose();
      } finally {
        copy.dispose();
      }
    } finally {
      [a, b, c].forEach((m) => m.dispose());
    }
  });
}

test("fit on graft's engine: a step of each architecture (stochastic depth and dropout live), finite losses, weights move; 1×1 inputs build", async () => {
  for (const build of [zoo.efficientnetB0, zoo.mobilenetV3Large, zoo.mobilenetV3Small]) {
    const tiny = build({ numClasses: 2, inputShape: [1, 1, 3] });
    assert.deepEqual((tiny.predict(tf.ones([1, 1, 1, 3])) as tf.Tensor).shape, [1, 2]);
    tiny.dispose();
    const model = build({ numClasses: 3, inputShape: [32, 32, 3], seed: 5 });
    model.compile({ optimizer: tf.train.sgd(1e-3), loss: "meanSquaredError" });
    const x = tf.randomNormal([4, 32, 32, 3], 0, 1, "float32", 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], "int32"), 3);
    const head = model.layers[model.layers.length - 1];
    const before = Array.from(head.getWeights()[0].dataSync());
    try {
      const history = await fit(model, x, y, { epochs: 2, batchSize: 2 });
      const losses = history.history.loss as number[];
      assert.equal(losses.length, 2);
      assert.ok(losses.every(Number.isFinite), `${model.name}: losses ${losses}`);
      assert.notDeepEqual(Array.from(head.getWeights()[0].dataSync()), before);
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
  }
});

test("cacheFrozen refuses a frozen efficientnet prefix with stochastic depth in it; mobilenetV3 (none) caches", async () => {
  const x = tf.randomNormal([4, 32, 32, 3], 0, 1, "float32", 2);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], "int32"), 3);
  const effnet = zoo.efficientnetB0({ numClasses: 3, inputShape: [32, 32, 3], seed: 1 });
  const mobile = zoo.mobilenetV3Small({ numClasses: 3, inputShape: [32, 32, 3], seed: 1 });
  try {
    freeze(effnet, "features.[0-5]*");
    effnet.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    await assert.rejects(fit(effnet, x, y, { epochs: 1, cacheFrozen: true }), {
      name: "GraftCacheError",
      message: /"features\.2\.1\.stochastic_depth" \(StochasticDepth\) sits inside the frozen prefix/,
    });
    freeze(mobile, "features.*");
    mobile.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    const history = await fit(mobile, x, y, { epochs: 1, cacheFrozen: true });
    assert.ok(Number.isFinite((history.history.loss as number[])[0]));
  } finally {
    tf.dispose([x, y]);
    effnet.dispose();
    mobile.dispose();
  }
});

test("initial weights follow torchvision's init: kaiming fan_out convs (SE included), EfficientNet's U(±1/√out) and MobileNetV3's N(0, 0.01) Linear", () => {
  const effnet = zoo.efficientnetB0({ inputShape: [32, 32, 3], seed: 3 });
  const large = zoo.mobilenetV3Large({ inputShape: [32, 32, 3], seed: 3 });
  try {
    const std = (m: tf.LayersModel, layer: string, i = 0) =>
      tf.tidy(() => tf.moments(m.getLayer(layer).getWeights()[i]).variance.sqrt().dataSync()[0]);
    const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual / expected - 1) < 0.1, `${what}: std ${actual} vs ${expected}`);
    close(std(effnet, "features.8.0"), Math.sqrt(2 / 1280), "1×1 conv 320 → 1280");
    close(std(effnet, "features.3.0.block.1.0"), Math.sqrt(2 / (144 * 25)), "depthwise 5×5 over 144");
    close(std(effnet, "features.6.0.block.2.fc2"), Math.sqrt(2 / 672), "SE fc2 28 → 672");
    close(std(effnet, "classifier.1"), 1 / Math.sqrt(1000) / Math.sqrt(3), "Linear U(±1/√1000)");
    close(std(large, "classifier.0"), 0.01, "Linear N(0, 0.01)");
    for (const [m, layer] of [[effnet, "classifier.1"], [large, "classifier.3"], [effnet, "features.6.0.block.2.fc2"]] as const) {
      assert.equal(tf.tidy(() => tf.abs(m.getLayer(layer).getWeights()[1]).max().dataSync()[0]), 0, `${layer} bias starts at 0`);
    }
  } finally {
    effnet.dispose();
    large.dispose();
  }
});

test("transforms(): torchvision's presets (EfficientNet bicubic, MobileNetV3 bilinear; DEFAULT as torchvision's)", () => {
  const text = (t: { toString(): string }) => String(t);
  assert.match(text(zoo.efficientnetB0.transforms()), /resize\(256.*bicubic.*centerCrop\(224\)/);
  assert.match(text(zoo.mobilenetV3Large.transforms({ weights: "IMAGENET1K_V1" })), /resize\(256.*centerCrop\(224\)/);
  // torchvision's MobileNet_V3_Large_Weights.DEFAULT is IMAGENET1K_V2, trained with a resize of 232
  assert.match(text(zoo.mobilenetV3Large.transforms()), /resize\(232.*centerCrop\(224\)/);
  assert.doesNotMatch(text(zoo.mobilenetV3Small.transforms()), /bicubic/);
});
