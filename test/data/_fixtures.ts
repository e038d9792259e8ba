/**
 * Test-side access to the fixtures of test/fixtures/make_data_fixtures.py (images written by
 * PIL, PIL's decodes and resizes, torchvision's preprocessing and a resnet18's logits), made
 * with /usr/bin/python3 on first use and cached under test/.fixtures/data. Test files run in
 * parallel processes, so one generates under a lock directory while the others wait.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writePythonFixtures } from "../_python_fixtures";

const ROOT = path.resolve(__dirname, "..", "..");
const SCRIPT = path.join(ROOT, "test", "fixtures", "make_data_fixtures.py");
export const DATA_FIXTURES = path.join(ROOT, "test", ".fixtures", "data");

function isFresh(): boolean {
  const stamp = path.join(DATA_FIXTURES, ".stamp");
  const zoo = path.join(ROOT, "test", "fixtures", "make_zoo_fixtures.py");
  const mtime = (p: string): number => fs.statSync(p).mtimeMs;
  return fs.existsSync(stamp) && mtime(stamp) >= Math.max(mtime(SCRIPT), mtime(zoo));
}

/** Generates the fixtures when missing or older than the script; returns their folder. */
export function dataFixtures(): string {
  writePythonFixtures({ dir: DATA_FIXTURES, script: SCRIPT, isFresh, pythonArgs: ["-W", "ignore"] });
  return DATA_FIXTURES;
}

/** A little-endian float32 file. */
export function floats(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  const copy = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
  return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
}

/** Largest absolute difference of two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
