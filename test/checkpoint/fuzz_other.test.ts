/**
 * Fuzz: seeded mutations of valid safetensors (single and sharded), tfjs (model.json + shards,
 * plain and quantized) and Keras (2 .h5, 3 .weights.h5, .keras) files. Only GraftFormatError (or
 * a subclass) may escape — anything h5wasm throws must come out wrapped — no case may run past
 * 5 s, and memory stays bounded. GRAFT_FUZZ_CASES sets the cases per format (default 2000),
 * GRAFT_FUZZ_SEED the seed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
import { fixtures } from "./torch_fixtures";
import { open } from "../../src/checkpoint/open";

const CASES = Number(process.env.GRAFT_FUZZ_CASES ?? 2000);
const SEED = Number(process.env.GRAFT_FUZZ_SEED ?? 1);
const CASE_TIMEOUT_MS = 5000;
const st = fixtures("make_safetensors_fixtures.py", "safetensors");
const keras = fixtures("make_keras_fixtures.py", "keras");
const work = mkdtempSync(join(tmpdir(), "graft-fuzz-other-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

interface SeedSet { entry: string; files: string[] }

/** A small tfjs model saved by tfjs itself, and a quantized manifest written per the converter's spec. */
async function tfjsSeeds(): Promise<SeedSet[]> {
  await ready();
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [3], units: 4, name: "d1" }));
  m.add(tf.layers.dense({ units: 2, name: "d2" }));
  const saved = join(work, "tfjs-saved");
  await m.save(`file://${saved}`);
  const quant = join(work, "tfjs-quant");
  mkdirSync(quant);
  const weights = [
    { name: "k8", shape: [3, 4], dtype: "float32", quantization: { dtype: "uint8", scale: 0.01, min: -1 } },
    { name: "k16", shape: [4], dtype: "float32", quantization: { dtype: "uint16", scale: 1e-4, min: 0 } },
    { name: "h", shape: [2], dtype: "float32", quantization: { dtype: "float16" } },
    { name: "i", shape: [2], dtype: "int32" },
  ];
  writeFileSync(join(quant, "group1-shard1of2.bin"), Buffer.from(Array.from({ length: 15 }, (_, i) => i * 17)));
  writeFileSync(join(quant, "group1-shard2of2.bin"), Buffer.from([1, 2, 3, 4, 5, 0x00, 0x3c, 0x00, 0xc0, 1, 0, 0, 0, 2, 0, 0, 0]));
  writeFileSync(join(quant, "model.json"), JSON.stringify({ format: "graph-model", weightsManifest: [{ paths: ["group1-shard1of2.bin", "group1-shard2of2.bin"], weights }] }));
  return [
    { entry: join(saved, "model.json"), files: [join(saved, "model.json"), join(saved, "weights.bin")] },
    { entry: join(quant, "model.json"), files: ["model.json", "group1-shard1of2.bin", "group1-shard2of2.bin"].map((f) => join(quant, f)) },
  ];
}

const sharded = ["model.safetensors.index.json", "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors"];
const FORMATS: Record<string, () => Promise<SeedSet[]> | SeedSet[]> = {
  safetensors: () => [
    { entry: join(st, "small.safetensors"), files: [join(st, "small.safetensors")] },
    { entry: join(st, "dtypes.safetensors"), files: [join(st, "dtypes.safetensors")] },
    { entry: join(st, "sharded", sharded[0]), files: sharded.map((f) => join(st, "sharded", f)) },
  ],
  tfjs: tfjsSeeds,
  "keras-h5": () => ["small.h5", "keras2_weights.h5", "model.weights.h5", "model_deflated.keras"].map((f) => ({ entry: join(keras, f), files: [join(keras, f)] })),
};

function fuzz(format: string, seeds: SeedSet[]): Promise<{ failures: string[]; maxArrayBuffers: number; done: number; slow: number[] }> {
  const dir = join(work, format);
  mkdirSync(dir);
  return new Promise((resolve, reject) => {
    // Workers do not inherit tsx's loader hooks: register them, then load the TypeScript worker.
    const entry = `require("tsx/cjs"); require(${JSON.stringify(join(__dirname, "fuzz_other_worker.ts"))});`;
    const worker = new Worker(entry, { eval: true, workerData: { seeds, cases: CASES, seed: SEED, tmp: dir }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    const failures: string[] = [];
    const slow: number[] = [];
    let done = 0;
    let maxArrayBuffers = 0;
    let timer = setTimeout(hang, CASE_TIMEOUT_MS * 4); // the first case also loads the modules (and h5wasm)
    function finish(err?: Error): void {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve({ failures, maxArrayBuffers, done, slow });
    }
    function hang(): void {
      void worker.terminate();
      finish(new Error(`${format}: case ${done} (seed ${SEED}) ran past ${CASE_TIMEOUT_MS} ms; rerun with GRAFT_FUZZ_SEED=${SEED}`));
    }
    worker.on("message", (m: { i: number; outcome: string; maxArrayBuffers: number; ms: number }) => {
      if (m.ms > 1000) slow.push(m.i);
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
  test(`fuzz ${format}: ${CASES} mutants raise only GraftFormatError, none hangs, memory bounded`, async (t) => {
    const sets = await seeds();
    for (const set of sets) {
      // The unmutated seeds must read cleanly, or every mutant would "pass" by failing.
      const ck = await open(set.entry);
      assert.ok(ck.entries.length > 0, set.entry);
      for (const e of ck.entries) await ck.readRaw(e.name);
      await ck.close();
    }
    const { failures, maxArrayBuffers, done, slow } = await fuzz(format, sets);
    if (slow.length) t.diagnostic(`${slow.length} cases took over 1 s (a stalled HDF5 call is cut off after 3 s): ${slow.slice(0, 10).join(", ")}`);
    assert.equal(done, CASES);
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} cases threw something other than GraftFormatError`);
    assert.ok(maxArrayBuffers < 256 * 2 ** 20, `array buffers reached ${(maxArrayBuffers / 2 ** 20).toFixed(0)} MiB`);
    // The HDF5 worker's wasm heap lives in this process too: its peak RSS bounds everything.
    const maxRss = process.resourceUsage().maxRSS * 1024;
    assert.ok(maxRss < 1.5 * 2 ** 30, `process peak RSS reached ${(maxRss / 2 ** 20).toFixed(0)} MiB`);
  });
}
