/**
 * Zoo structure without PyTorch at hand: parameter counts equal torchvision 0.14's, torch
 * names and explicit paddings where torch and tfjs `same` differ, BatchNorm constants,
 * options, and the errors a user gets for inputs the architectures cannot take.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ready, tf } from "../../src/engine/engine";
import * as zoo from "../../src/zoo";

before(async () => {
  await ready();
});

function count(weights: tf.LayerVariable[]): number {
  return weights.reduce((n, w) => n + w.shape.reduce((a, b) => (a as number) * (b as number), 1)!, 0);
}

/** torchvision: sum(p.numel() for p in model.parameters()), and the BN running statistics. */
const TORCHVISION_COUNTS: Array<[string, () => tf.LayersModel, number, number]> = [
  ["resnet18", () => zoo.resnet18(), 11689512, 9600],
  ["resnet34", () => zoo.resnet34(), 21797672, 17024],
  ["resnet50", () => zoo.resnet50(), 25557032, 53120],
  ["mobilenet_v2", () => zoo.mobilenetV2(), 3504872, 34112],
];

for (const [name, build, parameters, buffers] of TORCHVISION_COUNTS) {
  test(`${name}: parameter and BN statistic counts equal torchvision's`, () => {
    const model = build();
    assert.equal(model.name, name);
    assert.equal(zoo.torchvisionName(model), name);
    assert.equal(count(model.trainableWeights), parameters);
    assert.equal(count(model.nonTrainableWeights), buffers);
    assert.deepEqual(model.outputs[0].shape, [null, 1000]);
    model.dispose();
  });
}

test("resnet18: torch module names, explicit padding only where torch differs from `same`", () => {
  const model = zoo.resnet18({ numClasses: 10 });
  const names = model.layers.map((l) => l.name);
  for (const n of ["conv1", "bn1", "maxpool", "layer1.0.conv1", "layer2.0.downsample.0", "layer2.0.downsample.1", "layer4.1.bn2", "fc"]) {
    assert.ok(names.includes(n), `missing layer ${n}`);
  }
  assert.equal(new Set(names).size, names.length, "layer names are unique");
  const pad = (n: string) => (model.getLayer(n).getConfig() as { padding: unknown }).padding;
  assert.deepEqual(pad("conv1.pad"), [[3, 3], [3, 3]]);
  assert.deepEqual(pad("maxpool.pad"), [[1, 1], [1, 1]]);
  assert.deepEqual(pad("layer2.0.conv1.pad"), [[1, 1], [1, 1]]);
  assert.equal(pad("layer2.0.conv1"), "valid");
  assert.equal(pad("layer1.0.conv1"), "same"); // stride 1, 3×3, padding 1: identical to torch
  assert.ok(!names.includes("layer1.0.conv1.pad"));
  const bn = model.getLayer("bn1").getConfig() as { epsilon: number; momentum: number };
  assert.deepEqual([bn.epsilon, bn.momentum], [1e-5, 0.9]);
  assert.deepEqual(model.getLayer("conv1").getWeights()[0].shape, [7, 7, 3, 64]);
  assert.deepEqual(model.getLayer("fc").getWeights()[0].shape, [512, 10]);
  assert.deepEqual(
    model.getLayer("layer1.0.bn1").weights.map((w) => w.originalName),
    ["layer1.0.bn1/gamma", "layer1.0.bn1/beta", "layer1.0.bn1/moving_mean", "layer1.0.bn1/moving_variance"],
  );
  model.dispose();
});

test("resnet50 puts the stride on conv2 (V1.5); mobilenetV2 uses depthwise layers", () => {
  const resnet = zoo.resnet50({ includeTop: false, inputShape: [64, 64, 3] });
  assert.ok(resnet.layers.some((l) => l.name === "layer2.0.conv2.pad"));
  assert.equal((resnet.getLayer("layer2.0.conv1").getConfig() as { strides: number[] }).strides[0], 1);
  assert.deepEqual(resnet.outputs[0].shape, [null, 2048]);
  resnet.dispose();
  const mobile = zoo.mobilenetV2({ numClasses: 5, inputShape: [96, 96, 3] });
  assert.equal(mobile.getLayer("features.2.conv.1.0").getClassName(), "DepthwiseConv2D");
  assert.deepEqual(mobile.getLayer("features.2.conv.1.0").getWeights()[0].shape, [3, 3, 96, 1]);
  assert.deepEqual(mobile.getLayer("features.1.conv.0.0").getWeights()[0].shape, [3, 3, 32, 1]);
  assert.deepEqual(mobile.getLayer("features.1.conv.1").getWeights()[0].shape, [1, 1, 32, 16]);
  assert.equal((mobile.getLayer("features.0.2").getConfig() as { maxValue: number }).maxValue, 6);
  assert.deepEqual(mobile.getLayer("classifier.1").getWeights()[0].shape, [1280, 5]);
  assert.deepEqual(mobile.outputs[0].shape, [null, 5]);
  mobile.dispose();
});

