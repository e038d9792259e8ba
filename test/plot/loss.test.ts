import { test } from "node:test";
import assert from "node:assert/strict";
import { ready, tf } from "../../src/engine/engine";
import * as plot from "../../src/plot";
import { xmlError } from "./_xml";

const logs = [
  { loss: 1.2, val_loss: 1.3, acc: 0.4, val_acc: 0.35 },
  { loss: 0.9, val_loss: 1.0, acc: 0.6, val_acc: 0.55 },
  { loss: 0.7, val_loss: 0.95, acc: 0.7, val_acc: 0.6 },
  { loss: 0.5, val_loss: 1.1, acc: 0.8, val_acc: 0.58 },
];

test("loss(array of logs): one panel per metric, train and val traces, best val epoch marked", () => {
  const fig = plot.loss(logs, { unfreezeEpochs: [{ epoch: 2, names: ["layer4.0.conv1", "layer4.0.bn1"] }] });
  assert.deepEqual(fig.data.map((t) => t.name), ["loss", "val_loss", "acc", "val_acc", "best val_loss"]);
  assert.deepEqual(fig.data[0].x, [1, 2, 3, 4], "epoch e is drawn at e + 1");
  assert.deepEqual(fig.data[1].y, [1.3, 1.0, 0.95, 1.1]);
  assert.equal(fig.data[2].xaxis, "x2");
  assert.equal(fig.data[2].yaxis, "y2");
  const best = fig.data[4];
  assert.deepEqual([best.x, best.y], [[3], [0.95]]);
  assert.equal((fig.layout.yaxis as { title: { text: string } }).title.text, "loss");
  assert.equal((fig.layout.yaxis2 as { title: { text: string } }).title.text, "acc");
  assert.equal((fig.layout.xaxis2 as { title: { text: string } }).title.text, "epoch");
  const shapes = fig.layout.shapes as { x0: number; yref: string }[];
  assert.deepEqual(shapes.map((s) => [s.x0, s.yref]), [[2, "paper"]]);
  assert.ok((fig.layout.annotations as { text: string }[]).some((a) => a.text === "unfroze layer4.0.conv1 +1"));
  assert.match((fig.layout.title as { text: string }).text, /best val_loss 0\.95 at epoch 3/);
  assert.equal(fig.toString(), "Training: epoch 4: loss 0.5, val_loss 1.1, acc 0.8, val_acc 0.58 (best val_loss 0.95 at epoch 3)");
});

test("loss: {epoch, history} objects, the metrics option and a schedule's events", () => {
  const schedule = { events: [{ epoch: 1, names: ["fc"] }] };
  const fig = plot.loss({ epoch: [0, 1, 2], history: { loss: [3, 2, 1], acc: [0.1, 0.2, 0.3] } }, { metrics: ["loss"], schedule });
  assert.deepEqual(fig.data.map((t) => t.name), ["loss"]);
  assert.equal(fig.layout.yaxis2, undefined);
  assert.deepEqual((fig.layout.shapes as { x0: number }[]).map((s) => s.x0), [1]);
});

test("loss: a clear TypeError for something that is not a history", () => {
  assert.throws(() => plot.loss({ foo: 1 } as never), (e: Error) => e instanceof TypeError && /Cannot plot this history: expected a tfjs History .* got foo/.test(e.message));
});

test("loss(History from a real model.fit) and its SVG: well-formed, with the curves' points", async () => {
  await ready();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: "softmax" })] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const xs = tf.randomNormal([32, 4], 0, 1, "float32", 1);
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1], "int32"), 3);
  const history = await model.fit(xs, ys, { epochs: 3, batchSize: 8, validationSplit: 0.25, verbose: 0 });
  const fig = plot.loss(history);
  assert.deepEqual(fig.data.map((t) => t.name), ["loss", "val_loss", "acc", "val_acc", "best val_loss"]);
  assert.deepEqual(fig.data[0].y, history.history.loss);
  const svg = fig.toSVG();
  assert.equal(xmlError(svg), "");
  const group = svg.match(/<g class="trace scatter" data-name="val_loss" data-x="([^"]*)" data-y="([^"]*)"[^>]*>\s*<polyline points="([^"]*)"/);
  assert.ok(group, "a val_loss line with its data");
  assert.deepEqual(group[2].split(" ").map(Number), history.history.val_loss);
  assert.equal(group[3].split(" ").length, 3, "one polyline point per epoch");
  assert.match(svg, /class="axis-title"[^>]*>epoch</);
  tf.dispose([xs, ys]);
  model.dispose();
});

test("SVG of params: well-formed, one bar per non-zero count, log axis ticks in powers of ten", () => {
  const counts = { trainable: 10, frozen: 1000, nonTrainable: 4, total: 1014,
    layers: [{ name: "a<&>", trainable: 0, frozen: 1000, nonTrainable: 4, shapes: ["kernel [10,100]"] }, { name: "fc", trainable: 10, frozen: 0, nonTrainable: 0 }] };
  const svg = plot.params(counts, { log: true }).toSVG();
  assert.equal(xmlError(svg), "");
  assert.equal((svg.match(/<rect x=/g) ?? []).length - (svg.match(/<g class="legend">[\s\S]*<\/g>/)?.[0].match(/<rect/g) ?? []).length, 3);
  assert.match(svg, />a&lt;&amp;&gt;</);
  assert.match(svg, />1k</);
  assert.match(svg, /1\.0 k parameters: 10 trainable, 1\.0 k frozen, 4 non-trainable/);
});

test("loss: long batch curves are thinned to maxBatchPoints after smoothing, the last batch kept", () => {
  const live = plot.lossCallback();
  for (let e = 0; e < 5; e++) { for (let b = 0; b < 1000; b++) live.pushBatch({ loss: (b % 2) + e }); live.push({ loss: e }); }
  const fig = plot.loss(live.log, { maxBatchPoints: 500 });
  const raw = fig.data.find((t) => t.name === "loss (batch)")!;
  const smooth = fig.data.find((t) => t.name === "loss (batch, smoothed)")!;
  assert.equal((raw.x as number[]).length, 500);
  assert.equal((raw.x as number[]).at(-1), 5, "the last batch ends epoch 5");
  assert.deepEqual(raw.x, smooth.x);
  assert.ok((smooth.y as number[]).every((v) => v >= 0 && v <= 5));
});

test("loss and acc get distinct legend colours (train and validation of each panel too)", () => {
  const fig = plot.loss(logs);
  const colour = (name: string) => (fig.data.find((t) => t.name === name) as unknown as { marker: { color: string } }).marker.color;
  const colours = ["loss", "val_loss", "acc", "val_acc"].map(colour);
  assert.equal(new Set(colours).size, 4, colours.join(", "));
});
