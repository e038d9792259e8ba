/**
 * Keras HDF5 benchmark: a Keras-2-layout VGG16 `.h5` (553 MB, written by h5py) read through
 * graft's openKerasH5 (h5wasm in a worker; see src/checkpoint/_h5.ts for the library choice),
 * against node's fs.readFile of the same file. Prints open time, time to read every weight, the
 * ratio to the raw read, and peak RSS above baseline against the file size.
 * No target is set for Keras files in the issue; the reference figures for the h5wasm-vs-jsfive
 * decision (h5wasm 1.75 s, jsfive 43.8 s to read all, 0.54 s raw) are in _h5.ts.
 * Run: node --import tsx bench/keras_h5.ts   (the input is generated into bench/.fixtures/ once)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { openKerasH5 } from "../src/checkpoint/keras_h5";

const DIR = join(__dirname, ".fixtures");
const FILE = join(DIR, "vgg16_keras2.h5");
const RUNS = 3;

async function main(): Promise<void> {
  if (!existsSync(FILE)) {
    mkdirSync(DIR, { recursive: true });
    console.log("writing", FILE, "with h5py …");
    execFileSync("/usr/bin/python3", [join(__dirname, "_make_keras_vgg16.py"), FILE], { stdio: "inherit" });
  }
  const size = statSync(FILE).size;
  await readFile(FILE); // warm the page cache
  const base = process.memoryUsage().rss;
  let peak = base;
  let best = { open: Infinity, all: Infinity };
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const ck = await openKerasH5(FILE, {});
    const t1 = performance.now();
    for (const e of ck.entries) {
      await ck.readRaw(e.name);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    await ck.close();
    const t2 = performance.now();
    best = { open: Math.min(best.open, t1 - t0), all: Math.min(best.all, t2 - t0) };
  }
  let raw = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await readFile(FILE);
    raw = Math.min(raw, performance.now() - t0);
  }
  const mb = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MiB`;
  console.log(`file: ${FILE} (${mb(size)})`);
  console.log(`graft openKerasH5: open ${best.open.toFixed(0)} ms (first open includes the HDF5 worker start), open + read all ${best.all.toFixed(0)} ms`);
  console.log(`fs.readFile: ${raw.toFixed(0)} ms   ratio graft/raw: ${(best.all / raw).toFixed(2)}× (no target set; see _h5.ts)`);
  console.log(`peak RSS above baseline: ${mb(peak - base)} = ${((peak - base) / size).toFixed(2)}× file size`);
}

void main();
