/**
 * Fuzz: seeded mutations of valid torch-zip, torch-legacy, npy and npz files (written by real
 * torch/numpy). Only GraftFormatError (or a subclass) may escape, no case may run past 5 s, and
 * memory stays bounded. GRAFT_FUZZ_CASES sets the cases per format (default 2000), GRAFT_FUZZ_SEED the seed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { Worker } from "node:worker_threads";
import { fixtures } from "./torch_fixtures";

const CASES = Number(process.env.GRAFT_FUZZ_CASES ?? 2000);
const SEED = Number(process.env.GRAFT_FUZZ_SEED ?? 1);
const CASE_TIMEOUT_MS = 5000;
const torch = fixtures("make_torch_checkpoints.py", "torch");
const npy = fixtures("make_npy_fixtures.py", "npy");

const FORMATS: Record<string, string[]> = {
  "torch-zip": [join(torch, "views.pth"), join(torch, "dtypes.pth"), join(torch, "train_ckpt.pth")],
  "torch-legacy": [join(torch, "legacy.pth"), join(torch, "legacy_whole.pth")],
  npy: [join(npy, "fortran.npy"), join(npy, "be.npy"), join(npy, "v3.npy")],
  npz: [join(npy, "small.npz"), join(npy, "small_compressed.npz")],
};

function fuzz(format: string, seeds: string[], seed: number): Promise<{ failures: string[]; maxArrayBuffers: number; done: number }> {
  const dir = mkdtempSync(join(tmpdir(), "graft-fuzz-"));
  return new Promise((resolve, reject) => {
    // Workers do not inherit tsx's loader hooks: register them, then load the TypeScript worker.
    const entry = `require("tsx/cjs"); require(${JSON.stringify(join(__dirname, "fuzz_torch_worker.ts"))});`;
    const worker = new Worker(entry, {
      eval: true,
      workerData: { seeds, cases: CASES, seed, tmp: join(dir, `case.${format}`) },
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    const failures: string[] = [];
    let done = 0;
    let maxArrayBuffers = 0;
    let timer = setTimeout(() => hang(), CASE_TIMEOUT_MS * 4); // the first case also loads the modules
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      if (err) reject(err);
      else resolve({ failures, maxArrayBuffers, done });
    };
    function hang(): void {
      void worker.terminate();
      finish(new Error(`${format}: case ${done} (seed ${seed}) ran past ${CASE_TIMEOUT_MS} ms; rerun with GRAFT_FUZZ_SEED=${seed}`));
    }
    worker.on("message", (m: { i: number; outcome: string; maxArrayBuffers: number }) => {
      clearTimeout(timer);
      timer = setTimeout(hang, CASE_TIMEOUT_MS);
      done = m.i + 1;
      maxArrayBuffers = m.maxArrayBuffers;
      if (m.outcome !== "ok") failures.push(`case ${m.i}: ${m.outcome}`);
      if (done === CASES) void worker.terminate().then(() => finish());
    });
    worker.on("error", (err) => finish(err));
  });
}

for (const [format, seeds] of Object.entries(FORMATS)) {
  test(`fuzz ${format}: ${CASES} mutants raise only GraftFormatError, none hangs, memory bounded`, async () => {
    const { failures, maxArrayBuffers, done } = await fuzz(format, seeds, SEED);
    assert.equal(done, CASES);
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} cases threw something other than GraftFormatError`);
    assert.ok(maxArrayBuffers < 256 * 2 ** 20, `array buffers reached ${(maxArrayBuffers / 2 ** 20).toFixed(0)} MiB`);
  });
}
