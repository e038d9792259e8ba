/**
 * The in-place loader's second thread: its transposes are exact (bands, remainders, a ring that
 * wraps) and a short read is handed back; a real torch file loads with the worker's share; a
 * file cut short under the worker fails with graft's typed error, leaves the model as it was and
 * the helper usable; a load that finds the helper busy, or runs with GRAFT_LOAD_THREADS=1, stays
 * on one thread.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
import { open } from "../../src/checkpoint/open";
import { loadWeights } from "../../src/load";
import { RING_BYTES, STAGE_BYTES, TransposeHelper, type HelperJob } from "../../src/load/_fast/transpose_helper";
import * as zoo from "../../src/zoo";
import { fixturePath, snapshot, torchOutputError } from "./_fixtures";

async function helper(): Promise<TransposeHelper> {
  const h = TransposeHelper.get();
  assert.ok(h, "this machine has 2 CPUs and WebAssembly threads");
  assert.equal(await h.ready(), true);
  return h;
}

test("transpose helper: every job done by the worker equals the transpose, through bands and a wrapping ring", async () => {
  await ready();
  const h = await helper();
  // [A, B, S] → [S, B, A]; one job over the staging size (two bands), and more bytes in all than the ring holds.
  const shapes: [number, number, number][] = [[64, 64, 9], [37, 5, 49], [1000, 1, 2048], [1024, 1, 2304], [7, 3, 5], [512, 512, 9], [513, 1, 3]];
  assert.ok(shapes.some(([A, B, S]) => A * B * S * 4 > STAGE_BYTES));
  assert.ok(shapes.reduce((n, [A, B, S]) => n + A * B * S * 4, 0) > RING_BYTES);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-helper-"));
  const file = path.join(dir, "weights.bin");
  try {
    const data = shapes.map(([A, B, S], k) => Float32Array.from({ length: A * B * S }, (_, i) => Math.fround(Math.sin(i * 0.37 + k) * 100)));
    const positions: number[] = [];
    let at = 12; // offsets not multiples of 16
    for (const d of data) {
      positions.push(at);
      at += d.byteLength + 4;
    }
    const bytes = Buffer.alloc(at);
    data.forEach((d, k) => Buffer.from(d.buffer).copy(bytes, positions[k]));
    fs.writeFileSync(file, bytes);
    const fd = fs.openSync(file, "r");
    try {
      const jobs: HelperJob[] = shapes.map(([A, B, S], k) => ({ fd, position: positions[k], A, B, S }));
      const run = h.begin(jobs.length, 0, jobs);
      assert.ok(run);
      const got = new Map<number, Float32Array>();
      const redone: number[] = [];
      const copy = (i: number, ring: Uint8Array): void => {
        const [A, B, S] = shapes[i];
        got.set(i, new Float32Array(Uint8Array.from(ring.subarray(0, A * B * S * 4)).buffer));
      };
      // This thread claims nothing: the worker does every job, waiting for ring space as it goes.
      const deadline = Date.now() + 30_000;
      while (got.size + redone.length < shapes.length && Date.now() < deadline) {
        run.drain(copy, (i) => redone.push(i));
        await new Promise((r) => setTimeout(r, 2));
      }
      run.finish(copy, (i) => redone.push(i));
      assert.deepEqual(redone, []);
      assert.equal(run.shared, shapes.length);
      shapes.forEach(([A, B, S], k) => {
        const expected = new Float32Array(A * B * S);
        for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) expected[(s * B + b) * A + a] = data[k][(a * B + b) * S + s];
        assert.ok(Buffer.from(got.get(k)!.buffer).equals(Buffer.from(expected.buffer)), `[${A},${B},${S}] bit-identical`);
      });
      // A read past the end of the file is a failed job, handed back to this thread.
      const bad = h.begin(1, 0, [{ fd, position: at - 8, A: 4, B: 1, S: 4 }]);
      assert.ok(bad);
      const back: number[] = [];
      const refuse = (): void => assert.fail("a short read must not be copied");
      for (const until = Date.now() + 30_000; back.length === 0 && Date.now() < until; ) {
        bad.drain(refuse, (i) => back.push(i));
        await new Promise((r) => setTimeout(r, 2));
      }
      bad.finish(refuse, (i) => back.push(i));
      assert.deepEqual(back, [0]);
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("transpose helper: a torch .pth loads with part of its weights transposed on the worker, outputs equal to torch's", async () => {
  await ready();
  await helper();
  const model = zoo.resnet18({ numClasses: 10, inputShape: [64, 64, 3] });
  const report = await loadWeights(model, fixturePath("resnet18.pth"), { strict: true });
  assert.ok((report.timings?.inPlaceShared ?? 0) > 0, "the worker took some weights");
  assert.ok(torchOutputError(model, "resnet18") <= 1e-4);
  model.dispose();
});

test("transpose helper: a file cut short under the worker fails typed, changes nothing, and the helper still works", async () => {
  await ready();
  await helper();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-helper-cut-"));
  try {
    const file = path.join(dir, "resnet18.pth");
    fs.copyFileSync(fixturePath("resnet18.pth"), file);
    const model = zoo.resnet18({ numClasses: 10, inputShape: [64, 64, 3] });
    const before = snapshot(model);
    const tensors = tf.memory().numTensors;
    const ck = await open(file);
    // The worker takes weights from the end of the list, which lie towards the end of the file.
    fs.truncateSync(file, Math.floor(fs.statSync(file).size * 0.7));
    await assert.rejects(loadWeights(model, ck, { strict: false }), (e: Error) => e.name.startsWith("Graft") && /truncated|past the end/.test(e.message));
    await ck.close();
    assert.deepEqual(snapshot(model), before);
    assert.equal(tf.memory().numTensors, tensors);
    const again = await loadWeights(model, fixturePath("resnet18.pth"), { strict: true });
    assert.ok((again.timings?.inPlaceShared ?? 0) > 0, "the helper is still in use");
    model.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("transpose helper: GRAFT_LOAD_THREADS=1 keeps loading on one thread", () => {
  const script = `require("./src/load/_fast/transpose_helper").TransposeHelper.get() === undefined || process.exit(3);`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
    cwd: path.join(__dirname, "..", ".."),
    env: { ...process.env, GRAFT_LOAD_THREADS: "1" },
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
});

test("transpose helper: a load that finds the helper busy runs on this thread alone and comes out right", async () => {
  await ready();
  const h = await helper();
  const held = h.begin(1, 1, []); // a run with nothing for the worker, kept open
  assert.ok(held);
  try {
    const model = zoo.resnet18({ numClasses: 10, inputShape: [64, 64, 3] });
    const report = await loadWeights(model, fixturePath("resnet18.pth"), { strict: true });
    assert.ok((report.timings?.inPlaceMs ?? 0) > 0 && report.timings?.inPlaceShared === 0);
    assert.ok(torchOutputError(model, "resnet18") <= 1e-4);
    model.dispose();
  } finally {
    held.finish(() => assert.fail("nothing to copy"), () => assert.fail("nothing to redo"));
  }
  const next = h.begin(1, 1, []);
  assert.ok(next, "free again after finish");
  next.finish(() => {}, () => {});
});
