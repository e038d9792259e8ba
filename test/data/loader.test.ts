/**
 * loader: batches of the right shapes and dtypes; the same seed gives the same batches with 0
 * or 2 workers; each pass reshuffles and redraws; dropLast and length; tensors disposed as the
 * next batch is asked for and when a loop breaks or throws; workers stop with the pass, never
 * keep the process alive, and do not pile up over many loaders; onError "skip" leaves broken
 * files out of their batch; a dataset of another kind goes through get().
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { tf } from "../../src/engine/engine";
import { imageFolder, loader, transforms as T, type Batch, type ImageFolder } from "../../src/data";
import { dataFixtures } from "./_fixtures";

let root: string;
let folder: ImageFolder;
const small = T.compose([T.resize(40), T.centerCrop(32), T.toTensor()]);
before(() => {
  root = dataFixtures();
  folder = imageFolder(path.join(root, "folder"), { transform: small });
});

async function collect(l: AsyncIterable<Batch>): Promise<Array<{ xs: Float32Array; ys: Int32Array; shape: number[] }>> {
  const out = [];
  for await (const b of l) out.push({ xs: b.xs.dataSync() as Float32Array, ys: b.ys.dataSync() as Int32Array, shape: b.xs.shape });
  return out;
}

test("batches: shapes, int32 labels, length, dropLast", async () => {
  const l = loader(folder, { batchSize: 16, workers: 2 });
  assert.equal(l.length, Math.ceil(folder.length / 16));
  assert.deepEqual(l.options, { batchSize: 16, shuffle: false, dropLast: false, workers: 2 });
  const seen: number[][] = [];
  for await (const { xs, ys } of l) {
    seen.push(xs.shape);
    assert.equal(ys.dtype, "int32");
    assert.equal(ys.shape[0], xs.shape[0]);
  }
  assert.deepEqual(seen.at(-1), [folder.length % 16 || 16, 32, 32, 3]);
  const dropped = l.withOptions({ dropLast: true });
  assert.equal(dropped.length, Math.floor(folder.length / 16));
  assert.equal((await collect(dropped)).length, dropped.length);
  // in order without shuffle: the labels are the samples' labels
  const ys = (await collect(l.withOptions({ workers: 0 }))).flatMap((b) => [...b.ys]);
  assert.deepEqual(ys, folder.samples.map((s) => s[1]));
});

test("same seed → same batches whatever the workers; each pass reshuffles and redraws the random transforms", async () => {
  const aug = imageFolder(path.join(root, "folder"), { transform: T.compose([T.randomResizedCrop(24), T.randomHorizontalFlip(), T.toTensor()]) });
  const a = loader(aug, { batchSize: 8, shuffle: true, seed: 11, workers: 0 });
  assert.deepEqual(a.randomTransforms(), ["randomResizedCrop(24)", "randomHorizontalFlip(0.5)"]);
  assert.deepEqual(loader(folder, { batchSize: 8 }).randomTransforms(), []);
  const a1 = await collect(a);
  const a2 = await collect(a);
  const b = loader(aug, { batchSize: 8, shuffle: true, seed: 11, workers: 2 });
  const b1 = await collect(b);
  const b2 = await collect(b);
  assert.deepEqual(b1, a1);
  assert.deepEqual(b2, a2);
  assert.notDeepEqual(a1[0].ys, a2[0].ys);
  const labels = (r: typeof a1): number[] => r.flatMap((x) => [...x.ys]).sort();
  assert.deepEqual(labels(a1), labels(a2));
  const c1 = await collect(loader(aug, { batchSize: 8, shuffle: true, seed: 12, workers: 2 }));
  assert.notDeepEqual(c1[0].xs, a1[0].xs);
});

test("tensors are disposed when the next batch is asked for, and when the loop breaks or throws", async () => {
  const before = tf.memory().numTensors;
  const l = loader(folder, { batchSize: 4, workers: 2 });
  let last: Batch | undefined;
  for await (const b of l) {
    if (last) assert.ok(last.xs.isDisposed, "previous batch disposed");
    assert.ok(tf.memory().numTensors - before <= 2);
    last = b;
  }
  assert.ok(last!.xs.isDisposed);
  for await (const b of l) {
    last = b;
    break;
  }
  assert.ok(last!.xs.isDisposed);
  await assert.rejects(async () => {
    for await (const b of l) {
      last = b;
      throw new Error("stop");
    }
  }, /stop/);
  assert.ok(last!.xs.isDisposed);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(tf.memory().numTensors, before);
});

test("workers end with their pass: a broken-off loop leaves no thread behind and the process exits by itself", () => {
  const script = `
    const { imageFolder, loader, transforms: T } = require(${JSON.stringify(path.resolve(__dirname, "../../src/data"))});
    const fs = require("node:fs");
    // libvips (sharp) keeps a pool of its own that grows to its size on demand: not ours to count
    const threads = () => fs.readdirSync("/proc/self/task").filter((t) => {
      try { return !fs.readFileSync("/proc/self/task/" + t + "/comm", "utf8").startsWith("libvips"); } catch { return false; } // gone meanwhile
    }).length;
    const settle = () => new Promise((r) => setTimeout(r, 500));
    (async () => {
      const f = imageFolder(${JSON.stringify(path.join(root, "folder"))}, { transform: T.compose([T.resize(40), T.centerCrop(32), T.toTensor()]) });
      for await (const b of loader(f, { batchSize: 4, workers: 2 })) break;
      await settle();
      const baseline = threads();
      for (let i = 0; i < 12; i++) {
        for await (const b of loader(f, { batchSize: 4, workers: 2 })) break;
      }
      await settle();
      console.log("threads", baseline, threads());
      const it = loader(f, { batchSize: 4, workers: 2 })[Symbol.asyncIterator]();
      await it.next(); // left open on purpose: its workers, idle once the batches ahead are made, must not keep the process alive
    })();`;
  const t0 = Date.now();
  const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8", timeout: 60_000 });
  const [, baseline, after] = /threads (\d+) (\d+)/.exec(out)!.map(Number);
  assert.ok(after <= baseline + 1, `threads after 12 broken-off loops: ${after}, before: ${baseline}`);
  assert.ok(Date.now() - t0 < 60_000);
});

test("onError 'skip': a truncated file is left out of its batch and recorded; 'throw' stops the pass with its name", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-loader-"));
  fs.mkdirSync(path.join(dir, "a"));
  const good = fs.readFileSync(path.join(root, "decode", "base420.jpg"));
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, "a", `${i}.jpg`), good);
  fs.copyFileSync(path.join(root, "bad", "truncated.jpg"), path.join(dir, "a", "2b.jpg"));
  const skip = imageFolder(dir, { transform: small, onError: "skip" });
  const sizes = (await collect(loader(skip, { batchSize: 3, workers: 2 }))).map((b) => b.shape[0]);
  assert.deepEqual(sizes, [3, 2]);
  assert.deepEqual(skip.skipped.map((s) => path.basename(s.file)), ["2b.jpg"]);
  const strict = imageFolder(dir, { transform: small });
  await assert.rejects(collect(loader(strict, { batchSize: 3, workers: 2 })), (e: unknown) => e instanceof Error && e.name === "GraftImageError" && /2b\.jpg/.test(e.message));
  await assert.rejects(collect(loader(strict, { batchSize: 3, workers: 0 })), /2b\.jpg/);
});

test("images of different sizes in one batch: a clear error with the fix", async () => {
  const raw = imageFolder(path.join(root, "folder"));
  await assert.rejects(collect(loader(raw, { batchSize: 4, workers: 0 })), /samples of a batch must have one size; add resize and centerCrop/);
});

test("any dataset with length and get(i) works (main thread); bad options are refused", async () => {
  const ds = { length: 5, get: async (i: number) => ({ x: tf.fill([2, 2, 3], i) as tf.Tensor3D, y: i % 2 }) };
  const batches = await collect(loader(ds, { batchSize: 2 }));
  assert.deepEqual(batches.map((b) => [...b.ys]), [[0, 1], [0, 1], [0]]);
  assert.equal(batches[2].xs[0], 4);
  assert.throws(() => loader(ds, { batchSize: 0 }), RangeError);
  assert.throws(() => loader(ds, { batchSize: 2, batch_size: 3 } as never), /unknown option batch_size/);
  assert.throws(() => loader(ds, { batchSize: 2, workers: -1 }), RangeError);
  assert.throws(() => loader({} as never, { batchSize: 2 }), TypeError);
});
