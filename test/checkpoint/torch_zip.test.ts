import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { open, GraftFormatError, GraftUnsafePickleError } from "../../src/checkpoint";
import { assertMatchesExpected, fixtures } from "./torch_fixtures";

const dir = fixtures("make_torch_checkpoints.py", "torch");
const at = (f: string): string => join(dir, f);

for (const file of ["resnet18.pth", "mobilenet_v2.pth", "dtypes.pth", "views.pth", "dataparallel.pth", "newformat.pth", "bigendian.pth", "bigendian_views.pth"]) {
  test(`torch-zip ${file}: every tensor equals what torch wrote`, async () => {
    const ck = await open(at(file));
    assert.equal(ck.format, "torch-zip");
    await assertMatchesExpected(ck, at(file));
    await ck.close();
  });
}

test("torch-zip DataParallel names keep their module. prefix", async () => {
  const ck = await open(at("dataparallel.pth"));
  assert.ok(ck.entries.every((e) => e.name.startsWith("module.")));
  await ck.close();
});

test("torch-zip training checkpoint: state_dict container, the rest as metadata", async () => {
  const ck = await open(at("train_ckpt.pth"));
  await assertMatchesExpected(ck, at("train_ckpt.pth"));
  assert.equal(ck.container, "state_dict");
  const md = ck.metadata as Record<string, any>;
  assert.equal(md.epoch, 5);
  assert.equal(md.best_acc1, 0.75);
  assert.equal(md.np_acc, 0.5);
  assert.equal(md.tag, "run-1");
  assert.deepEqual(md.args, { __class__: "argparse.Namespace", lr: 0.1, arch: "small" });
  assert.equal(md.optimizer.state["0"].momentum_buffer, "<tensor float32 [8, 3, 3, 3]>");
  assert.equal(md.optimizer.param_groups[0].lr, 0.1);
  JSON.stringify(md);
  await ck.close();
});

test("torch-zip nested and named containers", async () => {
  const nested = await open(at("nested_ema.pth"));
  await assertMatchesExpected(nested, at("nested_ema.pth"));
  assert.deepEqual(nested.metadata, { note: "x", "model.step": 10 });
  await nested.close();
  const net = await open(at("net.pth"));
  await assertMatchesExpected(net, at("net.pth"));
  assert.deepEqual(net.metadata, { config: { depth: 3 } });
  await net.close();
});

test("torch-zip explicit container path, and a clear error for a wrong one", async () => {
  const ck = await open(at("train_ckpt.pth"), { container: "optimizer.state" });
  assert.equal(ck.container, "optimizer.state");
  assert.deepEqual(ck.entries[0], { name: "0.momentum_buffer", shape: [8, 3, 3, 3], dtype: "float32", byteLength: 864 });
  await ck.close();
  await assert.rejects(open(at("train_ckpt.pth"), { container: "model" }), (e: unknown) =>
    e instanceof GraftFormatError && /container path "model" not found/.test(e.message) && /state_dict/.test(e.message));
});

test("torch-zip whole pickled model: parameters and buffers under their dotted names", async () => {
  const ck = await open(at("whole_mobilenet_v2.pth"));
  await assertMatchesExpected(ck, at("whole_mobilenet_v2.pth"));
  assert.equal(ck.metadata.__class__, "torchvision.models.mobilenetv2.MobileNetV2");
  await ck.close();
});

test("pickle protocols 4 and 5 (FRAME, MEMOIZE, STACK_GLOBAL) read the same", async () => {
  for (const f of ["proto4.pth", "proto5_whole.pth"]) {
    const ck = await open(at(f));
    await assertMatchesExpected(ck, at(f));
    await ck.close();
  }
});

test("torch-legacy files: state dict with views, a whole model, protocol 4", async () => {
  for (const f of ["legacy.pth", "legacy_whole.pth", "legacy_proto4.pth"]) {
    const ck = await open(at(f));
    assert.equal(ck.format, "torch-legacy");
    await assertMatchesExpected(ck, at(f));
    await ck.close();
  }
});

test("unknown tensor names and closed checkpoints are errors that say so", async () => {
  const ck = await open(at("views.pth"));
  await assert.rejects(ck.read("nope"), (e: unknown) => e instanceof GraftFormatError && /no tensor named "nope"/.test(e.message));
  await ck.close();
  await assert.rejects(ck.readRaw("base"), /closed/);
});

test("plain-data helpers in metadata (defaultdict, datetime, pathlib, TorchVersion) become data", async () => {
  const ck = await open(at("misc_meta.pth"));
  await assertMatchesExpected(ck, at("misc_meta.pth"));
  const md = ck.metadata as Record<string, any>;
  assert.deepEqual(md.meters, { loss: [0.5] });
  assert.equal(md.date, "2024-01-02T03:04:05.000006");
  assert.equal(md.day, "2023-12-31");
  assert.equal(md.path, "/data/run1");
  assert.equal(md.torch_version.__class__, "torch.torch_version.TorchVersion");
  await ck.close();
});
