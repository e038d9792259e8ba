import { test } from "node:test";
import assert from "node:assert/strict";
import { ready, silenceCpuBanner, tf } from "../../src/engine/engine";
import { fit } from "../../src/train/fit";
import { mobilenetV2, resnet18 } from "../../src/zoo";

/**
 * Gradients of every trainable weight for one batch on `backend`. BatchNormalization runs in
 * inference mode: with batch statistics of 2 images at 1×1 resolution the gradients are
 * ill-conditioned on any backend (training-mode BatchNorm is checked in wasm_gradients.test.ts).
 */
function gradients(model: tf.LayersModel, backend: string, x: Float32Array, shape: number[], y: Float32Array): Map<string, Float32Array> {
  tf.setBackend(backend);
  silenceCpuBanner();
  const xs = tf.tensor(x, shape), ys = tf.tensor(y, [shape[0], 3]);
  const { grads, value } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: false }) as tf.Tensor) as tf.Scalar);
  const out = new Map(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array]));
  tf.dispose([xs, ys, value, ...Object.values(grads)]);
  return out;
}

for (const [name, make] of [["resnet18", resnet18], ["mobilenetV2", mobilenetV2]] as const) {
  test(`zoo ${name}: gradients on wasm (graft's kernels) equal the cpu backend's`, async () => {
    await ready();
    const model = make({ numClasses: 3, inputShape: [32, 32, 3] });
    const shape = [2, 32, 32, 3];
    const x = Float32Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => Math.sin(i * 0.37));
    const y = Float32Array.from([1, 0, 0, 0, 0, 1]);
    const onWasm = gradients(model, "wasm", x, shape, y);
    const onCpu = gradients(model, "cpu", x, shape, y);
    tf.setBackend("wasm");
    assert.equal(onWasm.size, model.trainableWeights.length);
    // Errors are relative to the largest gradient of each tensor, floored at 1e-3 of the
    // model's largest (deep nets spread float32 rounding differently on each backend).
    const overall = Math.max(...[...onCpu.values()].map((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    for (const [k, want] of onCpu) {
      const got = onWasm.get(k)!;
      const scale = Math.max(want.reduce((m, v) => Math.max(m, Math.abs(v)), 0), 1e-3 * overall);
      const err = want.reduce((m, v, i) => Math.max(m, Math.abs(v - got[i])), 0) / scale;
      assert.ok(err <= 1e-3, `${name} ${k}: max error ${err} of ${scale}`);
    }
    model.dispose();
  });
}

test("zoo resnet18 fits on wasm end to end (whole network trainable): finite losses, the first conv is updated", async () => {
  await ready();
  tf.setBackend("wasm");
  const model = resnet18({ numClasses: 3, inputShape: [32, 32, 3] });
  const before = model.getLayer("conv1").getWeights()[0].dataSync().slice();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy" });
  const x = tf.randomUniform([8, 32, 32, 3], 0, 1, "float32", 1);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], "int32"), 3);
  const history = await fit(model, x, y, { epochs: 2, batchSize: 8, seed: 1, verbose: 0 });
  const loss = history.history.loss as number[];
  assert.ok(loss.every(Number.isFinite), String(loss));
  const after = model.getLayer("conv1").getWeights()[0].dataSync();
  assert.ok(after.some((v, i) => v !== before[i]), "conv1 (the first layer) was updated");
  tf.dispose([x, y]);
  model.dispose();
});
