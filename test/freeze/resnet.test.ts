/** The headline case on a real architecture: zoo.resnet18 at a small input, head-only fine-tuning. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
import { freeze, frozenGuard, unfreezeSchedule } from "../../src/freeze";
import * as zoo from "../../src/zoo";
import { changed, weightBytes } from "./_models";

test("zoo.resnet18: freeze all but fc, fit 2 epochs; every frozen weight and BN statistic bit-identical; then layer4 unfreezes by schedule", async () => {
  await ready();
  const model = zoo.resnet18({ numClasses: 3, inputShape: [32, 32, 3] });
  const x = tf.tidy(() => tf.sin(tf.range(0, 8 * 32 * 32 * 3).reshape([8, 32, 32, 3]).mul(0.11)));
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], "int32"), 3).toFloat());
  assert.equal(freeze(model, "!fc").length, 40, "20 convs + 20 BatchNorms (downsample ones included)");
  model.compile({ optimizer: tf.train.adam(1e-3), loss: tf.losses.softmaxCrossEntropy });
  const before = weightBytes(model);
  await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [frozenGuard(model)] });
  assert.deepEqual(changed(before, weightBytes(model)).sort(), ["fc/bias", "fc/kernel"]);

  const schedule = unfreezeSchedule(model, { 1: "layer4.*" });
  const mid = weightBytes(model);
  await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [schedule, frozenGuard(model)] });
  const moved = changed(mid, weightBytes(model));
  assert.ok(moved.includes("layer4.1.bn2/moving_mean") && moved.includes("layer4.0.downsample.0/kernel"));
  assert.deepEqual(moved.filter((k) => !k.startsWith("layer4.") && !k.startsWith("fc/")), []);
  assert.equal(schedule.events[0].epoch, 1);
  assert.equal(schedule.events[0].names.length, 10, "layer4: 2 blocks x (2 conv + 2 bn) + downsample conv and bn");
  tf.dispose([x, y]);
  model.dispose();
});
