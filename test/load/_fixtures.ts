/**
 * Test-side access to test/fixtures/make_load_fixtures.py's output (real torch modules, their
 * state dicts as .pth and as JSON values, inputs and outputs), and an in-memory Checkpoint
 * built from those real values for testing the pure stages without a file reader.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Checkpoint, CheckpointFormat, SourceDType } from "../../src/checkpoint/types";

const ROOT = path.resolve(__dirname, "..", "..");
const SCRIPT = path.join(ROOT, "test", "fixtures", "make_load_fixtures.py");
export const FIXTURE_DIR = path.join(ROOT, "test", ".fixtures", "load");

const fresh = (): boolean => {
  const stamp = path.join(FIXTURE_DIR, ".stamp");
  return fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= fs.statSync(SCRIPT).mtimeMs;
};

const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Writes the fixtures with real PyTorch when missing or older than the script. Test files run
 * in parallel processes: one takes a lock directory and writes, the others wait for its stamp.
 */
export function ensureLoadFixtures(): void {
  if (fresh()) return;
  fs.mkdirSync(path.dirname(FIXTURE_DIR), { recursive: true });
  const lock = `${FIXTURE_DIR}.lock`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (fresh()) return;
      if (Date.now() > deadline) fs.rmSync(lock, { recursive: true, force: true }); // a writer died
      sleep(200);
    }
  }
  try {
    if (fresh()) return;
    fs.mkdirSync(FIXTURE_DIR, { recursive: true });
    execFileSync("/usr/bin/python3", [SCRIPT, FIXTURE_DIR], { stdio: ["ignore", "inherit", "inherit"] });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export interface JsonTensor {
  name: string;
  shape: number[];
  dtype: string;
  data: number[];
}

export interface LayerCase {
  tensors: JsonTensor[];
  input: { shape: number[]; data: number[] };
  output: { shape: number[]; data: number[] };
  config: Record<string, number>;
  metadata?: Record<string, unknown>;
  features?: { shape: number[]; data: number[] };
}

export function readCase(name: string): LayerCase {
  ensureLoadFixtures();
  return JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, `${name}.json`), "utf8"));
}

export function fixturePath(file: string): string {
  ensureLoadFixtures();
  return path.join(FIXTURE_DIR, file);
}

const DTYPES: Record<string, SourceDType> = { float32: "float32", int64: "int64" };

/**
 * A Checkpoint held in memory. `failOn` makes `read` of that entry throw (to test atomicity);
 * `reads` counts reads.
 */
export function memoryCheckpoint(
  tensors: JsonTensor[],
  opts: { format?: CheckpointFormat; path?: string; container?: string; metadata?: Record<string, unknown>; failOn?: string; rename?: (n: string) => string } = {},
): Checkpoint & { reads: string[]; closed: boolean } {
  const named = tensors.map((t) => ({ ...t, name: opts.rename ? opts.rename(t.name) : t.name }));
  const byName = new Map(named.map((t) => [t.name, t]));
  const ckpt = {
    format: opts.format ?? "torch-zip",
    path: opts.path ?? "memory.pth",
    container: opts.container,
    metadata: opts.metadata ?? {},
    entries: named.map((t) => ({ name: t.name, shape: t.shape, dtype: DTYPES[t.dtype] ?? "float32", byteLength: t.data.length * (t.dtype === "int64" ? 8 : 4) })),
    reads: [] as string[],
    closed: false,
    async read(name: string): Promise<tf.Tensor> {
      ckpt.reads.push(name);
      if (name === opts.failOn) throw new Error(`${ckpt.path}: truncated data for ${name}`);
      const t = byName.get(name);
      if (!t) throw new Error(`no entry ${name}`);
      return t.dtype === "int64" ? tf.tensor(t.data, t.shape, "int32") : tf.tensor(t.data, t.shape, "float32");
    },
    async readRaw(name: string) {
      ckpt.reads.push(name);
      if (name === opts.failOn) throw new Error(`${ckpt.path}: truncated data for ${name}`);
      const t = byName.get(name);
      if (!t) throw new Error(`no entry ${name}`);
      return { dtype: "float32" as SourceDType, shape: t.shape, data: Float32Array.from(t.data) };
    },
    async close() {
      ckpt.closed = true;
    },
  };
  return ckpt;
}

/**
 * The relative error of `model`'s output against torch's on the input saved with `<arch>.pth`
 * (`<arch>.io.json`): ≤ 1e-4 means the weights were loaded and converted right.
 */
export function torchOutputError(model: tf.LayersModel, arch: string): number {
  const io = JSON.parse(fs.readFileSync(fixturePath(`${arch}.io.json`), "utf8"));
  const x = tf.tensor(io.input.data, io.input.shape);
  const y = model.predict(x) as tf.Tensor;
  try {
    return relativeError(y.dataSync(), io.output.data);
  } finally {
    tf.dispose([x, y]);
  }
}

/** max |a − b| / max(|b|, 1e-6): the relative error of an output against torch's. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

/** Every weight of a model, copied out (to compare before/after). */
export function snapshot(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
}
