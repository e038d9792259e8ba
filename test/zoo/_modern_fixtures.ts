/**
 * Test-side access to the fixtures of test/fixtures/make_zoo_modern_fixtures.py (convnext_tiny,
 * densenet121, vit_b_16 from real torchvision 0.14): generated at test time with real PyTorch,
 * once, under a lock (test files run in parallel processes), and read back through graft's own
 * checkpoint reader — every file here is a real `torch.save` output.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writePythonFixtures } from "../_python_fixtures";
import { open } from "../../src/checkpoint";
import { tf } from "../../src/engine/engine";

const ROOT = path.resolve(__dirname, "..", "..");
const SCRIPT = path.join(ROOT, "test", "fixtures", "make_zoo_modern_fixtures.py");
export const MODERN_DIR = path.join(ROOT, "test", ".fixtures", "zoo-modern");

export interface ModernFixture {
  fixture: string;
  /** torchvision builder, e.g. `convnext_tiny`. */
  model: string;
  numClasses: number;
  /** NHWC. */
  inputShape: [number, number, number, number];
  kind: "eval" | "grad";
  /** grad fixtures: whether torch ran in train mode (false: eval-mode BatchNorm). */
  training: boolean;
  /** torchvision's `sum(p.numel() for p in model.parameters())` and BN statistics. */
  parameters: number;
  buffers: number;
  /** `model.state_dict()` saved by torch. */
  pth: string;
  /** `torch.save({"input", "output", "weight"?})`. */
  io: string;
  /** grad fixtures: `torch.save({name: grad})`. */
  grads: string;
}

function isFresh(): boolean {
  const stamp = path.join(MODERN_DIR, ".stamp");
  return fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= fs.statSync(SCRIPT).mtimeMs;
}

/** Writes the fixtures with real PyTorch when missing or older than the script (≈ 1 GB, a few minutes). */
export function ensureModernFixtures(): void {
  writePythonFixtures({ dir: MODERN_DIR, script: SCRIPT, isFresh, staleMinutes: 15 });
}

/** One fixture's description and file paths (call {@link ensureModernFixtures} first). */
export function modernFixture(name: string): ModernFixture {
  const dir = path.join(MODERN_DIR, name);
  const index = JSON.parse(fs.readFileSync(path.join(dir, "index.json"), "utf8"));
  return { ...index, pth: path.join(dir, "model.pth"), io: path.join(dir, "io.pth"), grads: path.join(dir, "grads.pth") };
}

/** Every tensor of a torch file, read by graft's checkpoint reader (caller disposes). */
export async function readAll(file: string): Promise<Map<string, tf.Tensor>> {
  const ckpt = await open(file);
  const out = new Map<string, tf.Tensor>();
  try {
    for (const e of ckpt.entries) out.set(e.name, await ckpt.read(e.name));
  } finally {
    await ckpt.close();
  }
  return out;
}

/** max |a − b| over max |b|: the error relative to the reference's scale. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): { maxDiff: number; scale: number; relative: number } {
  if (actual.length !== expected.length) throw new Error(`lengths differ: ${actual.length} vs ${expected.length}`);
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return { maxDiff, scale, relative: maxDiff / scale };
}
