/**
 * Images per second through decode → resize(256) → centerCrop(224) → toTensor → normalize →
 * batching: graft's imageFolder + loader vs torchvision's ImageFolder + DataLoader with the same
 * worker count, on the same folder of JPEG photos (written by PIL); goal ≥ 1.0×. And memory:
 * the peak RSS of a pass over 2,000 photos against a pass over 200 (goal ≤ 1.2×: the loader
 * holds a few batches, whatever the dataset's size). Each pass runs in its own process.
 * With sharp installed, the pure-JS decoders (jpeg-js, pngjs) are measured as well.
 * Env: GRAFT_BENCH_WORKERS (the CPUs available), GRAFT_BENCH_BATCH (32), GRAFT_BENCH_PHOTOS (2000),
 * GRAFT_BENCH_PHOTO_SIZE (320: photos 256–480 px wide).
 * Run: node --import tsx bench/data.ts
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { availableCores } from "../src/data/_cores";
import { imageDecoder } from "../src/data";

const WORKERS = Number(process.env.GRAFT_BENCH_WORKERS ?? availableCores());
const BATCH = Number(process.env.GRAFT_BENCH_BATCH ?? 32);
const BIG = Number(process.env.GRAFT_BENCH_PHOTOS ?? 2000);
const SIZE = Number(process.env.GRAFT_BENCH_PHOTO_SIZE ?? 320);
const SMALL = Math.max(4, Math.round(BIG / 10));
const CLASSES = ["a", "b", "c", "d"];
const FIXTURES = path.join(__dirname, ".fixtures", "data");
const MAKE = path.join(__dirname, "..", "notebooks", "data", "make_photos.py");

interface Pass { images: number; seconds: number; images_per_s: number; max_rss_mb: number }

/** A folder of `total` photos (per class total / 4), made once and kept under bench/.fixtures. */
function folder(total: number): string {
  const root = path.join(FIXTURES, `photos-${total}-${SIZE}`);
  if (!fs.existsSync(path.join(root, ".done"))) {
    fs.rmSync(root, { recursive: true, force: true });
    execFileSync("/usr/bin/python3", [MAKE, root, "--classes", CLASSES.join(","), "--per-class", String(Math.ceil(total / CLASSES.length)), "--size", String(SIZE), "--seed", "1"]);
    fs.writeFileSync(path.join(root, ".done"), "");
  }
  return root;
}

const graftPass = (root: string, env: Record<string, string> = {}): Pass => JSON.parse(execFileSync(process.execPath,
  ["--import", "tsx", path.join(__dirname, "_data_pass.ts"), root, String(WORKERS), String(BATCH)], { encoding: "utf8", env: { ...process.env, ...env } }));
const torchPass = (root: string): Pass => JSON.parse(execFileSync("/usr/bin/python3", ["-W", "ignore", path.join(__dirname, "data_torch.py"), root, String(WORKERS), String(BATCH)], { encoding: "utf8" }));

function main() {
  const big = folder(BIG), small = folder(SMALL);
  console.log(`decoder: ${imageDecoder().decoder} (${imageDecoder().reason}); ${WORKERS} worker${WORKERS === 1 ? "" : "s"}, batch ${BATCH}, JPEG photos ~${SIZE} px → resize(256) → centerCrop(224) → normalize`);
  const g = graftPass(big);
  const t = torchPass(big);
  const ratio = g.images_per_s / t.images_per_s;
  console.log(`graft:       ${g.images} images in ${g.seconds.toFixed(2)} s = ${g.images_per_s.toFixed(1)} images/s (peak RSS ${g.max_rss_mb.toFixed(0)} MB)`);
  console.log(`torchvision: ${t.images} images in ${t.seconds.toFixed(2)} s = ${t.images_per_s.toFixed(1)} images/s (DataLoader num_workers=${WORKERS}; peak RSS, main + workers, ${t.max_rss_mb.toFixed(0)} MB)`);
  console.log(`throughput: graft / torchvision = ${ratio.toFixed(2)}×   goal ≥ 1.0×   ${ratio >= 1 ? "MET" : "NOT MET"}`);
  if (imageDecoder().decoder === "sharp") {
    // Where sharp is not installed, graft decodes with jpeg-js/pngjs: measured too, for the record.
    const js = graftPass(big, { GRAFT_IMAGE_DECODER: "js" });
    console.log(`graft, pure-JS decoders (GRAFT_IMAGE_DECODER=js): ${js.images_per_s.toFixed(1)} images/s = ${(js.images_per_s / t.images_per_s).toFixed(2)}× torchvision`);
  }
  const s = graftPass(small);
  const memory = g.max_rss_mb / s.max_rss_mb;
  console.log(`memory: peak RSS over ${g.images} images ${g.max_rss_mb.toFixed(0)} MB vs over ${s.images} ${s.max_rss_mb.toFixed(0)} MB = ${memory.toFixed(2)}×   goal ≤ 1.2×   ${memory <= 1.2 ? "MET" : "NOT MET"}`);
  console.log("(one run on a shared machine: other processes compete for the same cores)");
}

main();
