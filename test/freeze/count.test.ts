import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
import { countParams, formatParams, freeze, paramsTable, unfreeze } from "../../src/freeze";
import * as zoo from "../../src/zoo";
import { nestedCnn, smallCnn } from "./_models";

type Counts = { trainable: number; frozen: number; nonTrainable: number; total: number; layers: Record<string, { trainable: number; frozen: number; nonTrainable: number }> };

/** PyTorch's counts, written by test/fixtures/make_freeze_counts.py (cached; regenerated when the script is newer). */
function torchCounts(): Record<string, Record<string, Counts>> {
  const script = join(__dirname, "../fixtures/make_freeze_counts.py");
  const dir = join(__dirname, "../.fixtures/freeze");
  const out = join(dir, "counts.json");
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(script).mtimeMs) {
    mkdirSync(dir, { recursive: true });
    execFileSync("/usr/bin/python3", [script, out], { stdio: "inherit" });
  }
  return JSON.parse(readFileSync(out, "utf8"));
}

function totals(c: { trainable: number; frozen: number; nonTrainable: number; total: number }) {
  return { trainable: c.trainable, frozen: c.frozen, nonTrainable: c.nonTrainable, total: c.total };
}

test("countParams of the small CNN equals PyTorch's numbers for the same freeze, per layer too", async () => {
  await ready();
  const torch = torchCounts().small_cnn;
  for (const pattern of ["!fc", "layer[1-3].*", "none"]) {
    const model = smallCnn();
    if (pattern !== "none") freeze(model, pattern);
    const c = countParams(model);
    assert.deepEqual(totals(c), totals(torch[pattern]), `pattern ${pattern}`);
    const rows = Object.fromEntries(c.layers.filter((r) => r.trainable + r.frozen + r.nonTrainable > 0)
      .map((r) => [r.name, { trainable: r.trainable, frozen: r.frozen, nonTrainable: r.nonTrainable }]));
    assert.deepEqual(rows, torch[pattern].layers, `pattern ${pattern}`);
  }
});

test("countParams of zoo.resnet18 equals torchvision's resnet18 for the same freeze", async () => {
  await ready();
  const torch = torchCounts().resnet18;
  const model = zoo.resnet18({ numClasses: 10, inputShape: [32, 32, 3] });
  for (const pattern of ["!fc", "layer[1-3].*"]) {
    unfreeze(model, "**");
    freeze(model, pattern);
    assert.deepEqual(totals(countParams(model)), totals(torch[pattern]), `pattern ${pattern}`);
  }
  model.dispose();
});

test("countParams walks nested models and names their layers outer/inner", async () => {
  await ready();
  const model = nestedCnn();
  freeze(model, "backbone");
  const c = countParams(model);
  assert.deepEqual(c.layers.map((r) => r.name), ["backbone/conv1", "backbone/bn1", "backbone/layer1.0.conv1", "backbone/layer1.0.bn1", "backbone/avgpool", "head.0", "head.1"]);
  // backbone: conv 3*3*3*4+4, bn 4+4 (+8 stats), conv 3*3*4*4+4, bn 4+4 (+8 stats); head: 4*8+8, 8*3+3
  assert.deepEqual(totals(c), { trainable: 40 + 27, frozen: 112 + 8 + 148 + 8, nonTrainable: 16, total: 67 + 276 + 16 });
  assert.equal(c.total, model.countParams());
});

test("formatParams and paramsTable render the counts as text with a Frozen column and as HTML", async () => {
  await ready();
  const model = smallCnn();
  freeze(model, "!fc");
  const text = formatParams(model);
  assert.match(text, /Layer \(type\)\s+Trainable\s+Frozen\s+Non-trainable\s+State/);
  assert.match(text, /bn1 \(BatchNormalization\)\s+0\s+8\s+8\s+frozen/);
  assert.match(text, /fc \(Dense\)\s+21\s+0\s+0\s+trainable/);
  assert.match(text, /Total params: 745\nTrainable params: 21\nFrozen params: 692\nNon-trainable params: 32/);
  assert.match(text, /\(3 layers without weights not shown\)/);
  const table = paramsTable(model);
  assert.equal(String(table), text);
  const html = table.toHTML();
  assert.match(html, /^<table class="graft-params">/);
  assert.match(html, /<th>Frozen<\/th>/);
  assert.match(html, /<tr class="frozen"><td style="text-align:left">conv1<\/td>/);
  assert.match(html, /<tr class="trainable"><td style="text-align:left">fc<\/td><td style="text-align:left">Dense<\/td><td style="text-align:right">21<\/td>/);
  assert.deepEqual(table.toJSON(), countParams(model));
});

test("countParams rejects what is not a model", () => {
  assert.throws(() => countParams({} as tf.LayersModel), { name: "TypeError", message: /countParams expects a tf.LayersModel .*: got Object/ });
});
