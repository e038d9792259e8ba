import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cpSync, mkdtempSync, openSync, closeSync, writeSync, ftruncateSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { open, GraftFormatError } from "../../src/checkpoint";
import { openSafetensors } from "../../src/checkpoint/safetensors";
import { ready } from "../../src/engine/engine";
import { assertMatchesExpected, fixtures } from "./torch_fixtures";

const dir = fixtures("make_safetensors_fixtures.py", "safetensors");
const tmp = mkdtempSync(join(tmpdir(), "graft-st-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

/** A safetensors file from a header object and `dataLen` bytes of data (0..255 repeating). */
function st(name: string, header: unknown, dataLen: number, headerLen?: bigint): string {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(headerLen ?? BigInt(json.length));
  const data = Buffer.alloc(dataLen);
  for (let i = 0; i < dataLen; i++) data[i] = i & 0xff;
  const path = join(tmp, name);
  writeFileSync(path, Buffer.concat([len, json, data]));
  return path;
}

const isFormatError = (re: RegExp, entry?: string) => (e: unknown): boolean => {
  assert.ok(e instanceof GraftFormatError, `expected GraftFormatError, got ${String(e)}`);
  assert.match(e.message, re);
  if (entry !== undefined) assert.equal(e.entry, entry);
  return true;
};

test("safetensors: every dtype equals what numpy/torch wrote (raw bytes, exact fp16/bf16/fp8 → float32, int narrowing)", async () => {
  await ready();
  const ck = await open(join(dir, "dtypes.safetensors"));
  assert.equal(ck.format, "safetensors");
  const exp = await assertMatchesExpected(ck, join(dir, "dtypes.safetensors"));
  assert.deepEqual(ck.metadata, exp.metadata);
  await assert.rejects(ck.read("i64_big"), isFormatError(/element 0 is 1099511627776/, "i64_big"));
  await ck.close();
  await assert.rejects(ck.read("f32"), isFormatError(/closed/));
});

test("safetensors: a torchvision resnet18 state dict reads back bit-exact, in file order", async () => {
  await ready();
  const ck = await openSafetensors(join(dir, "resnet18.safetensors"), {});
  assert.equal(ck.entries[0].name, "conv1.weight");
  assert.deepEqual(ck.entries[0].shape, [64, 3, 7, 7]);
  await assertMatchesExpected(ck, join(dir, "resnet18.safetensors"));
  await ck.close();
});

test("safetensors sharded: the index opens every shard, entries shard by shard, values exact", async () => {
  await ready();
  const ck = await open(join(dir, "sharded", "model.safetensors.index.json"));
  assert.equal(ck.format, "safetensors");
  await assertMatchesExpected(ck, join(dir, "sharded_all.safetensors"));
  assert.equal(ck.metadata.total_size, 224);
  assert.equal(ck.metadata.format, "pt");
  assert.deepEqual(ck.metadata.shards, ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors"]);
  await ck.close();
});

test("safetensors sharded: a missing shard file is named, with the tensors it holds", async () => {
  const copy = join(tmp, "sharded");
  cpSync(join(dir, "sharded"), copy, { recursive: true });
  unlinkSync(join(copy, "model-00002-of-00003.safetensors"));
  await assert.rejects(open(join(copy, "model.safetensors.index.json")), isFormatError(/shard file model-00002-of-00003\.safetensors is missing.*layers\.0\.b/));
  writeFileSync(join(copy, "bad.index.json"), JSON.stringify({ weight_map: { a: "../../etc/passwd" } }));
  await assert.rejects(openSafetensors(join(copy, "bad.index.json"), {}), isFormatError(/leaves the index's folder/, "a"));
  cpSync(join(dir, "sharded", "model-00002-of-00003.safetensors"), join(copy, "model-00002-of-00003.safetensors"));
  writeFileSync(join(copy, "moved.index.json"), JSON.stringify({ weight_map: { "embed.weight": "model-00002-of-00003.safetensors" } }));
  await assert.rejects(openSafetensors(join(copy, "moved.index.json"), {}), isFormatError(/not in the index's weight_map/));
});

const F32x2 = { dtype: "F32", shape: [2] };
const cases: Array<[string, unknown, number, RegExp, string?, bigint?]> = [
  ["overlap", { a: { ...F32x2, data_offsets: [0, 8] }, b: { ...F32x2, data_offsets: [4, 12] } }, 12, /overlaps the tensor before it/, "b"],
  ["gap", { a: { ...F32x2, data_offsets: [0, 8] }, b: { ...F32x2, data_offsets: [12, 20] } }, 20, /hole of 4 bytes/, "b"],
  ["unknown dtype", { a: { dtype: "F128", shape: [1], data_offsets: [0, 16] } }, 16, /unknown dtype "F128"/, "a"],
  ["shape x size", { a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8, /shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] hold 8/, "a"],
  ["huge shape", { a: { dtype: "F64", shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, 8, /needs 9671406556917033397649408 bytes/, "a"],
  ["reversed offsets", { a: { ...F32x2, data_offsets: [8, 0] } }, 8, /end before they begin/, "a"],
  ["offsets not integers", { a: { ...F32x2, data_offsets: [0, "8"] } }, 8, /data_offsets must be/, "a"],
  ["truncated data", { a: { ...F32x2, data_offsets: [0, 8] } }, 5, /file truncated: the tensors need 8 bytes of data, the file holds 5/],
  ["extra data", { a: { ...F32x2, data_offsets: [0, 8] } }, 9, /cover 8 bytes of data but the file holds 9/],
  ["array header", [1, 2], 0, /must be a JSON object/],
  ["metadata not strings", { __metadata__: { epoch: 3 } }, 0, /__metadata__\.epoch must be a string/, "__metadata__"],
  ["header over 100 MB", {}, 0, /header length 100000001 is over the 100000000-byte limit/, undefined, 100_000_001n],
  ["header past the end", {}, 0, /file truncated: the header says 4096 bytes/, undefined, 4096n],
];
for (const [label, header, dataLen, re, entry, headerLen] of cases) {
  test(`safetensors bad input (${label}) is a GraftFormatError naming the file${entry ? " and the entry" : ""}`, async () => {
    const path = st(`${label.replace(/ /g, "_")}.safetensors`, header, dataLen, headerLen);
    await assert.rejects(openSafetensors(path, {}), (e: unknown) => isFormatError(re, entry)(e) && (e as GraftFormatError).file === path);
  });
}

test("safetensors: a truncated file and a non-JSON header are refused", async () => {
  const path = join(tmp, "t.safetensors");
  writeFileSync(path, Buffer.from([1, 2, 3]));
  await assert.rejects(openSafetensors(path, {}), isFormatError(/shorter than the 8-byte/));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(4n);
  writeFileSync(path, Buffer.concat([len, Buffer.from("{\"a\"")]));
  await assert.rejects(openSafetensors(path, {}), isFormatError(/not valid UTF-8 JSON/));
});

test("safetensors: a 4.1 GiB sparse file opens from its header and reads its first and last tensor with little memory", async () => {
  await ready();
  const big = 1_100_000_000; // float32 elements: 4.4 GB
  const header = {
    first: { dtype: "F32", shape: [4], data_offsets: [0, 16] },
    huge: { dtype: "F32", shape: [big], data_offsets: [16, 16 + big * 4] },
    last: { dtype: "F32", shape: [2, 2], data_offsets: [16 + big * 4, 32 + big * 4] },
  };
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const path = join(tmp, "sparse.safetensors");
  const fd = openSync(path, "w");
  writeSync(fd, Buffer.concat([len, json, Buffer.from(new Float32Array([1, 2, 3, 4]).buffer)]));
  writeSync(fd, Buffer.from(new Float32Array([5, 6, 7, 8]).buffer), 0, 16, 8 + json.length + 16 + big * 4);
  ftruncateSync(fd, 8 + json.length + 32 + big * 4);
  closeSync(fd);
  const rss0 = process.memoryUsage().rss;
  const ck = await open(path);
  assert.deepEqual(ck.entries.map((e) => e.name), ["first", "huge", "last"]);
  assert.equal(ck.entries[1].byteLength, big * 4);
  assert.deepEqual(Array.from((await ck.read("first")).dataSync()), [1, 2, 3, 4]);
  assert.deepEqual(Array.from((await ck.read("last")).dataSync()), [5, 6, 7, 8]);
  await ck.close();
  assert.ok(process.memoryUsage().rss - rss0 < 64 * 2 ** 20, "opening a 4.4 GB file must not read it");
  rmSync(path);
});
