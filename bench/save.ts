/**
 * Save benchmark: graft's `save` of a zoo resnet50 (25.6 M parameters, random seeded weights)
 * as `.pth` and `.safetensors`, against `torch.save` of the very same state dict in Python
 * (read back from graft's file, timed inside a long-lived Python process, at 1 thread and at all
 * threads, the better taken). Runs interleave graft and torch, and each figure is the best of
 * them, so both see the same shared machine; files go to the same temp folder.
 * Goal: graft `.pth` ≤ 1.0 × torch.save. torch.save truncates and rewrites the file in place;
 * graft writes beside it and renames, so replacing an existing file also pays for freeing the old
 * one — shown apart from a save to a new path. Also shown: `.pth` with `contiguous: true` (every kernel
 * transposed to row-major torch order) and `.safetensors` (always contiguous).
 * Run: node --import tsx bench/save.ts
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { save } from "../src/save";
import { ready, tf } from "../src/engine/engine";
import * as zoo from "../src/zoo";

const RUNS = 9;

/** A Python process that answers each line "<threads>" on stdin with one torch.save's milliseconds. */
const TORCH_SAVE = `
import os, sys, time, torch
src, dst = sys.argv[1], sys.argv[2]
sd = torch.load(src, weights_only=True)
print("ready", os.cpu_count() or 1, flush=True)
for line in sys.stdin:
    torch.set_num_threads(int(line))
    t = time.perf_counter(); torch.save(sd, dst)
    print((time.perf_counter() - t) * 1000, flush=True)
`;

/** torch.save timings, one per call, from a long-lived Python process (so graft and torch runs interleave). */
function torchSaver(src: string, dst: string): { ready: Promise<number>; run(threads: number): Promise<number>; close(): void } {
  const py = spawn("/usr/bin/python3", ["-c", TORCH_SAVE, src, dst], { stdio: ["pipe", "pipe", "inherit"] });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buf = "";
  py.stdout.on("data", (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const next = (): Promise<string> => (lines.length ? Promise.resolve(lines.shift() as string) : new Promise((r) => waiting.push(r)));
  return {
    ready: next().then((l) => Number(l.split(" ")[1])),
    run: async (threads) => {
      py.stdin.write(`${threads}\n`);
      return Number(await next());
    },
    close: () => py.stdin.end(),
  };
}

async function main(): Promise<void> {
  await ready();
  const dir = mkdtempSync(join(tmpdir(), "graft-bench-save-"));
  try {
    const model = zoo.resnet50({ seed: 1 });
    const pth = join(dir, "resnet50.pth");
    await save(model, pth);
    const torch = torchSaver(pth, join(dir, "torch.pth"));
    const threads = [...new Set([1, await torch.ready])];
    const t = { fresh: [] as number[], pth: [] as number[], contiguous: [] as number[], st: [] as number[], torch: [] as number[] };
    const time = async (f: () => Promise<unknown>): Promise<number> => {
      const t0 = performance.now();
      await f();
      return performance.now() - t0;
    };
    // Interleaved rounds: every figure sees the same (shared, noisy) machine.
    for (let i = 0; i < RUNS; i++) {
      t.pth.push(await time(() => save(model, pth)));
      const fresh = join(dir, `fresh-${i}.pth`);
      t.fresh.push(await time(() => save(model, fresh)));
      rmSync(fresh);
      for (const n of threads) t.torch.push(await torch.run(n));
      t.contiguous.push(await time(() => save(model, join(dir, "resnet50-contiguous.pth"), { contiguous: true })));
      t.st.push(await time(() => save(model, join(dir, "resnet50.safetensors"))));
    }
    torch.close();
    const best = (xs: number[]) => Math.min(...xs);
    const torchMs = best(t.torch);
    console.log(`resnet50 save (${tf.getBackend()} backend, best of ${RUNS} interleaved rounds; machine shared with other jobs):`);
    console.log(`  graft .pth, replacing a file   ${best(t.pth).toFixed(0)} ms (the old file is kept until the new one is complete)`);
    console.log(`  graft .pth, to a new path      ${best(t.fresh).toFixed(0)} ms`);
    console.log(`  graft .pth (contiguous: true)  ${best(t.contiguous).toFixed(0)} ms`);
    console.log(`  graft .safetensors             ${best(t.st).toFixed(0)} ms`);
    console.log(`  torch.save                     ${torchMs.toFixed(0)} ms (better of ${threads.join(" and ")} threads)`);
    console.log(`  ratio .pth / torch.save = ${(best(t.pth) / torchMs).toFixed(2)}× replacing, ${(best(t.fresh) / torchMs).toFixed(2)}× to a new path (goal ≤ 1.0×); contiguous .pth ${(best(t.contiguous) / torchMs).toFixed(2)}×; .safetensors ${(best(t.st) / torchMs).toFixed(2)}×`);
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
