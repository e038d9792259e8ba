/**
 * The seed's scenarios, on values written by real torch (make_load_fixtures.py): a
 * {"state_dict": …, "epoch": …} checkpoint; a partial load where only matching names and
 * shapes go in (a 1000-class head onto a 10-class model); strict vs non-strict; dry run;
 * atomic failure; prefixes; skip; rename.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
import { GraftError } from "../../src/errors";
import { GraftLoadError, loadWeights } from "../../src/load";
import { memoryCheckpoint, readCase, relativeError, snapshot } from "./_fixtures";
import { tiny } from "./_tiny";

function seed(opts: Parameters<typeof memoryCheckpoint>[1] = {}) {
  const c = readCase("seed_head");
  return { c, ckpt: memoryCheckpoint(c.tensors, { path: "seed_head.pth", container: "state_dict", metadata: c.metadata, ...opts }) };
}

function features(model: tf.LayersModel, c: ReturnType<typeof readCase>): Float32Array {
  const [, f] = model.predict(tf.tensor(c.input.data, c.input.shape)) as tf.Tensor[];
  return f.dataSync() as Float32Array;
}

test("partial load: a 1000-class head onto a 10-class model loads the backbone, reports the head", async () => {
  await ready();
  const { c, ckpt } = seed();
  const model = tiny(10);
  const fcBefore = model.getLayer("fc").getWeights().map((w) => w.dataSync().slice());
  const report = await loadWeights(model, ckpt);
  assert.deepEqual(report.loaded.map((l) => l.source), ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"]);
  assert.deepEqual(report.mismatched.map((m) => [m.source, m.checkpointShape, m.expectedShape, m.modelShape]), [
    ["fc.weight", [1000, 8], [10, 8], [8, 10]],
    ["fc.bias", [1000], [10], [10]],
  ]);
  assert.deepEqual(report.ignored.map((i) => i.source), ["bn1.num_batches_tracked"]);
  assert.equal(report.missing.length, 0);
  assert.equal(report.unexpected.length, 0);
  assert.equal(report.applied, true);
  assert.equal(report.container, "state_dict");
  // 8·3·3·3 + 4·8 = 248 of 248 + 8·10 + 10 = 338 parameters.
  assert.ok(Math.abs(report.coverage - 248 / 338) < 1e-12);
  assert.match(report.summary(), /^loaded 5\/7 tensors, 73\.3 % of parameters; 2 shape mismatches \(fc\.weight 1000×8 vs 10×8, fc\.bias\); applied in \d+ ms$/);
  assert.ok(relativeError(features(model, c), c.features!.data) <= 1e-4, "backbone features differ from torch");
  assert.deepEqual(model.getLayer("fc").getWeights().map((w) => w.dataSync()), fcBefore, "the head must be left as initialised");
});

test("strict: throws GraftLoadError carrying the report, naming each problem and its fix; nothing changes", async () => {
  await ready();
  const { ckpt } = seed();
  const model = tiny(10);
  const before = snapshot(model);
  const err = await loadWeights(model, ckpt, { strict: true }).then(
    () => assert.fail("strict load should throw"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof GraftLoadError && err instanceof GraftError);
  assert.equal(err.name, "GraftLoadError");
  assert.match(err.message, /Cannot load fc\.weight: checkpoint \[1000, 8\], model \[10, 8\] \(tfjs fc\/kernel \[8, 10\]\); it was left as initialised — pass skip: 'fc\.\*' to silence this/);
  assert.match(err.message, /nothing in the model was changed/);
  assert.equal(err.report.mismatched.length, 2);
  assert.match(err.report.summary(), /not applied \(strict: problems found\)$/);
  assert.deepEqual(snapshot(model), before);
  // Following the advice makes the strict load pass: skipped weights are not missing.
  const report = await loadWeights(model, ckpt, { strict: true, skip: "fc.*" });
  assert.deepEqual(report.skipped.map((s) => [s.source, s.target]), [["fc.weight", "fc/kernel"], ["fc.bias", "fc/bias"]]);
  assert.equal(report.loaded.length, 5);
});

test("strict on a fully matching checkpoint loads everything", async () => {
  await ready();
  const { c, ckpt } = seed();
  const model = tiny(1000);
  const report = await loadWeights(model, ckpt, { strict: true });
  assert.equal(report.coverage, 1);
  assert.equal(report.ok, true);
  assert.ok(relativeError(features(model, c), c.features!.data) <= 1e-4);
});

test("dryRun plans and reports without reading or changing anything", async () => {
  await ready();
  const { ckpt } = seed();
  const model = tiny(10);
  const before = snapshot(model);
  const report = await loadWeights(model, ckpt, { dryRun: true });
  assert.equal(report.applied, false);
  assert.equal(report.loaded.length, 5);
  assert.deepEqual(ckpt.reads, []);
  assert.deepEqual(snapshot(model), before);
  assert.match(report.toString(), /not applied \(dry run\)/);
});

test("atomic: a read failure halfway leaves every weight exactly as it was and leaks no tensor", async () => {
  await ready();
  const { ckpt } = seed({ failOn: "bn1.running_var" });
  const model = tiny(1000);
  const before = snapshot(model);
  const tensors = tf.memory().numTensors;
  await assert.rejects(loadWeights(model, ckpt), /truncated data for bn1\.running_var/);
  assert.ok(ckpt.reads.includes("conv1.weight"), "conv1 was read before the failure");
  assert.deepEqual(snapshot(model), before);
  assert.equal(tf.memory().numTensors, tensors);
});

test("onProgress reports bytes up to the total", async () => {
  await ready();
  const { ckpt } = seed();
  const calls: [number, number][] = [];
  await loadWeights(tiny(1000), ckpt, { onProgress: (d, t) => calls.push([d, t]) });
  assert.equal(calls.length, 7);
  const total = (8 * 27 + 4 * 8 + 8000 + 1000) * 4;
  assert.deepEqual(calls.at(-1), [total, total]);
});

test("stripPrefix auto removes DataParallel's module. and says so", async () => {
  await ready();
  const { c, ckpt } = seed({ rename: (n) => `module.${n}` });
  const model = tiny(1000);
  const report = await loadWeights(model, ckpt);
  assert.equal(report.coverage, 1);
  assert.equal(report.prefix?.stripped, "module.");
  assert.ok(report.warnings.some((w) => w.code === "prefix" && /stripped "module\." .* 7 weights match by name instead of 0/.test(w.message)));
  assert.ok(relativeError(features(model, c), c.features!.data) <= 1e-4);
  const off = await loadWeights(tiny(1000), seed({ rename: (n) => `module.${n}` }).ckpt, { stripPrefix: false, match: "name" });
  assert.equal(off.loaded.length, 0);
  assert.equal(off.unexpected.length, 7);
  assert.equal(off.unexpected[0].suggestion, "conv1.weight");
});

test("stripPrefix auto adds a prefix the model's layers carry (backbone.)", async () => {
  await ready();
  const input = tf.input({ shape: [4] });
  const out = tf.layers.dense({ name: "backbone.fc", units: 1000 }).apply(tf.layers.dense({ name: "backbone.pre", units: 8 }).apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const { ckpt } = seed({ rename: (n) => n.replace(/^(conv1|bn1)\./, "pre.") });
  const report = await loadWeights(model, ckpt, { dryRun: true, match: "name" });
  assert.equal(report.prefix?.added, "backbone.");
  assert.ok(report.loaded.some((l) => l.target === "backbone.fc/kernel"));
});

test("rename rules apply in order before matching; skip takes globs, RegExps, lists and predicates", async () => {
  await ready();
  const { ckpt } = seed({ rename: (n) => n.replace(/^conv1/, "stem.conv").replace(/^fc/, "head") });
  const report = await loadWeights(tiny(1000), ckpt, { rename: [[/^stem\.conv/, "conv1"], ["head.", "fc."]], match: "name" });
  assert.equal(report.coverage, 1, report.toString());
  for (const skip of ["bn1.*", /^bn1\./, ["bn1.weight", "bn1.bias", "bn1.running_*", /^bn1\.num_/], (n: string) => n.startsWith("bn1.")] as const) {
    const r = await loadWeights(tiny(1000), seed().ckpt, { dryRun: true, skip: skip as never });
    assert.deepEqual(r.skipped.map((s) => s.source), ["bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"]);
    assert.equal(r.missing.length, 0);
  }
});

test("bad options are TypeErrors naming the option and what is allowed", async () => {
  const { ckpt } = seed();
  await assert.rejects(loadWeights(tiny(10), ckpt, { layout: "keras" as never }), { name: "TypeError", message: /layout must be one of "auto", "torch", "tfjs"; got "keras"/ });
  await assert.rejects(loadWeights(tiny(10), ckpt, { strict: false, skip: 3 as never }), { name: "TypeError", message: /skip must be a glob string/ });
  await assert.rejects(loadWeights({} as never, ckpt), { name: "TypeError", message: /model must be a tf\.LayersModel/ });
});
