/**
 * Test helper (not a test): runs a fixture script under test/fixtures/ with the system Python
 * (real torch/numpy) into test/.fixtures/checkpoint/<name>/, once, cached until the script changes.
 * Several test files may ask at once: each writes into a temporary folder and renames it into place.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import type { Checkpoint } from "../../src/checkpoint/types";
import { ready } from "../../src/engine/engine";

const ROOT = join(__dirname, "..", "..");

/** Generates (or reuses) the fixtures of `script` and returns their folder. */
export function fixtures(script: string, name: string): string {
  const src = join(ROOT, "test", "fixtures", script);
  const base = join(ROOT, "test", ".fixtures", "checkpoint");
  const dir = join(base, name);
  const stamp = join(dir, ".done");
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(src).mtimeMs) return dir;
  mkdirSync(base, { recursive: true });
  const tmp = mkdtempSync(join(base, `.${name}-`));
  execFileSync("/usr/bin/python3", [src, tmp], { stdio: ["ignore", "ignore", "inherit"] });
  execFileSync("touch", [join(tmp, ".done")]);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(src).mtimeMs) {
    rmSync(tmp, { recursive: true, force: true }); // another test process won the race
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

export interface ExpectedTensor {
  name: string; dtype: string; shape: number[]; offset: number; nbytes: number;
  tfjs?: "float32" | "int32" | "error"; tfjsOffset?: number; tfjsBytes?: number;
}
export interface Expected { tensors: ExpectedTensor[]; container: string | null; metadata: Record<string, unknown> | null }

/** Compares every tensor of `ck` with the `<file>.expected.*` torch/numpy wrote, bit for bit. */
export async function assertMatchesExpected(ck: Checkpoint, file: string): Promise<Expected> {
  await ready();
  const exp = JSON.parse(readFileSync(`${file}.expected.json`, "utf8")) as Expected;
  const blob = readFileSync(`${file}.expected.bin`);
  assert.deepEqual(ck.entries.map((e) => e.name), exp.tensors.map((t) => t.name), `${file}: tensor names`);
  assert.equal(ck.container, exp.container ?? undefined, `${file}: container`);
  for (const t of exp.tensors) {
    const info = ck.entries.find((e) => e.name === t.name)!;
    assert.deepEqual([info.dtype, info.shape, info.byteLength], [t.dtype, t.shape, t.nbytes], `${file} ${t.name}: info`);
    const raw = await ck.readRaw(t.name);
    assert.equal(raw.dtype, t.dtype);
    assert.deepEqual(raw.shape, t.shape);
    const got = Buffer.from(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
    assert.ok(got.equals(blob.subarray(t.offset, t.offset + t.nbytes)), `${file} ${t.name}: raw bytes differ`);
    if (t.tfjs === "error") {
      await assert.rejects(ck.read(t.name), new RegExp(t.name));
      continue;
    }
    const tensor = await ck.read(t.name);
    const values = tensor.dataSync();
    tensor.dispose();
    const want = t.tfjsOffset !== undefined ? blob.subarray(t.tfjsOffset, t.tfjsOffset + t.tfjsBytes!) : got;
    const wantValues = t.dtype === "bool" ? Uint8Array.from(want) : t.tfjs === "int32" || (t.tfjs === undefined && t.dtype === "int32")
      ? new Int32Array(want.buffer.slice(want.byteOffset, want.byteOffset + want.byteLength))
      : new Float32Array(want.buffer.slice(want.byteOffset, want.byteOffset + want.byteLength));
    assert.ok(Buffer.from(values.buffer, values.byteOffset, values.byteLength).equals(Buffer.from(wantValues.buffer)), `${file} ${t.name}: tfjs values differ`);
  }
  return exp;
}
