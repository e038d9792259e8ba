/**
 * Load benchmark ("does loading pretrained weights take long?"): for torchvision
 * resnet50 and vgg16 state dicts written by real torch (random weights) and the same tensors as
 * safetensors, prints graft's time to read every tensor into memory — as tfjs tensors with
 * `read()` (the like of what torch.load returns: tensors of its framework) and as JS arrays with
 * `readRaw()` — node's fs.readFile of the same file, torch.load in Python (timed inside Python),
 * the ratios, and graft's peak RSS above its baseline against the file size. Beside them: the
 * cost of merely filling fresh JS arrays of the same sizes from the same file (the floor for any
 * reader that returns new arrays), and the first load in a fresh process for graft and torch.
 * Targets (judged on read(), best warm run): ≤ 1.3 × raw read, ≤ 1.0 × torch.load, peak extra
 * memory ≤ 1.25 × file size.
 * Run: node --import tsx bench/load.ts   (inputs are generated into bench/.fixtures/ once)
 */
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { open } from "../src/checkpoint/open";
import { ready } from "../src/engine/engine";

const ROOT = join(__dirname, "..");
const DIR = join(ROOT, "bench", ".fixtures");
/** Each figure is the fastest of this many warm runs (the machine may be shared and noisy). */
const RUNS = 10;

/** graft reading every tensor of `file`: as tfjs tensors on the active backend (`read`) or as JS arrays (`readRaw`). */
async function graftChild(file: string, how: "read" | "readRaw"): Promise<void> {
  await ready();
  global.gc?.();
  const base = process.memoryUsage().rss;
  const times: number[] = [];
  let peak = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const ck = await open(file);
    const held: unknown[] = [];
    for (const e of ck.entries) held.push(how === "read" ? await ck.read(e.name) : await ck.readRaw(e.name));
    await ck.close();
    times.push(performance.now() - t0);
    if (r === 0) peak = process.resourceUsage().maxRSS * 1024 - base;
    if (how === "read") tf.dispose(held as tf.Tensor[]);
    held.length = 0; // no forced gc() here: like Python's loop, the runtime frees what it frees on its own
  }
  console.log(JSON.stringify({ ms: Math.min(...times), first: times[0], peakExtra: peak, backend: tf.getBackend() }));
}

/**
 * The least any reader that hands out fresh arrays can do: one new buffer per tensor, of the same
 * sizes as graft's, filled by one synchronous read each from the same file (consecutive ranges).
 */
async function freshArraysChild(file: string): Promise<void> {
  const ck = await open(file);
  const sizes = ck.entries.map((e) => e.byteLength);
  await ck.close();
  const fd = openSync(file, "r");
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const held: Uint8Array[] = [];
    let at = 0;
    for (const n of sizes) {
      const buf = Buffer.allocUnsafeSlow(n);
      readSync(fd, buf, 0, n, at);
      held.push(buf);
      at += n;
    }
    times.push(performance.now() - t0);
    held.length = 0;
  }
  closeSync(fd);
  console.log(JSON.stringify({ ms: Math.min(...times) }));
}

async function readFileChild(file: string): Promise<void> {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await readFile(file);
    times.push(performance.now() - t0);
  }
  console.log(JSON.stringify({ ms: Math.min(...times) }));
}

function child(kind: string, file: string): { ms: number; first?: number; peakExtra?: number; backend?: string } {
  const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", __filename, "--child", kind, file], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(out.trim().split("\n").pop()!);
}

/** torch.load times in ms: the first in a fresh process (file in page cache) and the best of RUNS after it. */
function torchLoadMs(file: string): { ms: number; first: number } {
  const code = `
import sys, time, torch
f = sys.argv[1]
open(f, "rb").read()
ts = []
for _ in range(${RUNS} + 1):
    t0 = time.perf_counter(); torch.load(f, map_location="cpu"); ts.append(time.perf_counter() - t0)
print(ts[0] * 1000, min(ts[1:]) * 1000)`;
  const [first, ms] = execFileSync("/usr/bin/python3", ["-c", code, file], { encoding: "utf8" }).trim().split("\n").pop()!.split(" ").map(Number);
  return { ms, first };
}

