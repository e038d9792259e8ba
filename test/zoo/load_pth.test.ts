/**
 * End to end: torchvision's state dict saved by real PyTorch (`torch.save`), grafted onto the
 * zoo model by graft's own `loadWeights` (by name, torch layouts converted, VGG's flatten
 * permutation included); outputs agree with torch's to 1e-4 of the output scale.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ready, tf } from "../../src/engine/engine";
import { loadWeights } from "../../src/load";
import * as zoo from "../../src/zoo";
import { ensureFixtures, pthPath, readFixture } from "./_torch_fixtures";

const BUILDERS: Record<string, (opts: zoo.ZooOptions) => tf.LayersModel> = {
  resnet18: zoo.resnet18,
  resnet34: zoo.resnet34,
  resnet50: zoo.resnet50,
  mobilenet_v2: zoo.mobilenetV2,
  vgg11: zoo.vgg11,
  vgg16: zoo.vgg16,
};

before(async () => {
  await ready();
  ensureFixtures();
});

for (const name of Object.keys(BUILDERS)) {
  test(`loadWeights(zoo.${name}, torchvision .pth) reproduces torch's output`, async () => {
    const fixture = readFixture(name);
    const [batch, height, width, channels] = fixture.inputShape;
    const model = BUILDERS[name]({ numClasses: fixture.numClasses, inputShape: [height, width, channels] });
    try {
      const report = await loadWeights(model, pthPath(name), { strict: true });
      assert.equal(report.applied, true);
      assert.deepEqual([report.missing, report.unexpected, report.mismatched], [[], [], []]);
      assert.equal(report.coverage, 1);
      assert.equal(report.loaded.length, fixture.tensors.size);

      const actual = tf.tidy(() => (model.predict(tf.tensor(fixture.input, [batch, height, width, channels])) as tf.Tensor).dataSync());
      let maxDiff = 0;
      let scale = 0;
      for (let i = 0; i < actual.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(actual[i] - fixture.output[i]));
        scale = Math.max(scale, Math.abs(fixture.output[i]));
      }
      console.log(`${name} via loadWeights: max |diff| ${maxDiff.toExponential(2)}, relative ${(maxDiff / scale).toExponential(2)}, ${report.elapsedMs.toFixed(0)} ms`);
      assert.ok(maxDiff <= 1e-4 * scale, `${name}: max |diff| ${maxDiff} exceeds 1e-4 of the output scale ${scale}`);
    } finally {
      model.dispose();
    }
  });
}
