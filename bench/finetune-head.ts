/**
 * Fine-tuning a head on a frozen zoo resnet18 (96×96, 512 images, batch 32, 5 epochs, Adam):
 * graft.fit with cacheFrozen vs without, per epoch after the first (target: cached ≥ 10×
 * faster), and total time vs PyTorch doing the same frozen fine-tune naively.
 * Env: GRAFT_BENCH_IMAGES (512), GRAFT_BENCH_SIZE (96), GRAFT_BENCH_EPOCHS (5),
 * GRAFT_BENCH_UNCACHED_EPOCHS (3: the uncached run is the slow one; its later epochs all cost
 * the same, so 3 give the per-epoch figure and keep the run under ~3 minutes).
 * Run: node --import tsx bench/finetune-head.ts
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { ready, tf } from "../src/engine/engine";
import { fit } from "../src/train/fit";
import { resnet18 } from "../src/zoo";
import { freeze } from "../src/freeze";
import { crossEntropy } from "../src/train/losses";

const N = Number(process.env.GRAFT_BENCH_IMAGES ?? 512);
const SIZE = Number(process.env.GRAFT_BENCH_SIZE ?? 96);
const EPOCHS = Number(process.env.GRAFT_BENCH_EPOCHS ?? 5);
const UNCACHED_EPOCHS = Number(process.env.GRAFT_BENCH_UNCACHED_EPOCHS ?? Math.min(EPOCHS, 3));

async function run(cacheFrozen: boolean, x: tf.Tensor, y: tf.Tensor, epochs: number): Promise<number[]> {
  const model = resnet18({ numClasses: 10, inputShape: [SIZE, SIZE, 3] });
  freeze(model, "!fc"); // the backbone: every layer but the head
  model.compile({ optimizer: tf.train.adam(1e-3), loss: crossEntropy });
  const times: number[] = [];
  let t = performance.now();
  const start = t;
  const clock = { onEpochEnd: async () => { const now = performance.now(); times.push((now - t) / 1000); t = now; } };
  await fit(model, x, y, { epochs, batchSize: 32, shuffle: true, seed: 1, verbose: 0, cacheFrozen, callbacks: clock });
  // With caching, the first epoch's time excludes the feature pass that ran before it: add it.
  const total = (performance.now() - start) / 1000;
  times[0] += total - times.reduce((a, b) => a + b, 0);
  model.dispose();
  return times;
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);

async function main() {
  const info = await ready();
  const threads = Number((info.reason.match(/(\d+) threads?/) ?? [])[1] ?? 1);
  console.log(`engine: ${info.backend} — ${info.reason}`);
  console.log(`resnet18 (graft zoo) ${SIZE}×${SIZE}, ${N} images, batch 32, ${EPOCHS} epochs, backbone frozen, head = fc`);
  const x = tf.randomNormal([N, SIZE, SIZE, 3]);
  const y = tf.oneHot(tf.randomUniform([N], 0, 10, "int32") as tf.Tensor1D, 10);
  const cached = await run(true, x, y, EPOCHS);
  const plain = await run(false, x, y, UNCACHED_EPOCHS);
  const torch = JSON.parse(execFileSync("/usr/bin/python3", [path.join(__dirname, "finetune_head_torch.py"), String(N), String(SIZE), String(EPOCHS), String(threads)], { encoding: "utf8" })) as number[];
  const fmt = (a: number[]) => a.map((v) => v.toFixed(2)).join(", ");
  const plainTotal = plain[0] + mean(plain.slice(1)) * (EPOCHS - 1);
  console.log(`graft uncached: epochs [${fmt(plain)}] s` + (plain.length < EPOCHS
    ? ` (ran ${plain.length} of ${EPOCHS} epochs; ${EPOCHS}-epoch total extrapolated from the later ones: ${plainTotal.toFixed(1)} s)`
    : `, total ${plainTotal.toFixed(1)} s`));
  console.log(`graft cached:   epochs [${fmt(cached)}] s (first includes the one feature pass), total ${sum(cached).toFixed(1)} s`);
  console.log(`PyTorch naive (${threads} thread${threads === 1 ? "" : "s"}): epochs [${fmt(torch)}] s, total ${sum(torch).toFixed(1)} s`);
  if (EPOCHS > 1 && plain.length > 1) {
    const speedup = mean(plain.slice(1)) / mean(cached.slice(1));
    console.log(`later epochs: cached ${mean(cached.slice(1)).toFixed(3)} s vs uncached ${mean(plain.slice(1)).toFixed(2)} s = ${speedup.toFixed(0)}× faster   target ≥ 10×   ${speedup >= 10 ? "MET" : "NOT MET"}`);
  }
  console.log(`total: graft cached / PyTorch naive = ${(sum(cached) / sum(torch)).toFixed(2)}×; graft uncached / PyTorch = ${(plainTotal / sum(torch)).toFixed(2)}×`);
}
main();
