import { after, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync, writeFileSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { open, sniffFormat, inspectCheckpoint, renderInspect, GraftFormatError } from "../../src/checkpoint";
import { fixtures } from "./torch_fixtures";

const torch = fixtures("make_torch_checkpoints.py", "torch");
const npy = fixtures("make_npy_fixtures.py", "npy");
const tmp = mkdtempSync(join(tmpdir(), "graft-open-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("open sniffs from the bytes, not the name", async () => {
  copyFileSync(join(torch, "legacy.pth"), join(tmp, "weights.npz"));
  copyFileSync(join(npy, "stored.npz"), join(tmp, "model.pth"));
  assert.equal(await sniffFormat(join(tmp, "weights.npz")), "torch-legacy");
  assert.equal(await sniffFormat(join(tmp, "model.pth")), "npz");
  assert.equal(await sniffFormat(join(torch, "resnet18.pth")), "torch-zip");
  assert.equal(await sniffFormat(join(npy, "f32.npy")), "npy");
  const hdf = Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100)]);
  writeFileSync(join(tmp, "a.bin"), hdf);
  assert.equal(await sniffFormat(join(tmp, "a.bin")), "keras-h5");
  const header = Buffer.from('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
  const st = Buffer.alloc(8);
  st.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(join(tmp, "b.bin"), Buffer.concat([st, header, Buffer.alloc(4)]));
  assert.equal(await sniffFormat(join(tmp, "b.bin")), "safetensors");
  writeFileSync(join(tmp, "model.json"), JSON.stringify({ modelTopology: {}, weightsManifest: [] }));
  assert.equal(await sniffFormat(join(tmp, "model.json")), "tfjs");
  writeFileSync(join(tmp, "x.index.json"), JSON.stringify({ metadata: {}, weight_map: {} }));
  assert.equal(await sniffFormat(join(tmp, "x.index.json")), "safetensors");
});

test("unrecognised files are refused with their first bytes and the formats graft reads", async () => {
  writeFileSync(join(tmp, "junk.bin"), Buffer.from("hello world, not a checkpoint"));
  await assert.rejects(open(join(tmp, "junk.bin")), (e: unknown) =>
    e instanceof GraftFormatError && /68 65 6c 6c 6f/.test(e.message) && /safetensors/.test(e.message));
  writeFileSync(join(tmp, "empty.bin"), Buffer.alloc(0));
  await assert.rejects(open(join(tmp, "empty.bin")), /empty file/);
  writeFileSync(join(tmp, "bad.json"), "{ nope");
  await assert.rejects(open(join(tmp, "bad.json")), (e: unknown) => e instanceof GraftFormatError && /does not parse/.test(e.message));
  await assert.rejects(open(""), TypeError);
});

test("inspect summarises resnet18 with torchvision's parameter count", async () => {
  const ck = await open(join(torch, "resnet18.pth"));
  const s = inspectCheckpoint(ck);
  await ck.close();
  assert.equal(s.format, "torch-zip");
  assert.equal(s.container, null);
  assert.equal(s.totals.tensors, 122);
  assert.equal(s.totals.parameters, 11689512 + 9620); // parameters + BatchNorm buffers (running stats, num_batches_tracked)
  assert.deepEqual(s.entries[0], { name: "conv1.weight", shape: [64, 3, 7, 7], dtype: "float32", byteLength: 37632 });
  const text = renderInspect(s);
  assert.match(text, /^name\s+shape\s+dtype\s+size$/m);
  assert.match(text, /conv1\.weight\s+\[64, 3, 7, 7\]\s+float32\s+36\.8 KiB/);
  assert.match(text, /tensors: 122 {3}parameters: 11,699,132/);
  assert.match(text, /format: torch-zip/);
});

test("inspect shows container and metadata of a training checkpoint; JSON round-trips", async () => {
  const ck = await open(join(torch, "train_ckpt.pth"));
  const s = inspectCheckpoint(ck);
  await ck.close();
  const text = renderInspect(s);
  assert.match(text, /container: state_dict/);
  assert.match(text, /^ {2}epoch: 5$/m);
  const json = JSON.parse(JSON.stringify(s));
  assert.equal(json.metadata.args.arch, "small");
  assert.equal(json.entries.length, 9);
});
