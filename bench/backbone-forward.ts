/**
 * Backbone forward time: graft's zoo models on graft's engine vs torchvision on PyTorch CPU,
 * eval mode, the same batch of random images, best of a few runs after a warm-up. PyTorch is
 * timed at 1 thread and at all of its threads and the better is the reference.
 * Run: node --import tsx bench/backbone-forward.ts   (GRAFT_BENCH_ARCHS=efficientnet_b0,… picks
 * architectures; GRAFT_BENCH_BATCH, GRAFT_BENCH_SIZE, GRAFT_BENCH_REPEATS set the workload)
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { ready, tf } from "../src/train/engine";
import * as zoo from "../src/zoo";

/** torchvision name → zoo builder, for every architecture this bench knows. */
const BUILDERS: Record<string, (opts: zoo.ZooOptions) => tf.LayersModel> = {
  resnet18: zoo.resnet18,
  mobilenet_v2: zoo.mobilenetV2,
  efficientnet_b0: zoo.efficientnetB0,
  mobilenet_v3_large: zoo.mobilenetV3Large,
  mobilenet_v3_small: zoo.mobilenetV3Small,
};

const DEFAULT_ARCHS = ["efficientnet_b0", "mobilenet_v3_large", "mobilenet_v3_small"];

function timeForward(arch: string, batch: number, size: number, repeats: number): number {
  const model = BUILDERS[arch]({ inputShape: [size, size, 3], seed: 0 });
  const x = tf.randomNormal([batch, size, size, 3], 0, 1, "float32", 0);
  let best = Infinity;
  for (let i = 0; i <= repeats; i++) {
    const t = performance.now();
    tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    if (i > 0) best = Math.min(best, (performance.now() - t) / 1000); // run 0 is the warm-up
  }
  x.dispose();
  model.dispose();
  return best;
}

async function main(): Promise<void> {
  const info = await ready();
  const archs = process.env.GRAFT_BENCH_ARCHS ? process.env.GRAFT_BENCH_ARCHS.split(",") : DEFAULT_ARCHS;
  const unknown = archs.filter((a) => !BUILDERS[a]);
  if (unknown.length) throw new Error(`GRAFT_BENCH_ARCHS: unknown ${unknown.join(", ")}; known: ${Object.keys(BUILDERS).join(", ")}`);
  const batch = Number(process.env.GRAFT_BENCH_BATCH ?? 8);
  const size = Number(process.env.GRAFT_BENCH_SIZE ?? 224);
  const repeats = Number(process.env.GRAFT_BENCH_REPEATS ?? 3);
  console.log(`engine: ${info.backend} — ${info.reason}`);
  console.log(`workload: ${batch} × ${size}² × 3, eval forward, best of ${repeats} after a warm-up`);
  const script = path.join(__dirname, "backbone_forward_torch.py");
  const torch = JSON.parse(
    execFileSync("/usr/bin/python3", [script, String(batch), String(size), String(repeats), ...archs], { encoding: "utf8" }),
  ) as Record<string, Record<string, number>>;
  for (const arch of archs) {
    const graft = timeForward(arch, batch, size, repeats);
    const [threads, reference] = Object.entries(torch[arch]).reduce((a, b) => (b[1] < a[1] ? b : a));
    const all = Object.entries(torch[arch]).map(([n, s]) => `${n} thread${n === "1" ? "" : "s"} ${s.toFixed(3)} s`).join(", ");
    console.log(
      `${arch}: graft ${graft.toFixed(3)} s; PyTorch ${all}; ratio graft / PyTorch (${threads} thread${threads === "1" ? "" : "s"}) ` +
        `${(graft / reference).toFixed(2)}×`,
    );
  }
}
main();