function graftOrSkip(how: "read" | "readRaw", file: string): { ms: number; first?: number; peakExtra?: number; backend?: string } | string {
  try {
    return child(how, file);
  } catch (err) {
    const text = String((err as { stderr?: string }).stderr ?? err);
    const line = text.split("\n").find((l) => /Graft\w*Error|not supported/.test(l)) ?? text.split("\n")[0];
    return line.trim();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === "--child") {
    if (process.argv[3] === "read" || process.argv[3] === "readRaw") return graftChild(process.argv[4], process.argv[3]);
    if (process.argv[3] === "fresh") return freshArraysChild(process.argv[4]);
    return readFileChild(process.argv[4]);
  }
  if (!existsSync(join(DIR, "vgg16.safetensors"))) {
    mkdirSync(DIR, { recursive: true });
    console.error("generating bench/.fixtures/ with torch (resnet50, vgg16; once) …");
    execFileSync("/usr/bin/python3", [join(ROOT, "test", "fixtures", "make_torch_bench.py"), DIR], { stdio: "inherit" });
  }
  const fmt = (x: number): string => x.toFixed(2);
  const ms = (x: number): string => x.toFixed(1);
  console.log("graft load benchmark — targets for read(): ≤ 1.3× fs.readFile, ≤ 1.0× torch.load, peak extra RSS ≤ 1.25× file size");
  console.log(`best of ${RUNS} warm runs. read() = tfjs tensors (like torch.load's torch tensors); readRaw() = JS arrays;`);
  console.log(`"fresh arrays" = new JS buffers of the same sizes, one readSync each (no parsing, no checks)`);
  let allMet = true;
  const torchMs = new Map<string, { ms: number; first: number }>();
  for (const name of ["resnet50.pth", "vgg16.pth", "resnet50.safetensors", "vgg16.safetensors"]) {
    const file = join(DIR, name);
    const size = statSync(file).size;
    const raw = child("readFile", file);
    const pth = file.replace(/\.safetensors$/, ".pth");
    const torch = torchMs.get(pth) ?? torchLoadMs(pth);
    torchMs.set(pth, torch);
    const torchNote = name.endsWith(".safetensors") ? " (torch.load of the .pth holding the same tensors: torch cannot read safetensors)" : "";
    const g = graftOrSkip("read", file);
    const a = graftOrSkip("readRaw", file);
    console.log(`\n${name} (${(size / 1e6).toFixed(1)} MB)`);
    if (typeof g === "string" || typeof a === "string") {
      console.log(`  skipped: ${typeof g === "string" ? g : a}`);
      allMet = false;
      continue;
    }
    const fresh = child("fresh", file);
    const rRead = g.ms / raw.ms;
    const rTorch = g.ms / torch.ms;
    const rMem = (g.peakExtra ?? 0) / size;
    const met = rRead <= 1.3 && rTorch <= 1.0 && rMem <= 1.25;
    allMet &&= met;
    console.log(`  graft read()    ${ms(g.ms).padStart(7)} ms   ${fmt(rRead)}× readFile  ${fmt(rTorch)}× torch.load  peak extra ${fmt(rMem)}× file  (${g.backend})  ${met ? "met" : "NOT met"}`);
    console.log(`  graft readRaw() ${ms(a.ms).padStart(7)} ms   ${fmt(a.ms / raw.ms)}× readFile  ${fmt(a.ms / torch.ms)}× torch.load  peak extra ${fmt((a.peakExtra ?? 0) / size)}× file`);
    console.log(`  fresh arrays    ${ms(fresh.ms).padStart(7)} ms   ${fmt(fresh.ms / torch.ms)}× torch.load`);
    console.log(`  fs.readFile     ${ms(raw.ms).padStart(7)} ms`);
    console.log(`  torch.load      ${ms(torch.ms).padStart(7)} ms${torchNote}`);
    console.log(`  first load in a fresh process: read() ${(g.first ?? 0).toFixed(0)} ms, readRaw() ${(a.first ?? 0).toFixed(0)} ms, torch.load ${torch.first.toFixed(0)} ms`);
  }
  console.log(allMet ? "\nall targets met" : "\nsome targets NOT met (see above)");
  console.log(
    "Warm runs of torch.load refill memory its allocator freed the run before; read() fills tensors in the wasm heap, which\n" +
      "reuses the memory of tensors disposed before. readRaw() must return new JS arrays, whose pages the OS faults in on every\n" +
      "run (the fresh-arrays line is that cost alone). The first-load line has no reuse on either side.",
  );
}

void main();
