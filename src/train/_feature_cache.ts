/**
 * The frozen prefix's outputs over the whole input, computed once in inference mode, batch by
 * batch: kept as one tensor when they fit the memory budget, else written to a temporary file
 * and read back a batch at a time.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { forward } from "./_inference";

export type FeatureCache =
  | { kind: "memory"; features: tf.Tensor; bytes: number; dispose(): void }
  | { kind: "disk"; file: string; count: number; shape: number[]; bytes: number; read(indices: ArrayLike<number>): tf.Tensor; dispose(): void };

export interface CacheOptions { memoryBudgetBytes: number; dir?: string; batchSize: number }

/** Runs `features` over `x` in batches of `batchSize` (inference mode) and keeps the outputs. */
export function computeFeatures(features: tf.LayersModel, x: tf.Tensor, opts: CacheOptions): FeatureCache {
  const count = x.shape[0];
  const shape = (features.outputs[0].shape as number[]).slice(1);
  const perItem = shape.reduce((a, b) => a * b, 1);
  const bytes = count * perItem * 4;
  const batch = (start: number) => tf.tidy(() => {
    const size = Math.min(opts.batchSize, count - start);
    return forward(features, x.slice(start, size));
  });
  if (bytes <= opts.memoryBudgetBytes) {
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < count; start += opts.batchSize) parts.push(batch(start));
    const all = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    if (parts.length > 1) parts.forEach((p) => p.dispose());
    return { kind: "memory", features: all, bytes, dispose: () => all.dispose() };
  }
  const dir = fs.mkdtempSync(path.join(opts.dir ?? os.tmpdir(), "graft-features-"));
  const file = path.join(dir, "features.f32");
  const fd = fs.openSync(file, "w");
  try {
    for (let start = 0; start < count; start += opts.batchSize) {
      const out = batch(start);
      const data = out.dataSync() as Float32Array;
      out.dispose();
      fs.writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  } finally {
    fs.closeSync(fd);
  }
  const rfd = fs.openSync(file, "r");
  return {
    kind: "disk", file, count, shape, bytes,
    read(indices) {
      const out = new Float32Array(indices.length * perItem);
      const view = new Uint8Array(out.buffer);
      for (let i = 0; i < indices.length; i++) {
        fs.readSync(rfd, view, i * perItem * 4, perItem * 4, indices[i] * perItem * 4);
      }
      return tf.tensor(out, [indices.length, ...shape]);
    },
    dispose() {
      fs.closeSync(rfd);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
