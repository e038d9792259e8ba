/**
 * bench/apply: time from the loadWeights call to the weights being in the model, for zoo
 * resnet50 and vgg16 from `.pth` files written by real torch (bench/.fixtures, made if missing),
 * against (a) reading the same file raw with fs.readFile and (b) PyTorch's torch.load +
 * model.load_state_dict, timed inside Python. One run prints every figure, ratio and target.
 *
 * Targets (issue 4): loadWeights ≤ 1.5 × raw read, ≤ 1.0 × PyTorch's load + load_state_dict.
 * Each figure is the best (minimum) of REPEATS runs, with the median and the first run in the
 * process beside it (the file is in the page cache for all three). Minima are compared because
 * on a shared 2-core machine the other processes' load only ever adds time; the medians show
 * how much; the first runs show both sides without memory reused from a previous run.
 *
 * Where the time goes (printed per model): opening reads the index (data.pkl) only; then every
 * weight's bytes are read in row bands into one staging region of the wasm heap and transposed
 * from there into the new tensor by a SIMD kernel (OIHW → HWIO, (out, in) → (in, out): a second
 * memory pass PyTorch does not need, since its layout is the file's), then assigned (zero-copy).
 *
 * Run: node --import tsx bench/apply.ts [resnet50|vgg16 …]   (REPEATS=n to change the count)
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ready, engine } from "../src/engine/engine";
import { loadWeights } from "../src/load";
import * as zoo from "../src/zoo";

const ROOT = path.resolve(__dirname, "..");
const DIR = path.join(ROOT, "bench", ".fixtures");
const SCRIPT = path.join(ROOT, "bench", "_make_apply_fixtures.py");
const PYTHON = "/usr/bin/python3";
const REPEATS = Number(process.env.REPEATS ?? 5);

const BUILDERS: Record<string, () => tf.LayersModel> = {
  resnet50: () => zoo.resnet50(),
  vgg16: () => zoo.vgg16(),
};

/** Best, median and first (the first run in a fresh process, file in the page cache) of a list of seconds. */
interface Figure {
  best: number;
  median: number;
  first: number;
}
const figure = (xs: number[]): Figure => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)], first: xs[0] };
};
const n = (x: number): string => (x * 1000).toFixed(0).padStart(6);
const ms = (f: Figure): string => `${n(f.best)} ${n(f.median)} ${n(f.first)}`;
const ratio = (a: Figure, b: Figure, k: keyof Figure): string => (a[k] / b[k]).toFixed(2).padStart(5) + "×";

async function timeRaw(file: string): Promise<Figure> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const buf = await fs.promises.readFile(file);
    times.push((performance.now() - t0) / 1000);
    if (buf.length === 0) throw new Error("empty file");
  }
  return figure(times);
}

async function timeLoad(arch: string, file: string): Promise<{ seconds: Figure; coverage: number; summary: string; timings: string }> {
  const model = BUILDERS[arch]();
  const times: number[] = [];
  let last = { coverage: 0, summary: "", timings: "" };
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const report = await loadWeights(model, file, { strict: true });
    times.push((performance.now() - t0) / 1000);
    const t = report.timings;
    last = {
      coverage: report.coverage,
      summary: report.summary(),
      timings: t ? `open ${t.openMs.toFixed(0)} ms, plan ${t.planMs.toFixed(0)} ms, read+convert+assign ${t.applyMs.toFixed(0)} ms (in place ${(t.inPlaceMs ?? 0).toFixed(0)} ms with ${t.inPlaceShared ?? 0} weights on a second thread, converting ${t.convertMs.toFixed(0)} ms, assigning ${t.assignMs.toFixed(0)} ms)` : "",
    };
  }
  model.dispose();
  return { seconds: figure(times), ...last };
}

function timeTorch(arch: string): { load: Figure; apply: Figure } {
  const out = execFileSync(PYTHON, [SCRIPT, "time", DIR, arch, String(REPEATS)], { encoding: "utf8" });
  const r = JSON.parse(out.trim().split("\n").pop() as string) as { load_s: number[]; load_state_dict_s: number[] };
  const total = r.load_s.map((l, i) => l + r.load_state_dict_s[i]);
  return { load: figure(r.load_s), apply: figure(total) };
}

async function main(): Promise<void> {
  const archs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(BUILDERS);
  execFileSync(PYTHON, [SCRIPT, "make", DIR], { stdio: "inherit" });
  await ready();
  console.log(`bench/apply — engine ${engine().backend}; ${REPEATS} runs per figure (best, median, first run in a fresh process; ms); PyTorch with 1 thread`);
  console.log("targets (issue 4): graft ≤ 1.5 × fs.readFile, ≤ 1.0 × torch.load + load_state_dict; judged on the best runs");
  let pass = true;
  for (const arch of archs) {
    const file = path.join(DIR, `${arch}.pth`);
    const mb = fs.statSync(file).size / 2 ** 20;
    await timeRaw(file); // warm the page cache
    const raw = await timeRaw(file);
    const load = await timeLoad(arch, file);
    const torch = timeTorch(arch);
    const vsRaw = load.seconds.best / raw.best;
    const vsTorch = load.seconds.best / torch.apply.best;
    pass &&= vsRaw <= 1.5 && vsTorch <= 1.0;
    const rawFirst = { ...raw, first: raw.best }; // readFile has no cold-process figure here: the page cache is warm for all
    console.log(`\n${arch} (${mb.toFixed(0)} MB, coverage ${load.coverage})                   best median  first`);
    console.log(`  graft loadWeights (open → plan → read/convert → assign)  ${ms(load.seconds)}`);
    console.log(`    last run: ${load.timings}`);
    console.log(`  fs.readFile of the same file                            ${ms(rawFirst).replace(/\s+\d+$/, "      -")}`);
    console.log(`  torch.load + load_state_dict                            ${ms(torch.apply)}`);
    console.log(`    of which torch.load                                   ${ms(torch.load)}`);
    console.log(`  graft / fs.readFile     ${ratio(load.seconds, raw, "best")} best, ${ratio(load.seconds, raw, "median")} median   target ≤ 1.5×  ${vsRaw <= 1.5 ? "met" : "NOT met"}`);
    console.log(
      `  graft / torch           ${ratio(load.seconds, torch.apply, "best")} best, ${ratio(load.seconds, torch.apply, "median")} median, ` +
        `${ratio(load.seconds, torch.apply, "first")} first   target ≤ 1.0×  ${vsTorch <= 1.0 ? "met" : "NOT met"}`,
    );
  }
  console.log("\nPyTorch's warm runs reuse memory its allocator freed in the previous run (glibc keeps freed chunks below its");
  console.log("mmap threshold); graft's reuse the wasm heap the previous weights were freed to. The first-run column has neither.");
  console.log(`\n${pass ? "all targets met" : "some targets missed"}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
