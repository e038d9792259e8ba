// lossCallback inside graft.fit, including the frozen-feature cache (the head trains on cached
// features, with graft's own guard callback in front of ours).
import { test } from "node:test";
import assert from "node:assert/strict";
import { BRIDGE_KEY, type DisplayRequest } from "../../src/display/bridge";
import { fit } from "../../src/train";
import { ready, tf } from "../../src/engine";
import { freeze } from "../../src/freeze";
import * as plot from "../../src/plot";

test("lossCallback in graft.fit with cacheFrozen: every epoch and batch recorded, a final update sent", async () => {
  await ready();
  const input = tf.input({ shape: [6] });
  const h = tf.layers.dense({ units: 8, activation: "relu", name: "backbone.fc1" }).apply(input) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: "softmax", name: "head" }).apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  freeze(model, "backbone.*");
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
  const xs = tf.randomNormal([32, 6], 0, 1, "float32", 3);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 2), "int32"), 2);
  const sent: DisplayRequest[] = [];
  const g = globalThis as Record<symbol, unknown>;
  const before = g[BRIDGE_KEY];
  g[BRIDGE_KEY] = { display: (r: DisplayRequest) => sent.push(r), clearOutput: () => {} };
  try {
    const live = plot.lossCallback();
    await fit(model, xs, ys, { epochs: 3, batchSize: 8, validationSplit: 0.25, verbose: 0, cacheFrozen: true, callbacks: [live] });
    assert.deepEqual(live.log.epochNumbers, [0, 1, 2]);
    assert.equal(live.log.batches.length, 3 * 3, "24 training samples / 8 = 3 batches per epoch");
    assert.ok(live.log.epochs.every((l) => Number.isFinite(l.loss) && Number.isFinite(l.val_loss)));
    const last = sent[sent.length - 1];
    assert.equal(last.update, true);
    assert.match(String(last.data["text/plain"]), /^Training: epoch 3 of 3: /);
  } finally {
    g[BRIDGE_KEY] = before;
    tf.dispose([xs, ys]);
    model.dispose();
  }
});
