/**
 * loadWeights from .pth files written by real torch (test/fixtures/make_load_fixtures.py),
 * read by graft's own readers: the seed's checkpoint dict, DataParallel prefixes, the legacy
 * format, structural matching of bare module state dicts, atomicity on a truncated file, and
 * torchvision resnet18 / mobilenet_v2 onto the zoo with outputs equal to torch's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
import { loadWeights } from "../../src/load";
import * as zoo from "../../src/zoo";
import { FIXTURE_DIR, fixturePath, readCase, relativeError, snapshot, torchOutputError } from "./_fixtures";
import { tiny } from "./_tiny";

function features(model: tf.LayersModel, c: ReturnType<typeof readCase>): Float32Array {
  const [, f] = model.predict(tf.tensor(c.input.data, c.input.shape)) as tf.Tensor[];
  return f.dataSync() as Float32Array;
}

test("{state_dict, epoch} .pth from torch: partial load of a 1000-class checkpoint onto a 10-class model", async () => {
  await ready();
  const c = readCase("seed_head");
  const model = tiny(10);
  const report = await loadWeights(model, fixturePath("seed_head.pth"));
  assert.equal(report.format, "torch-zip");
  assert.equal(report.container, "state_dict");
  assert.equal(report.loaded.length, 5);
  assert.deepEqual(report.mismatched.map((m) => m.source), ["fc.weight", "fc.bias"]);
  assert.match(report.summary(), /^loaded 5\/7 tensors, 73\.3 % of parameters; 2 shape mismatches \(fc\.weight 1000×8 vs 10×8, fc\.bias\)/);
  assert.ok(relativeError(features(model, c), c.features!.data) <= 1e-4);
});

test("legacy (non-zip) torch file and module.-prefixed state dict load fully", async () => {
  await ready();
  const c = readCase("seed_head");
  for (const file of ["seed_head_legacy.pth", "seed_head_module.pth"]) {
    const model = tiny(1000);
    const report = await loadWeights(model, fixturePath(file), { strict: true });
    assert.equal(report.coverage, 1, `${file}: ${report.toString()}`);
    assert.ok(relativeError(features(model, c), c.features!.data) <= 1e-4, file);
  }
});

test("bare module state dicts (weight, bias) pair by structure with a named tfjs layer", async () => {
  await ready();
  const c = readCase("conv2d");
  const model = tf.sequential({ layers: [tf.layers.conv2d({ name: "conv", filters: 4, kernelSize: 3, padding: "same", inputShape: [5, 5, 3] })] });
  const report = await loadWeights(model, fixturePath("conv2d.pth"));
  assert.equal(report.coverage, 1, report.toString());
  assert.ok(report.loaded.every((l) => l.structural));
  assert.match(report.toString(), /transpose\(2,3,1,0\) \(by structure\)/);
  const y = model.predict(tf.tensor(c.input.data, c.input.shape)) as tf.Tensor;
  assert.ok(relativeError(y.dataSync(), c.output.data) <= 1e-4);
});

test("atomic: a truncated checkpoint fails the load and leaves every weight exactly as it was", async () => {
  await ready();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-load-"));
  try {
    for (const file of ["seed_head.pth", "seed_head_legacy.pth"]) {
      const bytes = fs.readFileSync(path.join(FIXTURE_DIR, file));
      const cut = path.join(dir, file);
      fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 4000));
      const model = tiny(1000);
      const before = snapshot(model);
      const tensors = tf.memory().numTensors;
      await assert.rejects(loadWeights(model, cut), (e: Error) => e.name.startsWith("Graft"));
      assert.deepEqual(snapshot(model), before, file);
      assert.equal(tf.memory().numTensors, tensors, file);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

for (const [arch, build] of [
  ["resnet18", () => zoo.resnet18({ numClasses: 10, inputShape: [64, 64, 3] })],
  ["mobilenet_v2", () => zoo.mobilenetV2({ numClasses: 10, inputShape: [64, 64, 3] })],
] as const) {
  test(`torchvision ${arch} .pth onto zoo: coverage 1.0, outputs equal torch's`, async () => {
    await ready();
    const model = build();
    const report = await loadWeights(model, fixturePath(`${arch}.pth`), { strict: true });
    assert.equal(report.coverage, 1);
    assert.equal(report.loaded.filter((l) => l.structural).length, 0);
    assert.ok(report.ignored.every((i) => i.source.endsWith("num_batches_tracked")));
    const err = torchOutputError(model, arch);
    assert.ok(err <= 1e-4, `${arch}: relative error ${err}`);
    model.dispose();
  });
}

test("match: 'order' on torchvision resnet18 pairs every weight with its own module, by structure alone", async () => {
  await ready();
  const model = zoo.resnet18({ numClasses: 10, inputShape: [64, 64, 3] });
  const report = await loadWeights(model, fixturePath("resnet18.pth"), { match: "order" });
  assert.equal(report.coverage, 1);
  assert.ok(report.loaded.every((l) => l.structural));
  const crossed = report.loaded.filter((l) => l.target.split("/")[0] !== l.source.replace(/\.[^.]+$/, ""));
  assert.deepEqual(crossed, []);
  assert.ok(torchOutputError(model, "resnet18") <= 1e-4);
  model.dispose();
});
