import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { BRIDGE_KEY, type DisplayRequest } from "../../src/display/bridge";
import { ready, tf } from "../../src/engine/engine";
import * as plot from "../../src/plot";
import { freeze, unfreezeSchedule } from "../../src/freeze";

/** Installs a recording kernel bridge for the duration of `fn`. */
async function withBridge(fn: (sent: DisplayRequest[]) => Promise<void> | void): Promise<void> {
  const sent: DisplayRequest[] = [];
  const g = globalThis as Record<symbol, unknown>;
  const before = g[BRIDGE_KEY];
  g[BRIDGE_KEY] = { display: (r: DisplayRequest) => sent.push(structuredClone(r)), clearOutput: () => {} };
  try { await fn(sent); } finally { g[BRIDGE_KEY] = before; }
}

const isLibrary = (r: DisplayRequest) => String(r.data["text/html"]).includes("plotly.js v2.35.3");

test("lossCallback: one display, throttled full-bundle updates under the same id, a final one, plotly.js sent once apart", async () => {
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 });
  try {
    await withBridge(async (sent) => {
      const live = plot.lossCallback({ throttleMs: 250, epochs: 10 });
      await live.onTrainBegin();
      for (let e = 0; e < 10; e++) {
        await live.onEpochBegin(e);
        for (let b = 0; b < 100; b++) {
          await live.onBatchEnd(b, { batch: b, size: 8, loss: 2 / (1 + e + b / 100) });
          mock.timers.tick(10);
        }
        await live.onEpochEnd(e, { loss: 2 / (1 + e), val_loss: 2.2 / (1 + e) });
      }
      await live.onTrainEnd();
      const library = sent.filter(isLibrary);
      const figures = sent.filter((r) => !isLibrary(r));
      assert.equal(library.length, 1, "plotly.js goes out once, as its own output");
      assert.match(String(library[0].id), /^graft-plotly-/, "under a display id of its own");
      assert.ok(sent.indexOf(library[0]) < sent.indexOf(figures[0]), "the library comes before the first figure");
      assert.ok(figures.length <= 10_000 / 250 + 3, `at most ~4 updates a second: ${figures.length} for 10 s`);
      assert.ok(figures.length >= 10, `updates keep flowing: ${figures.length}`);
      assert.equal(figures[0].update, false);
      assert.ok(figures.slice(1).every((r) => r.update === true && r.id === figures[0].id));
      for (const r of figures) {
        assert.deepEqual(Object.keys(r.data).sort(), ["application/vnd.plotly.v1+json", "image/svg+xml", "text/html", "text/plain"]);
        assert.ok(String(r.data["text/html"]).length < 400_000, "updates never carry plotly.js");
      }
      const last = figures[figures.length - 1].data["application/vnd.plotly.v1+json"] as { data: { name: string; y: number[] }[] };
      assert.deepEqual(last.data.find((t) => t.name === "val_loss")!.y.length, 10, "the final update holds every epoch");
      assert.equal(last.data.find((t) => t.name === "loss (batch)")!.y.length, 1000);
      assert.match(String(figures[figures.length - 1].data["text/plain"]), /^Training: epoch 10 of 10/);
    });
  } finally {
    mock.timers.reset();
  }
});

test("lossCallback: a trailing update fires after the throttle; end() cancels it and sends the final state", async () => {
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: 5_000 });
  try {
    await withBridge(async (sent) => {
      const live = plot.lossCallback();
      live.pushBatch({ loss: 1 });           // first display, at once
      live.pushBatch({ loss: 0.9 });         // within 250 ms: held
      assert.equal(live.sent, 1);
      mock.timers.tick(300);                 // the held update goes out
      assert.equal(live.sent, 2);
      for (let i = 0; i < 50; i++) live.push({ loss: 1 / (i + 1) });  // same instant: held in one pending update
      assert.equal(live.sent, 2);
      live.end();
      assert.equal(live.sent, 3);
      mock.timers.tick(1000);
      assert.equal(live.sent, 3, "no stray update after end()");
      const final = sent[sent.length - 1];
      assert.equal(final.update, true);
      const fig = final.data["application/vnd.plotly.v1+json"] as { data: { name: string; y: number[] }[] };
      assert.equal(fig.data.find((t) => t.name === "loss")!.y.length, 50);
    });
  } finally {
    mock.timers.reset();
  }
});

