/**
 * Real training with frozen layers on graft's engine (wasm with graft's conv gradients):
 * the tfjs traps first, then graft's fixes — fit, freeze after compile, custom loop, trainBN,
 * nested models, and the drift guard.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
// as after require("graft"): model.fit trains a frozen prefix through its untaped twin (src/train)
import "../../src/train";
import {
  GraftDriftError, checkFrozen, freeze, frozenGuard, snapshotFrozen, trainableVariables, unfreeze,
} from "../../src/freeze";
import { changed, data, nestedCnn, smallCnn, weightBytes } from "./_models";

const HEAD = ["fc/kernel", "fc/bias"];
const fitArgs = { epochs: 2, batchSize: 8, verbose: 0 as const, shuffle: false };

function compile(model: tf.LayersModel, optimizer: tf.Optimizer = tf.train.adam(0.01)) {
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
}

test("the tfjs 4.22 traps graft exists for: BatchNorm ignores trainable, unfreeze after compile is ignored", async () => {
  await ready();
  const { x, y } = data();
  const m = smallCnn();
  m.layers.forEach((l) => (l.trainable = l.name === "fc"));
  compile(m);
  const before = weightBytes(m);
  await m.fit(x, y, fitArgs);
  const moved = changed(before, weightBytes(m));
  assert.ok(moved.includes("bn1/moving_mean") && moved.includes("layer2.0.bn1/moving_variance"), `plain tfjs moves frozen BN stats: ${moved}`);
  assert.ok(!moved.includes("bn1/gamma"));

  const n = smallCnn();
  n.layers.forEach((l) => (l.trainable = l.name === "fc"));
  compile(n);
  n.getLayer("conv1").trainable = true; // unfreeze after compile, the plain tfjs way
  const b2 = weightBytes(n);
  const warn = console.warn;
  console.warn = () => {};
  try { await n.fit(x, y, fitArgs); } finally { console.warn = warn; }
  assert.ok(!changed(b2, weightBytes(n)).includes("conv1/kernel"), "plain tfjs ignores an unfreeze after compile");
  tf.dispose([x, y]);
});

test("freeze all but the head, fit 2 epochs: every frozen weight and BN statistic bit-identical, head changed", async () => {
  await ready();
  const { x, y } = data();
  const m = smallCnn();
  assert.equal(freeze(m, "!fc").length, 6);
  compile(m);
  const before = weightBytes(m);
  const guard = frozenGuard(m);
  await m.fit(x, y, { ...fitArgs, callbacks: [guard] });
  assert.deepEqual(changed(before, weightBytes(m)), HEAD);
  assert.equal(guard.checks, 2);
  assert.equal(guard.snapshot!.weights.length, 5 + 4 * 3, "3 convs (two with a bias) + 3 BN x 4");
  tf.dispose([x, y]);
});

test("freeze after compile: the next fit trains exactly the trainable weights; unfreeze after compile is honoured", async () => {
  await ready();
  const { x, y } = data();
  const m = smallCnn();
  const optimizer = tf.train.adam(0.01);
  compile(m, optimizer);
  freeze(m, "!fc");
  const before = weightBytes(m);
  await m.fit(x, y, fitArgs);
  assert.deepEqual(changed(before, weightBytes(m)), HEAD);
  assert.equal(m.optimizer, optimizer, "same optimizer instance");

  unfreeze(m, "layer2.*");
  const mid = weightBytes(m);
  const warnings: unknown[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => warnings.push(a);
  try { await m.fit(x, y, { ...fitArgs, callbacks: [frozenGuard(m)] }); } finally { console.warn = warn; }
  assert.deepEqual(changed(mid, weightBytes(m)).sort(),
    ["fc/bias", "fc/kernel", "layer2.0.bn1/beta", "layer2.0.bn1/gamma", "layer2.0.bn1/moving_mean", "layer2.0.bn1/moving_variance", "layer2.0.conv1/bias", "layer2.0.conv1/kernel"]);
  assert.deepEqual(warnings, [], "no discrepancy warning from tfjs");
  assert.equal(optimizer.iterations, 8);
  tf.dispose([x, y]);
});

test("custom loop with optimizer.minimize and trainableVariables: frozen weights and BN statistics untouched", async () => {
  await ready();
  const { x, y } = data();
  const m = smallCnn();
  freeze(m, "!fc");
  const optimizer = tf.train.sgd(0.1);
  const vars = trainableVariables(m, { optimizer });
  assert.deepEqual(vars.map((v) => v.shape), [[6, 3], [3]]);
  const before = weightBytes(m);
  for (let step = 0; step < 3; step++) {
    optimizer.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(y, m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, false, vars);
  }
  assert.deepEqual(changed(before, weightBytes(m)), HEAD);

  // Unfreezing with the same optimizer: earlier variables keep their positions, new ones are appended.
  unfreeze(m, "layer2.0.conv1");
  const again = trainableVariables(m, { optimizer });
  assert.deepEqual(again.slice(0, 2), vars);
  assert.deepEqual(again.slice(2).map((v) => v.shape), [[3, 3, 6, 6], [6]]);
  tf.dispose([x, y]);
});

test("Adam keeps its moments aligned when layers are unfrozen mid-training (slots are positional in tfjs)", async () => {
  await ready();
  const { x, y } = data();
  const m = smallCnn();
  freeze(m, "!fc");
  const optimizer = tf.train.adam(0.01);
  compile(m, optimizer);
  await m.fit(x, y, { ...fitArgs, epochs: 1 });
  unfreeze(m, "layer1.*"); // comes before fc in model order
  await m.fit(x, y, { ...fitArgs, epochs: 1 }); // would fail with mismatched slot shapes if fc's moments moved
  unfreeze(m, "layer2.0.conv1");
  compile(m, optimizer); // a re-compile with the same optimizer keeps the slot order too
  await m.fit(x, y, { ...fitArgs, epochs: 1 });
  const slots = (optimizer as unknown as { accumulatedFirstMoment: { variable: tf.Variable }[] }).accumulatedFirstMoment.map((s) => s.variable.shape);
  assert.deepEqual(slots, [[6, 3], [3], [3, 3, 4, 6], [6], [6], [6], [3, 3, 6, 6], [6]]);
  tf.dispose([x, y]);
});

test("trainBN: BatchNormalization inside a frozen block keeps training; convolutions stay frozen", async () => {
  await ready();
  const { x, y } = data();
  const m = smallCnn();
  freeze(m, "!fc", { trainBN: true });
  compile(m);
  const before = weightBytes(m);
  await m.fit(x, y, { ...fitArgs, callbacks: [frozenGuard(m)] });
  const moved = changed(before, weightBytes(m));
  assert.ok(moved.includes("bn1/gamma") && moved.includes("bn1/moving_mean") && moved.includes("layer2.0.bn1/moving_variance"));
  assert.ok(!moved.some((k) => k.includes("conv")), `convs moved: ${moved}`);
  tf.dispose([x, y]);
});

test("nested model used as a layer: freezing the backbone freezes its layers and BN statistics", async () => {
  await ready();
  const { x, y } = data();
  const m = nestedCnn();
  freeze(m, "backbone");
  compile(m);
  const before = weightBytes(m);
  await m.fit(x, y, { ...fitArgs, callbacks: [frozenGuard(m)] });
  assert.deepEqual(changed(before, weightBytes(m)).sort(), ["head.0/bias", "head.0/kernel", "head.1/bias", "head.1/kernel"]);
  tf.dispose([x, y]);
});

test("Sequential compiled before the freeze (tfjs trains its inner model): the freeze still holds", async () => {
  await ready();
  const { x, y } = data();
  const m = nestedCnn();
  compile(m);
  freeze(m, "backbone/*");
  const before = weightBytes(m);
  await m.fit(x, y, { ...fitArgs, callbacks: [frozenGuard(m)] });
  assert.deepEqual(changed(before, weightBytes(m)).sort(), ["head.0/bias", "head.0/kernel", "head.1/bias", "head.1/kernel"]);
  tf.dispose([x, y]);
});

test("a backbone frozen the tfjs way (nested model trainable = false) gets the same guarantees from graft", async () => {
  await ready();
  const { x, y } = data();
  const m = nestedCnn();
  (m.layers[0] as tf.LayersModel).trainable = false;
  freeze(m, "head.0"); // any graft call puts the state on leaves and BN in inference mode
  unfreeze(m, "head.0");
  compile(m);
  const before = weightBytes(m);
  await m.fit(x, y, fitArgs);
  assert.deepEqual(changed(before, weightBytes(m)).sort(), ["head.0/bias", "head.0/kernel", "head.1/bias", "head.1/kernel"]);
  tf.dispose([x, y]);
});

test("drift guard: a frozen weight written during fit fails the fit, naming layer, weight and max change", async () => {
  await ready();
  const { x, y } = data();
  const m = smallCnn();
  freeze(m, "!fc");
  compile(m);
  const vandal = new tf.CustomCallback({
    onEpochEnd: async (epoch) => {
      if (epoch === 1) m.getLayer("layer1.0.conv1").weights[1].write(tf.fill([6], 0.25));
    },
  });
  await assert.rejects(m.fit(x, y, { ...fitArgs, callbacks: [vandal, frozenGuard(m)] }), (e: unknown) => {
    assert.ok(e instanceof GraftDriftError);
    assert.equal(e.layer, "layer1.0.conv1");
    assert.equal(e.weight, "bias");
    assert.equal(e.maxAbsChange, 0.25);
    assert.match(e.message, /^Frozen weight layer1\.0\.conv1\/bias changed during epoch 1: 6 values differ, max abs change 0\.25\. /);
    return true;
  });
  tf.dispose([x, y]);
});

test("snapshotFrozen / checkFrozen: BN statistics moved by a training-mode call outside graft are caught", async () => {
  await ready();
  const { x } = data();
  const m = smallCnn();
  freeze(m, "!fc");
  const snap = snapshotFrozen(m);
  assert.equal(checkFrozen(snap), 17);
  tf.tidy(() => m.apply(x, { training: true }) as tf.Tensor); // inference mode: nothing moves
  assert.equal(checkFrozen(snap), 17);
  m.getLayer("bn1").trainable = true; // by hand: BN trains again and is not frozen any more
  tf.tidy(() => m.apply(x, { training: true }) as tf.Tensor);
  assert.equal(checkFrozen(snap), 13, "weights unfrozen since the snapshot are not checked");
  const mean = m.getLayer("layer2.0.bn1").weights[2];
  mean.write(tf.add(mean.read(), 1e-3));
  assert.throws(() => checkFrozen(snap, { when: "after my loop" }), (e: unknown) =>
    e instanceof GraftDriftError && e.layer === "layer2.0.bn1" && e.weight === "moving_mean" && Math.abs(e.maxAbsChange - 1e-3) < 1e-6 &&
    /^Frozen weight layer2\.0\.bn1\/moving_mean changed after my loop: 6 values differ/.test(e.message));
  assert.throws(() => checkFrozen({} as never), { name: "TypeError", message: /checkFrozen expects a snapshot from graft.snapshotFrozen\(model\)/ });
  tf.dispose(x);
});
