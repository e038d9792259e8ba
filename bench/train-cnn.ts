/**
 * Small-CNN training: graft's wasm engine vs PyTorch CPU (same threads) vs tfjs's cpu backend.
 * The CNN: conv 3→32 k3, maxpool 2, conv 32→64 k3, global average pool, dense 10;
 * 64 images 64×64×3, batch 32, 2 epochs, Adam. Target: graft ≤ 2 × PyTorch at its better of 1
 * thread and every core (both run in this one process run, on the same machine). Each side's figure
 * is the median of 5 timed fits of the same model after a warm-up.
 * Run: node --import tsx bench/train-cnn.ts   (GRAFT_BENCH_CPU=0 skips the cpu-backend run)
 */
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { engine, ready, silenceCpuBanner, tf } from "../src/engine/engine";
import "../src"; // graft as `require("graft")` sets it up: its kernels, its fit
import { trainCnnModel } from "./_train_cnn_model";

const cnn = trainCnnModel;

const REPEATS = 5;

async function timeFit(epochs: number, batchesCut?: number): Promise<number> {
  const model = cnn();
  const x = tf.randomNormal([64, 64, 64, 3]);
  const y = tf.oneHot(tf.randomUniform([64], 0, 10, "int32") as tf.Tensor1D, 10);
  let ms: number;
  if (batchesCut === undefined) {
    await model.fit(x, y, { batchSize: 32, epochs: 1, shuffle: false, verbose: 0 }); // warm-up
    const times: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const t = performance.now();
      await model.fit(x, y, { batchSize: 32, epochs, shuffle: false, verbose: 0 });
      times.push(performance.now() - t);
    }
    ms = times.sort((a, b) => a - b)[REPEATS >> 1];
  } else {
    const t = performance.now();
    await model.fit(x.slice(0, batchesCut), y.slice(0, batchesCut), { batchSize: 32, epochs: 1, shuffle: false, verbose: 0 });
    ms = performance.now() - t;
  }
  tf.dispose([x, y]);
  model.dispose();
  return ms / 1000;
}

async function main() {
  const info = await ready();
  const threads = info.threads;
  console.log(`engine: ${info.backend} — ${info.reason}`);
  const graft = await timeFit(2);
  const all = os.availableParallelism();
  const torchAt = (n: number) => Number(execFileSync("/usr/bin/python3", [path.join(__dirname, "train_cnn_torch.py"), String(n)], { encoding: "utf8" }).trim());
  const torchRuns = [...new Set([1, all])].map((n) => ({ n, s: torchAt(n) }));
  const best = torchRuns.reduce((a, b) => (b.s < a.s ? b : a));
  console.log(`graft (tfjs ${engine().backend}, ${threads} thread${threads === 1 ? "" : "s"}): ${graft.toFixed(3)} s for 2 epochs (4 steps), median of ${REPEATS}`);
  console.log(`PyTorch: ${torchRuns.map((r) => `${r.s.toFixed(3)} s with ${r.n} thread${r.n === 1 ? "" : "s"}`).join(", ")}`);
  console.log(`ratio graft / PyTorch at its better (${best.n} thread${best.n === 1 ? "" : "s"}): ${(graft / best.s).toFixed(2)}×   target ≤ 2×   ${graft / best.s <= 2 ? "MET" : "NOT MET"}`);
  if (process.env.GRAFT_BENCH_CPU !== "0") {
    await tf.setBackend("cpu");
    silenceCpuBanner();
    const images = Number(process.env.GRAFT_BENCH_CPU_IMAGES ?? 4);
    const partial = await timeFit(1, images);
    const extrapolated = partial * (2 * 64) / images;
    console.log(`tfjs cpu backend: ${partial.toFixed(2)} s for one step of ${images} images (cut there), ` +
      `extrapolated linearly to 2 epochs × 64 images = ${extrapolated.toFixed(1)} s; ` +
      `graft is ${(extrapolated / graft).toFixed(0)}× faster`);
  }
}
main();