test("without top: resnets and mobilenet end with pooled features, vgg with the `features` map", () => {
  const cases: Array<[tf.LayersModel, Array<number | null>]> = [
    [zoo.resnet18({ includeTop: false }), [null, 512]],
    [zoo.resnet34({ includeTop: false, inputShape: [100, 80, 3] }), [null, 512]],
    [zoo.mobilenetV2({ includeTop: false }), [null, 1280]],
    [zoo.vgg11({ includeTop: false }), [null, 7, 7, 512]],
    [zoo.vgg16({ includeTop: false, inputShape: [40, 64, 3] }), [null, 1, 2, 512]],
  ];
  for (const [model, shape] of cases) {
    assert.deepEqual(model.outputs[0].shape, shape, model.name);
    model.dispose();
  }
  const vgg = zoo.vgg16({ includeTop: false, inputShape: [32, 32, 3] });
  assert.deepEqual(
    vgg.layers.filter((l) => l.getClassName() === "Conv2D").map((l) => l.name),
    [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28].map((i) => `features.${i}`),
  );
  assert.equal(vgg.getLayer("features.30").getClassName(), "MaxPooling2D");
  vgg.dispose();
});

test("vgg: AdaptiveAvgPool2d((7, 7)) is an average pool for 14×14 maps", () => {
  const big = zoo.vgg11({ numClasses: 10, inputShape: [448, 448, 3] });
  const pool = big.getLayer("avgpool").getConfig() as { poolSize: number[]; strides: number[] };
  assert.equal(big.getLayer("avgpool").getClassName(), "AveragePooling2D");
  assert.deepEqual([pool.poolSize, pool.strides], [[2, 2], [2, 2]]);
  assert.deepEqual(big.getLayer("classifier.0").getWeights()[0].shape, [25088, 4096]);
  big.dispose();
  // The 1×1 → 7×7 repeat (input 32×32) is checked against torch in numerics.test.ts.
});

test("options are checked with messages that name the value and the fix", () => {
  assert.throws(() => zoo.resnet18({ numClasses: 0 }), { name: "RangeError", message: /numClasses must be a positive integer; got 0/ });
  assert.throws(() => zoo.mobilenetV2({ inputShape: [224, 224] as unknown as [number, number, number] }), {
    name: "RangeError",
    message: /inputShape must be \[height, width, channels\].*got \[224,224\]/,
  });
  assert.throws(() => zoo.resnet50({ includeTop: "no" as unknown as boolean }), TypeError);
  assert.throws(() => zoo.vgg16({ inputShape: [16, 16, 3] }), { name: "RangeError", message: /too small.*≥ 32/ });
  assert.throws(() => zoo.vgg11({ numClasses: 10, inputShape: [64, 64, 3] }), {
    name: "RangeError",
    message: /AdaptiveAvgPool2d\(\(7, 7\)\) for a 2×2 feature map.*or includeTop: false/,
  });
});

test("torchvisionName: zoo models by name, anything else undefined", () => {
  const model = zoo.resnet18({ includeTop: false, inputShape: [32, 32, 3] });
  const again = zoo.resnet18({ includeTop: false, inputShape: [32, 32, 3] });
  assert.equal(zoo.torchvisionName(again), "resnet18");
  assert.equal(zoo.torchvisionName(tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] })), undefined);
  assert.deepEqual([...zoo.TORCHVISION_NAMES].slice(0, 6), ["resnet18", "resnet34", "resnet50", "mobilenet_v2", "vgg11", "vgg16"]);
  model.dispose();
  again.dispose();
});

test("zoo models serialise: toJSON → modelFromJSON keeps torch names and shapes", async () => {
  const model = zoo.mobilenetV2({ numClasses: 3, inputShape: [32, 32, 3] });
  const copy = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as tf.io.ModelJSON["modelTopology"] });
  assert.deepEqual(copy.layers.map((l) => l.name), model.layers.map((l) => l.name));
  assert.deepEqual(copy.weights.map((w) => w.shape), model.weights.map((w) => w.shape));
  assert.equal(zoo.torchvisionName(copy), "mobilenet_v2");
  model.dispose();
  copy.dispose();
});

test("initial weights follow torchvision's init (kaiming fan_out convs, N(0, 0.01) classifiers)", () => {
  const model = zoo.mobilenetV2({ numClasses: 1000, inputShape: [32, 32, 3] });
  const std = (layer: string) => tf.tidy(() => tf.moments(model.getLayer(layer).getWeights()[0]).variance.sqrt().dataSync()[0]);
  const close = (actual: number, expected: number) => assert.ok(Math.abs(actual / expected - 1) < 0.1, `std ${actual} vs ${expected}`);
  close(std("features.18.0"), Math.sqrt(2 / 1280)); // 1×1 conv 320 → 1280, fan_out 1280
  close(std("features.17.conv.1.0"), Math.sqrt(2 / (960 * 9))); // depthwise 3×3 over 960 channels
  close(std("classifier.1"), 0.01);
  model.dispose();
});
