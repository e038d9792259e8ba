import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { open } from "../../src/checkpoint";
import { torchStateDictPickle, writeZip } from "./zip_writer";

test("a 4.1 GiB torch-zip checkpoint opens and reads its first and last tensor with little memory", async () => {
  const dir = mkdtempSync(join(tmpdir(), "graft-sparse-"));
  const file = join(dir, "big.pth");
  try {
    const bigNumel = 1_110_000_000; // 4.44e9 bytes of float32, a hole on disk
    const first = new Float32Array([1, 2, 3, 4]);
    const last = new Float32Array([5, 6, 7, 8]);
    const bigTail = new Float32Array([42, 43]);
    const pkl = torchStateDictPickle([
      { name: "first", key: "0", shape: [4] },
      { name: "big", key: "1", shape: [bigNumel] },
      { name: "big_tail", key: "1", shape: [2], offset: bigNumel - 2 },
      { name: "last", key: "2", shape: [2, 2] },
    ]);
    const size = writeZip(file, [
      { name: "big/data.pkl", data: pkl },
      { name: "big/data/0", data: new Uint8Array(first.buffer), align: 64 },
      { name: "big/data/1", data: { length: bigNumel * 4, tail: new Uint8Array(bigTail.buffer) }, align: 64 },
      { name: "big/data/2", data: new Uint8Array(last.buffer), align: 64 },
      { name: "big/version", data: Buffer.from("3\n") },
    ]);
    assert.ok(size > 4.1 * 2 ** 30 && statSync(file).size === size);
    global.gc?.();
    const before = process.memoryUsage().rss;
    const ck = await open(file);
    assert.equal(ck.format, "torch-zip");
    assert.deepEqual(ck.entries.map((e) => [e.name, e.byteLength]), [["first", 16], ["big", bigNumel * 4], ["big_tail", 8], ["last", 16]]);
    assert.deepEqual(Array.from((await ck.readRaw("first")).data as ArrayLike<number>), [1, 2, 3, 4]);
    assert.deepEqual(Array.from((await ck.readRaw("last")).data as ArrayLike<number>), [5, 6, 7, 8]);
    assert.deepEqual(Array.from((await ck.readRaw("big_tail")).data as ArrayLike<number>), [42, 43]);
    const grew = process.memoryUsage().rss - before;
    await ck.close();
    assert.ok(grew < 64 * 2 ** 20, `RSS grew by ${(grew / 2 ** 20).toFixed(1)} MiB while opening a ${(size / 2 ** 30).toFixed(2)} GiB file`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
