/**
 * Forward pass of the zoo's backbones, graft's inference (`graft.infer`: ONNX Runtime when
 * onnxruntime-node is installed, else tfjs; tfjs's own `model.predict` is timed beside it) vs
 * PyTorch CPU: a batch of 224×224 images through the whole model, best of a few timed runs after
 * a warm-up, and the images/s
 * of the frozen feature pass (`includeTop: false`, what `fit(…, { cacheFrozen: true })` runs once).
 * PyTorch runs torchvision's same architecture at 1 thread and at every core; the ratio is
 * against the better. Goal row: resnet18, 16 images, graft ≤ 1.5× PyTorch.
 * Run: node --import tsx bench/backbone-forward.ts [--arch resnet18,mobilenet_v2]
 * Env: GRAFT_BENCH_REPS (3), GRAFT_BENCH_BATCH (resnet18: 16, others 8).
 */
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { ready, tf } from "../src/engine/engine";
import * as zoo from "../src/zoo";
import { infer } from "../src/train/infer";
import { nativeReason, nativeRuntime } from "../src/native";
import { fusedForward } from "../src/fused";

const REPS = Number(process.env.GRAFT_BENCH_REPS ?? 3);
type Builder = (opts?: zoo.ZooOptions) => tf.LayersModel;

/** The zoo's architectures by torchvision name, each with its builder. */
function architectures(): Array<{ name: string; build: Builder }> {
  return zoo.list().map((name) => ({ name, build: zoo.get(name) }));
}

async function bestOf(reps: number, run: () => Promise<void> | void): Promise<number> {
  await run(); // warm-up: kernels set up, heap grown, the native session made
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await run();
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return best;
}

/** graft's inference (`graft.infer`: ONNX Runtime when installed and the layers translate, else tfjs). */
function forward(model: tf.LayersModel, x: tf.Tensor): () => Promise<void> {
  return async () => {
    const y = await infer(model, x, { batchSize: x.shape[0] });
    y.dataSync();
    y.dispose();
  };
}

/** tfjs's own `model.predict` on graft's wasm engine, for reference. */
function tfjsForward(model: tf.LayersModel, x: tf.Tensor): () => void {
  return () => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
}

async function main() {
  const info = await ready();
  console.log(`engine: ${info.backend} — ${info.reason}`);
  console.log(`inference: ${nativeRuntime().reason}`);
  const flag = process.argv.indexOf("--arch");
  const only = flag >= 0 ? process.argv[flag + 1].split(",") : undefined;
  const archs = architectures().filter((a) => !only || only.includes(a.name));
  if (only) for (const name of only) if (!archs.some((a) => a.name === name)) console.log(`${name}: not in the zoo, skipped`);
  const all = os.availableParallelism();
  for (const { name, build } of archs) {
    const batch = Number(process.env.GRAFT_BENCH_BATCH ?? (name === "resnet18" ? 16 : 8));
    const x = tf.randomNormal([batch, 224, 224, 3]);
    const model = build({ seed: 0 });
    const graft = await bestOf(REPS, forward(model, x));
    const onTfjs = await bestOf(REPS, tfjsForward(model, x));
    const engineUsed = nativeReason(model) === undefined ? "native" : fusedForward(model) ? "wasm, convolutions fused" : "wasm";
    const where = `${engineUsed}; tfjs's model.predict ${onTfjs.toFixed(3)} s`;
    model.dispose();
    const features = build({ seed: 0, includeTop: false });
    const feat = await bestOf(REPS, forward(features, x));
    features.dispose();
    x.dispose();
    const torch = [...new Set([1, all])].map((n) => ({
      n,
      s: Number(execFileSync("/usr/bin/python3", [path.join(__dirname, "backbone_forward_torch.py"), name, String(batch), String(n), String(REPS)], { encoding: "utf8" }).trim()),
    }));
    const best = torch.reduce((a, b) => (b.s < a.s ? b : a));
    const ratio = graft / best.s;
    const goal = name === "resnet18" ? `   goal ≤ 1.5×   ${ratio <= 1.5 ? "MET" : "NOT MET"}` : "";
    console.log(`${name} ×${batch} 224²: graft ${graft.toFixed(3)} s [${where}] (${(batch / graft).toFixed(1)} img/s; feature pass ${(batch / feat).toFixed(1)} img/s), ` +
      `PyTorch ${torch.map((r) => `${r.s.toFixed(3)} s @${r.n}t`).join(", ")}; ratio vs PyTorch's better: ${ratio.toFixed(2)}×${goal}`);
  }
}
main();
