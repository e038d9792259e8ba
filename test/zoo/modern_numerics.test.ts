/**
 * convnext_tiny, densenet121 and vit_b_16 against real torchvision 0.14. torch writes a state
 * dict with seeded, randomised weights; graft's own loadWeights grafts it by name (strict), and
 * - eval mode: graft's outputs on torch's random input are within 1e-4 of the output scale;
 * - one training step (loss = Σ output·R): every parameter's gradient on graft's engine is
 *   within 1e-3 of that gradient's scale — convnext and vit in train mode, densenet121 with
 *   eval-mode BatchNorm (frozen statistics; why: BN_GRADIENTS in the fixture script).
 * torch's references are computed in float64 from the float32 weights.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ready, tf } from "../../src/engine/engine";
import { loadWeights, modelWeights, torchNamesOf, torchRule } from "../../src/load";
import { layoutContext } from "../../src/load/layouts";
import { trainableVariables } from "../../src/freeze";
import * as zoo from "../../src/zoo";
import { ensureModernFixtures, modernFixture, readAll, relativeError, type ModernFixture } from "./_modern_fixtures";

const BUILDERS: Record<string, zoo.ZooBuilder> = {
  convnext_tiny: zoo.convnextTiny,
  densenet121: zoo.densenet121,
  vit_b_16: zoo.vitB16,
};

before(async () => {
  await ready();
  ensureModernFixtures();
});

async function build(f: ModernFixture): Promise<tf.LayersModel> {
  const [, height, width, channels] = f.inputShape;
  const model = BUILDERS[f.model]({ numClasses: f.numClasses, inputShape: [height, width, channels] });
  const report = await loadWeights(model, f.pth, { strict: true });
  assert.equal(report.applied, true);
  assert.deepEqual([report.missing, report.unexpected, report.mismatched], [[], [], []]);
  assert.equal(report.coverage, 1);
  return model;
}

for (const name of ["convnext_tiny", "densenet121", "vit_b_16"]) {
  test(`${name}: torchvision's state dict loads by name and eval outputs match torch's within 1e-4`, async () => {
    const f = modernFixture(name);
    const model = await build(f);
    const io = await readAll(f.io);
    try {
      assert.equal(zoo.torchvisionName(model), name);
      const actual = tf.tidy(() => (model.predict(io.get("input") as tf.Tensor) as tf.Tensor).dataSync());
      const expected = (io.get("output") as tf.Tensor).dataSync();
      const { maxDiff, scale, relative } = relativeError(actual, expected);
      console.log(`${name} eval ${f.inputShape.join("×")}: max |diff| ${maxDiff.toExponential(2)}, scale ${scale.toFixed(3)}, relative ${relative.toExponential(2)}`);
      assert.ok(scale > 0.01, `${name}: torch output scale ${scale} is too small for a meaningful check`);
      assert.ok(relative <= 1e-4, `${name}: max |diff| ${maxDiff} is ${relative} of the output scale ${scale} (limit 1e-4)`);
    } finally {
      model.dispose();
      tf.dispose([...io.values()]);
    }
  });

  test(`${name}: one training step's gradients on graft's engine match torch's within 1e-3`, async () => {
    const f = modernFixture(`${name}_grad`);
    const model = await build(f);
    const io = await readAll(f.io);
    const torchGrads = await readAll(f.grads);
    const x = io.get("input") as tf.Tensor;
    const r = io.get("weight") as tf.Tensor;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(model.apply(x, { training: f.training }) as tf.Tensor, r)) as tf.Scalar,
      trainableVariables(model),
    );
    try {
      const worst: Array<{ name: string; relative: number; scale: number }> = [];
      let compared = 0;
      for (const w of modelWeights(model)) {
        if (!w.variable.trainable) continue;
        const [torchName] = torchNamesOf(w) ?? [];
        const source = torchGrads.get(torchName);
        assert.ok(source, `${name}: no torch gradient ${torchName} for ${w.target}`);
        const rule = torchRule(w.layer.getClassName(), w.local);
        const expected = tf.tidy(() => rule!.convert([source], layoutContext(w.layer, w.shape)).dataSync());
        const actual = grads[w.variable.name];
        assert.ok(actual, `${name}: graft computed no gradient for ${w.target}`);
        const err = relativeError(actual.dataSync(), expected);
        worst.push({ name: w.target, relative: err.relative, scale: err.scale });
        compared++;
      }
      worst.sort((a, b) => b.relative - a.relative);
      assert.equal(compared, torchGrads.size, `${name}: compared ${compared} gradients, torch has ${torchGrads.size}`);
      console.log(`${name} grads ${f.inputShape.join("×")}: loss ${value.dataSync()[0].toFixed(4)}, ${compared} tensors, worst ` +
        worst.slice(0, 3).map((w) => `${w.name} ${w.relative.toExponential(2)} (scale ${w.scale.toExponential(1)})`).join(", "));
      const bad = worst.filter((w) => !(w.relative <= 1e-3));
      assert.deepEqual(bad, [], `${name}: gradients beyond 1e-3 of their scale`);
    } finally {
      model.dispose();
      tf.dispose([value, ...Object.values(grads), ...io.values(), ...torchGrads.values()]);
    }
  });
}
