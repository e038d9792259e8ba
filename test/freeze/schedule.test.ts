/** Gradual unfreezing inside a running fit, fastai-style group steps, and discriminative learning rates. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
// as after require("graft"): model.fit trains a frozen prefix through its untaped twin (src/train)
import "../../src/train";
import { GraftPatternError, freeze, frozenGuard, frozenLayers, setLearningRateFactors, unfreezeSchedule } from "../../src/freeze";
import { changed, data, smallCnn, weightBytes } from "./_models";

/** Records which weights changed during each epoch. */
class EpochDiff extends tf.Callback {
  perEpoch: string[][] = [];
  private before?: Map<string, Uint8Array>;
  constructor(private readonly target: tf.LayersModel) { super(); }
  override async onEpochBegin(): Promise<void> { this.before = weightBytes(this.target); }
  override async onEpochEnd(): Promise<void> { this.perEpoch.push(changed(this.before!, weightBytes(this.target)).sort()); }
}

const LAYER2 = ["layer2.0.bn1/beta", "layer2.0.bn1/gamma", "layer2.0.bn1/moving_mean", "layer2.0.bn1/moving_variance", "layer2.0.conv1/bias", "layer2.0.conv1/kernel"];
const HEAD = ["fc/bias", "fc/kernel"];

test("unfreeze mid-fit by schedule: newly unfrozen layers change from that epoch on, the others never", async () => {
  await ready();
  const { x, y } = data();
  const m = smallCnn();
  freeze(m, "!fc");
  const optimizer = tf.train.adam(0.01);
  m.compile({ optimizer, loss: "categoricalCrossentropy" });
  const schedule = unfreezeSchedule(m, { 1: "layer2.*", 2: "layer1.0.conv1" });
  const diff = new EpochDiff(m);
  const guard = frozenGuard(m);
  // The diff callback runs before the schedule at epoch begin, so it sees the weights before the epoch's batches either way.
  await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, shuffle: false, callbacks: [diff, schedule, guard] });
  assert.deepEqual(diff.perEpoch[0], HEAD);
  assert.deepEqual(diff.perEpoch[1], [...HEAD, ...LAYER2].sort());
  assert.deepEqual(diff.perEpoch[2], [...HEAD, ...LAYER2, "layer1.0.conv1/bias", "layer1.0.conv1/kernel"].sort());
  assert.deepEqual(schedule.events, [{ epoch: 1, names: ["layer2.0.conv1", "layer2.0.bn1"] }, { epoch: 2, names: ["layer1.0.conv1"] }]);
  assert.equal(guard.checks, 3, "the guard ignores weights unfrozen by the schedule and checks the rest");
  assert.deepEqual(frozenLayers(m), ["conv1", "bn1", "layer1.0.bn1"]);
  assert.equal(String(schedule), 'epoch 1: "layer2.*"; epoch 2: "layer1.0.conv1"');
  tf.dispose([x, y]);
});

test("numeric steps unfreeze fastai layer groups from n on; steps before initialEpoch apply at once", async () => {
  await ready();
  const { x, y } = data();
  const m = smallCnn();
  freeze(m, "!fc");
  m.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
  const schedule = unfreezeSchedule(m, { 0: -2, 3: -3 });
  const diff = new EpochDiff(m);
  await m.fit(x, y, { epochs: 4, initialEpoch: 2, batchSize: 8, verbose: 0, shuffle: false, callbacks: [diff, schedule] });
  assert.deepEqual(schedule.events.map((e) => [e.epoch, e.names]), [[2, ["layer2.0.conv1", "layer2.0.bn1"]], [3, ["layer1.0.conv1", "layer1.0.bn1"]]]);
  assert.deepEqual(diff.perEpoch[0], [...HEAD, ...LAYER2].sort());
  assert.ok(diff.perEpoch[1].includes("layer1.0.bn1/gamma") && !diff.perEpoch[1].some((k) => k.startsWith("conv1") || k.startsWith("bn1")));
  tf.dispose([x, y]);
});

