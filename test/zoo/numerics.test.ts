/**
 * The zoo against real torchvision 0.14: same random weights, same random input, eval mode;
 * outputs agree to 1e-4 of the output scale. Also checks that layer names and weight shapes
 * line up one-to-one with torchvision's state dict.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ready, tf } from "../../src/engine/engine";
import * as zoo from "../../src/zoo";
import { ensureFixtures, readFixture, setWeightsFromTorch } from "./_torch_fixtures";

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

const FIXTURES = [...Object.keys(BUILDERS), "resnet18_57x75", "mobilenet_v2_49x66"];

for (const name of FIXTURES) {
  test(`zoo matches torchvision: ${name} (names, shapes, outputs)`, () => {
    const fixture = readFixture(name);
    const build = BUILDERS[fixture.model];
    const [batch, height, width, channels] = fixture.inputShape;
    const model = build({ numClasses: fixture.numClasses, inputShape: [height, width, channels] });
    try {
      assert.equal(zoo.torchvisionName(model), fixture.model);
      const used = setWeightsFromTorch(model, fixture);
      const unused = [...fixture.tensors.keys()].filter((k) => !used.has(k));
      assert.deepEqual(unused, [], `torch tensors with no zoo weight: ${unused.slice(0, 5).join(", ")}`);

      const actual = tf.tidy(() => {
        const x = tf.tensor(fixture.input, [batch, height, width, channels]);
        return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
      });
      assert.deepEqual(model.outputs[0].shape.slice(1), fixture.outputShape.slice(1));
      assert.equal(actual.length, fixture.output.length);
      let maxDiff = 0;
      let scale = 0;
      for (let i = 0; i < actual.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(actual[i] - fixture.output[i]));
        scale = Math.max(scale, Math.abs(fixture.output[i]));
      }
      const relative = maxDiff / scale;
      console.log(`${name}: max |diff| ${maxDiff.toExponential(2)}, output scale ${scale.toFixed(3)}, relative ${relative.toExponential(2)}`);
      assert.ok(scale > 0.01, `${name}: torch output scale ${scale} is too small for a meaningful check`);
      assert.ok(relative <= 1e-4, `${name}: max |diff| ${maxDiff} is ${relative} of the output scale ${scale} (limit 1e-4)`);
    } finally {
      model.dispose();
    }
  });
}