test("lossCallback in model.fit, mixed with a built-in tfjs callback, and a second fit continuing the epochs", async () => {
  await ready();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: "meanSquaredError" });
  const xs = tf.tensor2d([[0, 1], [1, 0], [1, 1], [0, 0], [2, 1], [1, 2], [2, 2], [0, 2]]);
  const ys = tf.tensor2d([[1], [1], [2], [0], [3], [3], [4], [2]]);
  await withBridge(async (sent) => {
    const live = plot.lossCallback();
    await model.fit(xs, ys, { epochs: 3, batchSize: 4, validationSplit: 0.25, verbose: 0, callbacks: [live] });
    const firstId = live.displayId;
    await model.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [tf.callbacks.earlyStopping({ patience: 5 }), live as never] });
    assert.match(String(sent[sent.length - 1].data["text/plain"]), /^Training: epoch 5 of 5:/, "tfjs's params give the planned epochs");
    let plain = 0;
    await model.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [{ onEpochEnd: async () => { plain++; } }, live as never] });
    assert.equal(plain, 1, "tfjs wraps both in CustomCallbacks: our hooks are bound");
    assert.deepEqual(live.log.epochNumbers, [0, 1, 2, 3, 4, 5]);
    assert.notEqual(live.displayId, firstId, "a second fit shows in its own output");
    const ids = new Set(sent.filter((r) => r.id && !isLibrary(r) && !r.id.startsWith("graft-plotly-")).map((r) => r.id));
    assert.equal(ids.size, 3);
    const library = sent.filter(isLibrary);
    assert.equal(library.length, 3, "each fit's first display carries the library (the session's first copy, then the latest)");
    const emptied = sent.filter((r) => r.update && String(r.id).startsWith("graft-plotly-"));
    assert.deepEqual(emptied.map((r) => r.id), [library[1].id], "the previous latest copy is emptied; the first copy is kept");
    const last = sent[sent.length - 1].data["application/vnd.plotly.v1+json"] as { data: { name: string; x: number[] }[] };
    assert.deepEqual(last.data.find((t) => t.name === "loss")!.x, [1, 2, 3, 4, 5, 6]);
    assert.equal(live.log.batches.length, 3 * 2 + 2 * 2 + 1);
    assert.ok(live.log.batches.every((b) => !("batch" in b.logs) && !("size" in b.logs)));
  });
  tf.dispose([xs, ys]);
  model.dispose();
});

test("lossCallback with graft's unfreezeSchedule: the unfreezing epochs become vertical lines", async () => {
  await ready();
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 4, inputShape: [2], name: "backbone.fc1" }), tf.layers.dense({ units: 1, name: "head" })] });
  freeze(model, "backbone.*");
  model.compile({ optimizer: tf.train.sgd(0.01), loss: "meanSquaredError" });
  const schedule = unfreezeSchedule(model, { 2: "backbone.*" });
  const live = plot.lossCallback({ schedule });
  const xs = tf.ones([8, 2]), ys = tf.ones([8, 1]);
  await model.fit(xs, ys, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [schedule, live as never] });
  const fig = live.figure();
  assert.deepEqual((fig.layout.shapes as { x0: number }[]).map((s) => s.x0), [2]);
  assert.ok((fig.layout.annotations as { text: string }[]).some((a) => a.text === "unfroze backbone.fc1"));
  tf.dispose([xs, ys]);
  model.dispose();
});

test("lossCallback outside the kernel: shows nothing, keeps the figure", () => {
  const live = plot.lossCallback({ unfreezeEpochs: [1] });
  live.push({ loss: 1, val_loss: 2 });
  live.push({ loss: 0.5, val_loss: 1 });
  live.end();
  assert.equal(live.sent, 0);
  const fig = live.figure();
  assert.deepEqual(fig.data.map((t) => t.name), ["loss", "val_loss", "best val_loss"]);
  assert.equal((fig.layout.shapes as unknown[]).length, 1);
});
