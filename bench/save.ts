/**
 * Save benchmark: graft's `save` of a zoo resnet50 (25.6 M parameters, random seeded weights)
 * as `.pth` and `.safetensors`, against `torch.save` of the very same state dict in Python
 * (read back from graft's file, timed inside Python, at 1 thread and at all threads, the better
 * taken). Each figure is the best of several warm runs; files go to the same temp folder.
 * Goal: graft `.pth` ≤ 1.0 × torch.save. Also shown: `.pth` with `contiguous: true` (every kernel
 * transposed to row-major torch order) and `.safetensors` (always contiguous).
 * Run: node --import tsx bench/save.ts
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { save } from "../src/save";
import { ready, tf } from "../src/train/engine";
import * as zoo from "../src/zoo";

const RUNS = 7;

const TORCH_SAVE = `
import sys, time, torch
src, dst, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sd = torch.load(src, weights_only=True)
best = {}
for threads in sorted({1, torch.get_num_threads()}):
    torch.set_num_threads(threads)
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); torch.save(sd, dst); ts.append(time.perf_counter() - t)
    best[threads] = min(ts) * 1000
print(min(best.values()))
`;

async function main(): Promise<void> {
  await ready();
  const dir = mkdtempSync(join(tmpdir(), "graft-bench-save-"));
  try {
    const model = zoo.resnet50({ seed: 1 });
    const best = async (file: string, opts = {}): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await save(model, file, opts);
        times.push(performance.now() - t);
      }
      return Math.min(...times);
    };
    const pth = join(dir, "resnet50.pth");
    const pthMs = await best(pth);
    const stMs = await best(join(dir, "resnet50.safetensors"));
    const contiguousMs = await best(join(dir, "resnet50-contiguous.pth"), { contiguous: true });
    const torchMs = Number(execFileSync("/usr/bin/python3", ["-c", TORCH_SAVE, pth, join(dir, "torch.pth"), String(RUNS)], { encoding: "utf8" }).trim());
    console.log(`resnet50 save (${tf.getBackend()} backend, best of ${RUNS}; machine shared with other jobs):`);
    console.log(`  graft .pth          ${pthMs.toFixed(0)} ms`);
    console.log(`  graft .pth (contiguous: true) ${contiguousMs.toFixed(0)} ms`);
    console.log(`  graft .safetensors  ${stMs.toFixed(0)} ms`);
    console.log(`  torch.save          ${torchMs.toFixed(0)} ms (better of 1 and all threads)`);
    console.log(`  ratio .pth / torch.save = ${(pthMs / torchMs).toFixed(2)}× (goal ≤ 1.0×); contiguous .pth ${(contiguousMs / torchMs).toFixed(2)}×; .safetensors ${(stMs / torchMs).toFixed(2)}×`);
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
