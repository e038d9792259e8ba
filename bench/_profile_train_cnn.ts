/**
 * Per-kernel profile of one training step of bench/train-cnn's CNN (batch 32), summed by
 * kernel name (and input shapes with GRAFT_PROFILE_SHAPES=1) over a few steps after warm-up.
 * Not a benchmark (`npm run bench` skips files starting with `_`); run it by hand:
 * GRAFT_BACKEND=wasm node --import tsx bench/_profile_train_cnn.ts
 */
import { ready, tf } from "../src/engine/engine";
import "../src"; // graft as `require("graft")` sets it up: its kernels, its fit
import { trainCnnModel } from "./_train_cnn_model";

async function main() {
  const info = await ready();
  console.log(`engine: ${info.backend}, ${info.threads} thread${info.threads === 1 ? "" : "s"}`);
  const m = trainCnnModel();
  const x = tf.randomNormal([32, 64, 64, 3]);
  const y = tf.oneHot(tf.randomUniform([32], 0, 10, "int32") as tf.Tensor1D, 10);
  for (let i = 0; i < 2; i++) await m.trainOnBatch(x, y);
  const steps = 3;
  const t = performance.now();
  for (let i = 0; i < steps; i++) await m.trainOnBatch(x, y);
  const stepMs = (performance.now() - t) / steps;
  const totals = new Map<string, number>();
  for (let i = 0; i < steps; i++) {
    const p = await tf.profile(async () => { await m.trainOnBatch(x, y); });
    for (const k of p.kernels) {
      const key = process.env.GRAFT_PROFILE_SHAPES === "1" ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
      totals.set(key, (totals.get(key) ?? 0) + (k.kernelTimeMs as number) / steps);
    }
  }
  const rows = [...totals].sort((a, b) => b[1] - a[1]);
  console.log(`step ${stepMs.toFixed(1)} ms unprofiled; kernels ${rows.reduce((s, [, v]) => s + v, 0).toFixed(1)} ms profiled`);
  for (const [k, v] of rows) if (v >= 0.5) console.log(`${v.toFixed(1).padStart(7)}  ${k}`);
  tf.dispose([x, y]);
  m.dispose();
}
main();
