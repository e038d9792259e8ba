import { test } from "node:test";
import assert from "node:assert/strict";
import { ready, tf } from "../../src/engine/engine";
import * as plot from "../../src/plot";
import { formatCount } from "../../src/plot/_format";

/** A small model with dotted torch-style names, one frozen block and a BatchNorm. */
function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ name: "stem.conv", filters: 4, kernelSize: 3, useBias: false }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: "stem.bn" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: "stem.relu" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: "pool" }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: "fc", units: 5 }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  model.getLayer("stem.conv").trainable = false;
  model.getLayer("stem.bn").trainable = false;
  return model;
}

test("formatCount writes short counts: units k, M, G with one decimal", () => {
  assert.equal(formatCount(0), "0");
  assert.equal(formatCount(512), "512");
  assert.equal(formatCount(5130), "5.1 k");
  assert.equal(formatCount(9600), "9.6 k");
  assert.equal(formatCount(11_200_000), "11.2 M");
  assert.equal(formatCount(999_960), "1.0 M");
  assert.equal(formatCount(2_500_000_000), "2.5 G");
});

test("params(counts): the title carries the totals as in the issue", () => {
  const counts = { trainable: 5130, frozen: 11_200_000, nonTrainable: 9600, total: 11_214_730,
    layers: [{ name: "conv1", trainable: 0, frozen: 11_200_000, nonTrainable: 9600 }, { name: "fc", trainable: 5130, frozen: 0, nonTrainable: 0 }] };
  const fig = plot.params(counts);
  assert.equal((fig.layout.title as { text: string }).text, "11.2 M parameters: 5.1 k trainable, 11.2 M frozen, 9.6 k non-trainable");
  assert.deepEqual(fig.data.map((t) => t.name), ["trainable", "frozen", "non-trainable"]);
  assert.deepEqual(fig.data[0].y, ["conv1", "fc"]);
  assert.deepEqual(fig.data[1].x, [11_200_000, 0]);
  assert.equal(fig.layout.barmode, "stack");
  assert.equal(fig.layout.updatemenus, undefined, "no toggle when blocks equal layers");
  assert.match(fig.toString(), /^11\.2 M parameters/);
});

test("params(nested model): rows named by path, shapes found for inner layers", async () => {
  await ready();
  const inner = smallModel();
  const input = tf.input({ shape: [8, 8, 3] });
  const out = tf.layers.dense({ name: "head", units: 2 }).apply(inner.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const outer = tf.model({ inputs: input, outputs: out });
  const fig = plot.params(outer);
  const names = fig.data[0].y as string[];
  assert.deepEqual(names, [`${inner.name}/stem.conv`, `${inner.name}/stem.bn`, `${inner.name}/fc`, "head"]);
  assert.match((fig.data[0].customdata as string[])[0], /kernel \[3,3,3,4\]/);
  outer.dispose();
});

test("params(model): trainable, frozen and non-trainable per layer in model order, shapes in the hover", async () => {
  await ready();
  const model = smallModel();
  const fig = plot.params(model);
  const [trainable, frozen, fixed] = fig.data;
  assert.deepEqual(trainable.y, ["stem.conv", "stem.bn", "fc"], "layers without parameters are left out");
  assert.deepEqual(trainable.x, [0, 0, 4 * 5 + 5]);
  assert.deepEqual(frozen.x, [3 * 3 * 3 * 4, 8, 0], "conv kernel and BN gamma/beta are frozen");
  assert.deepEqual(fixed.x, [0, 8, 0], "BN moving statistics are never trainable");
  const hover = (trainable.customdata as string[])[0];
  assert.match(hover, /kernel \[3,3,3,4\]/);
  assert.match(hover, /frozen: 108/);
  const total = model.countParams();
  assert.match((fig.layout.title as { text: string }).text, new RegExp(`^${total} parameters: 25 trainable, 116 frozen, 8 non-trainable$`));
  const all = plot.params(model, { showEmpty: true });
  assert.deepEqual(all.data[0].y, ["stem.conv", "stem.bn", "stem.relu", "pool", "fc"], "countParams leaves out the input layer");
  const grouped = plot.params(model, { groupBy: "block" });
  const visible = grouped.data.filter((t) => t.visible);
  assert.deepEqual(visible[0].y, ["stem", "fc"]);
  assert.deepEqual(visible[1].x, [116, 0]);
  model.dispose();
});

test("params: deep models open per block with a toggle, height grows with rows, log option", () => {
  const layers: Array<{ name: string; trainable: number; frozen: number; nonTrainable: number }> = [];
  for (let b = 1; b <= 4; b++) for (let i = 0; i < 40; i++) layers.push({ name: `layer${b}.${i}.conv`, trainable: b === 4 ? 100 : 0, frozen: b === 4 ? 0 : 1000 * b, nonTrainable: 10 });
  layers.push({ name: "fc", trainable: 5000, frozen: 0, nonTrainable: 0 });
  const sum = (k: "trainable" | "frozen" | "nonTrainable") => layers.reduce((a, l) => a + l[k], 0);
  const counts = { trainable: sum("trainable"), frozen: sum("frozen"), nonTrainable: sum("nonTrainable"), total: 0, layers };
  counts.total = counts.trainable + counts.frozen + counts.nonTrainable;
  const fig = plot.params(counts, { log: true });
  assert.equal(fig.data.length, 6, "3 traces per view, layer and block");
  const shown = fig.data.filter((t) => t.visible);
  assert.deepEqual(shown[0].y, ["layer1", "layer2", "layer3", "layer4", "fc"]);
  const menu = (fig.layout.updatemenus as { buttons: { label: string; args: [{ visible: boolean[] }, { height: number }] }[] }[])[0];
  assert.deepEqual(menu.buttons.map((b) => b.label), ["per layer (161)", "per block (5)"]);
  assert.deepEqual(menu.buttons[0].args[0].visible, [true, true, true, false, false, false]);
  assert.ok(menu.buttons[0].args[1].height > 161 * 14, "per-layer view gets a row per layer");
  assert.ok((fig.layout.height as number) < 600);
  assert.equal((fig.layout.xaxis as { type: string }).type, "log");
  const perLayer = plot.params(counts, { groupBy: "layer" });
  assert.equal((perLayer.data.filter((t) => t.visible)[0].y as string[]).length, 161);
  const small = plot.params({ ...counts, layers: layers.slice(0, 3) });
  assert.ok((small.layout.height as number) <= 300 && (small.layout.height as number) >= 250);
});

test("params: blocks use the shortest dotted prefix giving several blocks (mobilenet's features.N)", () => {
  const names = ["features.0.0", "features.0.1"];
  for (let i = 1; i <= 17; i++) for (const part of ["conv.0.0", "conv.0.1", "conv.1", "conv.2"]) names.push(`features.${i}.${part}`);
  names.push("features.18.0", "features.18.1", "classifier.1");
  const layers = names.map((name) => ({ name, trainable: 0, frozen: 10, nonTrainable: 2 }));
  const fig = plot.params({ trainable: 0, frozen: 10 * names.length, nonTrainable: 2 * names.length, total: 12 * names.length, layers });
  const rows = fig.data.filter((t) => t.visible)[0].y as string[];
  assert.equal(rows.length, 20);
  assert.deepEqual([rows[0], rows[1], rows[19]], ["features.0", "features.1", "classifier.1"]);
  assert.equal(plot.blockOf("backbone/layer1.0.conv1"), "backbone/layer1");
  assert.equal(plot.blockOf("features.3.conv.0", 2), "features.3");
});
