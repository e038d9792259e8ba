/**
 * The applier's in-place path on wasm: the SIMD transpose kernel equals tfjs's transpose (odd
 * sizes, remainders, row bands), real torch files go through it, and a file that fails halfway
 * through the reads leaves every weight exactly as it was.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
import { open } from "../../src/checkpoint/open";
import { loadWeights } from "../../src/load";
import { reverse3InHeap, wasmTranspose } from "../../src/load/_fast/wasm_transpose";
import * as zoo from "../../src/zoo";
import { fixturePath, readCase, snapshot, torchOutputError } from "./_fixtures";
import { tiny } from "./_tiny";

interface WasmBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  dataIdMap: { get(id: object): { memoryOffset: number } };
  /** The unthreaded build exports its memory (asm.memory); the threaded one imports a shared one (wasmMemory). */
  wasm: { HEAP32: Int32Array; HEAPF32: Float32Array; asm: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
}

test("reverse3InHeap: [A,B,S] → [S,B,A] in the wasm heap equals tf.transpose, whole and in row bands", async () => {
  await ready();
  assert.equal(tf.getBackend(), "wasm");
  const backend = tf.backend() as unknown as WasmBackend;
  const kernels = wasmTranspose((backend.wasm.asm.memory ?? backend.wasm.wasmMemory)!);
  assert.ok(kernels, "WebAssembly SIMD is available in this node");
  const cases: [number, number, number][] = [[4, 1, 4], [9, 3, 7], [64, 64, 9], [37, 5, 49], [130, 1, 261], [5, 1, 3], [1, 1, 1]];
  for (const [A, B, S] of cases) {
    const n = A * B * S;
    const x = Float32Array.from({ length: n }, (_, i) => i * 0.25 - 7);
    const expected = tf.tidy(() => tf.transpose(tf.tensor(x, [A, B, S]), [2, 1, 0]).dataSync());
    for (const band of [A, 4, 8, 3]) {
      const src = tf.engine().makeTensorFromTensorInfo(backend.makeOutput([n], "float32"));
      const dst = tf.engine().makeTensorFromTensorInfo(backend.makeOutput([n], "float32"));
      const sp = backend.dataIdMap.get(src.dataId).memoryOffset;
      const dp = backend.dataIdMap.get(dst.dataId).memoryOffset;
      backend.wasm.HEAPF32.set(x, sp / 4);
      for (let a0 = 0; a0 < A; a0 += band) {
        reverse3InHeap(kernels, backend.wasm.HEAP32, sp + a0 * B * S * 4, dp, a0, Math.min(band, A - a0), A, B, S);
      }
      assert.deepEqual(Array.from(dst.dataSync()), Array.from(expected), `[${A},${B},${S}] in bands of ${band}`);
      tf.dispose([src, dst]);
    }
  }
});

test("in place: a torch .pth loads through the wasm path with outputs equal to torch's", async () => {
  await ready();
  const model = zoo.resnet18({ numClasses: 10, inputShape: [64, 64, 3] });
  const report = await loadWeights(model, fixturePath("resnet18.pth"), { strict: true });
  const inPlaceMs = (report.timings as { inPlaceMs?: number } | undefined)?.inPlaceMs ?? 0;
  assert.ok(inPlaceMs > 0, "the in-place path was taken");
  assert.ok(torchOutputError(model, "resnet18") <= 1e-4);
  model.dispose();
});

test("in place: a file cut short after open fails halfway through the reads and leaves every weight as it was", async () => {
  await ready();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-inplace-"));
  try {
    const file = path.join(dir, "seed_head.pth");
    fs.copyFileSync(fixturePath("seed_head.pth"), file);
    readCase("seed_head");
    const model = tiny(1000);
    const before = snapshot(model);
    const tensors = tf.memory().numTensors;
    const ck = await open(file);
    // Cut the file where the last tensors' bytes are: opening succeeded, the first reads succeed, a later one fails.
    const size = fs.statSync(file).size;
    fs.truncateSync(file, Math.floor(size * 0.6));
    await assert.rejects(loadWeights(model, ck), (e: Error) => e.name.startsWith("Graft") && /truncated|past the end/.test(e.message));
    await ck.close();
    assert.deepEqual(snapshot(model), before);
    assert.equal(tf.memory().numTensors, tensors);
    model.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
