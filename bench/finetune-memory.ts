/**
 * Peak memory of one fine-tune epoch: graft's zoo resnet18, backbone frozen, head trained by
 * `graft.fit` without the feature cache (the backbone runs every step), on N random images at
 * SIZE², batch BATCH — against PyTorch doing the same with torchvision's resnet18. Each side runs
 * in its own fresh process and reports its peak RSS (Linux VmHWM / ru_maxrss); PyTorch runs at 1
 * thread and at every core and the ratio is against the lower peak. Goal: graft ≤ 1.5× PyTorch.
 * Run: node --import tsx bench/finetune-memory.ts
 * Env: GRAFT_BENCH_IMAGES (160), GRAFT_BENCH_SIZE (224), GRAFT_BENCH_BATCH (32).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const N = Number(process.env.GRAFT_BENCH_IMAGES ?? 160);
const SIZE = Number(process.env.GRAFT_BENCH_SIZE ?? 224);
const BATCH = Number(process.env.GRAFT_BENCH_BATCH ?? 32);
const MiB = 2 ** 20;

/** Peak resident set of this process so far, in bytes (Linux). */
function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

/** Counts the bytes of tensor data the backend holds, and their peak, by wrapping its allocation and release. */
function trackLiveBytes(backend: object): { peak: number } {
  const b = backend as { move: (...a: unknown[]) => void; disposeData: (id: object, force?: boolean) => boolean; dataIdMap: { get(id: object): { shape: number[]; dtype: string } | undefined } };
  const sizes = new Map<object, number>();
  const stats = { live: 0, peak: 0 };
  const move = b.move.bind(b);
  const dispose = b.disposeData.bind(b);
  b.move = (dataId, values, shape, dtype, refCount) => {
    move(dataId, values, shape, dtype, refCount);
    const n = (shape as number[]).reduce((x, y) => x * y, 1) * (dtype === "float32" || dtype === "int32" ? 4 : 1);
    sizes.set(dataId as object, n);
    stats.live += n;
    if (stats.live > stats.peak) stats.peak = stats.live;
  };
  b.disposeData = (dataId, force) => {
    const gone = dispose(dataId, force);
    if (gone && sizes.has(dataId)) {
      stats.live -= sizes.get(dataId)!;
      sizes.delete(dataId);
    }
    return gone;
  };
  return stats;
}

/** The graft side, run in a child process so that its peak is its own. */
async function child(): Promise<void> {
  const { ready, tf } = await import("../src/engine/engine");
  const { fit } = await import("../src/train/fit");
  const { freeze } = await import("../src/freeze");
  const { resnet18 } = await import("../src/zoo");
  const { crossEntropy } = await import("../src/train/losses");
  const info = await ready();
  const model = resnet18({ numClasses: 10, seed: 0 });
  freeze(model, "!fc");
  model.compile({ optimizer: tf.train.adam(1e-3), loss: crossEntropy });
  const x = tf.randomNormal([N, SIZE, SIZE, 3]);
  const y = tf.oneHot(tf.randomUniform([N], 0, 10, "int32") as import("@tensorflow/tfjs").Tensor1D, 10);
  const live = trackLiveBytes(tf.backend());
  const before = peakRss();
  const t = performance.now();
  await fit(model, x, y, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0, cacheFrozen: false });
  const seconds = (performance.now() - t) / 1000;
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.length ?? 0;
  console.log(JSON.stringify({ peak: peakRss(), before, seconds, tensors: tf.memory().numBytes, livePeak: live.peak, heap, reason: info.reason }));
}

async function main(): Promise<void> {
  const graft = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", __filename, "--child"], { encoding: "utf8", maxBuffer: 1 << 24 }).trim().split("\n").pop()!);
  console.log(`engine: wasm — ${graft.reason}`);
  const all = os.availableParallelism();
  const torch = [...new Set([1, all])].map((n) => ({
    n,
    ...JSON.parse(execFileSync("/usr/bin/python3", [path.join(__dirname, "finetune_memory_torch.py"), String(N), String(SIZE), String(BATCH), String(n)], { encoding: "utf8" }).trim()),
  })) as Array<{ n: number; peak: number; before: number; seconds: number }>;
  const best = torch.reduce((a, b) => (b.peak < a.peak ? b : a));
  const mib = (b: number) => `${(b / MiB).toFixed(0)} MiB`;
  console.log(`resnet18 fine-tune, 1 epoch, ${N} images ${SIZE}², batch ${BATCH}, backbone frozen, uncached`);
  console.log(`graft: peak RSS ${mib(graft.peak)} (${mib(graft.before)} before the epoch), epoch ${graft.seconds.toFixed(1)} s; ` +
    `wasm heap after ${mib(graft.heap)} (it never shrinks), tensors live at the peak ${mib(graft.livePeak)}, after ${mib(graft.tensors)}`);
  for (const r of torch) console.log(`PyTorch @${r.n}t: peak RSS ${mib(r.peak)} (${mib(r.before)} before), epoch ${r.seconds.toFixed(1)} s`);
  const ratio = graft.peak / best.peak;
  console.log(`ratio graft / PyTorch peak RSS (its lower, @${best.n}t): ${ratio.toFixed(2)}×   goal ≤ 1.5×   ${ratio <= 1.5 ? "MET" : "NOT MET"}`);
}

if (process.argv.includes("--child")) void child();
else void main();