test("a schedule with a typo fails when it is made, before any training", async () => {
  await ready();
  const m = smallCnn();
  assert.throws(() => unfreezeSchedule(m, { 2: "layer4.*" }), (e: unknown) =>
    e instanceof GraftPatternError && /^unfreezeSchedule: pattern "layer4\.\*" matches none/.test(e.message) && e.candidates.includes("layer1.0.bn1"));
  assert.throws(() => unfreezeSchedule(m, { [-1]: "fc" }), { name: "RangeError", message: /epochs are integers >= 0 \(the first epoch is 0\): got "-1"/ });
  assert.throws(() => unfreezeSchedule(m, { 1: "fc" }, { lrFactors: { 2: 0.1 } }), { name: "RangeError", message: /lrFactors has epoch 2, which the schedule lacks \(epochs: 1\)/ });
  assert.throws(() => unfreezeSchedule(m, ["fc"] as never), { name: "TypeError", message: /schedule must be an object from epoch to pattern/ });
  assert.throws(() => unfreezeSchedule(m, { 1: 9 }), { name: "RangeError", message: /n must lie in \[-5, 5\]/ });
});

/** One Adam step on a dense model; returns each weight's change. */
function adamStepDeltas(factors?: Record<string, number>): Map<string, Float32Array> {
  let out = new Map<string, Float32Array>();
  tf.tidy(() => {
    const m = tf.sequential({ layers: [
      tf.layers.dense({ units: 4, inputShape: [3], name: "body", kernelInitializer: "ones" }),
      tf.layers.dense({ units: 2, name: "head", kernelInitializer: "ones" }),
    ] });
    const x = tf.tensor2d([[1, 2, 3], [0.5, -1, 2]]);
    const y = tf.tensor2d([[1, 0], [0, 1]]);
    const opt = tf.train.adam(0.05);
    if (factors) setLearningRateFactors(opt, m, factors);
    const before = m.weights.map((w) => w.read().clone());
    opt.minimize(() => tf.losses.meanSquaredError(y, m.apply(x) as tf.Tensor) as tf.Scalar, false, m.trainableWeights.map((w) => w.read() as tf.Variable));
    out = new Map(m.weights.map((w, i) => [w.originalName, tf.sub(w.read(), before[i]).dataSync() as Float32Array]));
    opt.dispose();
  });
  return out;
}

test("discriminative learning rates scale each group's Adam step exactly, without touching the optimizer class", async () => {
  await ready();
  const prototypeStep = tf.AdamOptimizer.prototype.applyGradients;
  const plain = adamStepDeltas();
  const scaled = adamStepDeltas({ "body": 0.1, "head": 1 });
  for (const [name, d] of plain) {
    const f = name.startsWith("body") ? 0.1 : 1;
    const s = scaled.get(name)!;
    d.forEach((v, i) => assert.ok(Math.abs(s[i] - f * v) <= 1e-6 * Math.abs(v) + 1e-9, `${name}[${i}]: ${s[i]} vs ${f} x ${v}`));
  }
  assert.equal(tf.AdamOptimizer.prototype.applyGradients, prototypeStep, "the optimizer class is untouched");
  assert.throws(() => setLearningRateFactors(tf.train.sgd(1), smallCnn(), { fc: -1 }), { name: "RangeError", message: /factor for fc must be a finite number >= 0: got -1/ });
  assert.throws(() => setLearningRateFactors({} as tf.Optimizer, smallCnn(), {}), { name: "TypeError", message: /expects a tfjs optimizer/ });
});

test("schedule lrFactors: layers unfrozen at an epoch train at that factor (SGD step ratio)", async () => {
  await ready();
  const { x, y } = data(8);
  const m = smallCnn();
  freeze(m, "!fc");
  const optimizer = tf.train.sgd(0.05);
  m.compile({ optimizer, loss: "categoricalCrossentropy" });
  const schedule = unfreezeSchedule(m, { 1: "layer2.0.conv1" }, { lrFactors: { 1: 0.25 } });
  // Epoch 1 = one batch: record the gradient the step used, by recomputing it at the start weights.
  let expected: Float32Array | undefined;
  const probe = new tf.CustomCallback({
    onEpochBegin: async (epoch) => {
      if (epoch !== 1) return;
      const kernel = m.getLayer("layer2.0.conv1").weights[0].read() as tf.Variable;
      const { grads } = tf.variableGrads(() => tf.mean(tf.metrics.categoricalCrossentropy(y, m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, [kernel]);
      expected = tf.tidy(() => tf.add(kernel, tf.mul(grads[kernel.name], -0.05 * 0.25)).dataSync() as Float32Array);
      tf.dispose(grads);
    },
  });
  await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, shuffle: false, callbacks: [schedule, probe] });
  assert.deepEqual(schedule.events, [{ epoch: 1, names: ["layer2.0.conv1"], lrFactor: 0.25 }]);
  const got = m.getLayer("layer2.0.conv1").weights[0].read().dataSync();
  expected!.forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-6, `kernel[${i}] ${got[i]} vs ${v}`));
  tf.dispose([x, y]);
});
