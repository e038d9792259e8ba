import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { open, GraftFormatError } from "../../src/checkpoint";
import { openKerasH5 } from "../../src/checkpoint/keras_h5";
import { openKerasV3, toSnakeCase } from "../../src/checkpoint/keras_v3";
import { ready } from "../../src/engine/engine";
import { assertMatchesExpected, fixtures } from "./torch_fixtures";
import { writeZip } from "./zip_writer";

const dir = fixtures("make_keras_fixtures.py", "keras");
const tmp = mkdtempSync(join(tmpdir(), "graft-keras-test-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

const isFormatError = (re: RegExp, entry?: string) => (e: unknown): boolean => {
  assert.ok(e instanceof GraftFormatError, `expected GraftFormatError, got ${String(e)}`);
  assert.match(e.message, re);
  if (entry !== undefined) assert.equal(e.entry, entry);
  return true;
};

for (const [file, format] of [
  ["keras2_full.h5", "keras-h5"],
  ["keras2_weights.h5", "keras-h5"],
  ["small.h5", "keras-h5"],
  ["big.h5", "keras-h5"],
  ["model.weights.h5", "keras-v3"],
  ["model_stored.keras", "keras-v3"],
  ["model_deflated.keras", "keras-v3"],
] as const) {
  test(`keras ${file}: every weight equals what h5py wrote (names, order, dtypes, bits, tfjs values)`, async () => {
    await ready();
    const ck = await open(join(dir, file));
    assert.equal(ck.format, format);
    await assertMatchesExpected(ck, join(dir, file));
    await ck.close();
    await assert.rejects(ck.read(ck.entries[0].name), isFormatError(/closed/));
  });
}

test("keras 2 full model: layer and weight names, versions and model_config in metadata; optimizer_weights left out", async () => {
  const ck = await openKerasH5(join(dir, "keras2_full.h5"), {});
  assert.deepEqual(ck.metadata.layer_names, ["conv2d", "batch_normalization", "flatten", "dense"]);
  assert.deepEqual((ck.metadata.weight_names as Record<string, string[]>).flatten, []);
  assert.deepEqual((ck.metadata.weight_names as Record<string, string[]>).dense, ["dense/kernel:0", "dense/bias:0"]);
  assert.equal(ck.metadata.keras_version, "2.13.1");
  assert.equal(ck.metadata.backend, "tensorflow");
  assert.equal((ck.metadata.model_config as { class_name: string }).class_name, "Sequential");
  assert.ok(!ck.entries.some((e) => e.name.startsWith("Adam")));
  await ck.close();
});

test("keras 2 weights-only: chunked layer_names (layer_names0, layer_names1) are joined in order", async () => {
  const ck = await openKerasH5(join(dir, "keras2_weights.h5"), {});
  assert.deepEqual(ck.metadata.layer_names, ["embedding", "mixed", "encoder", "dense_2"]);
  await ck.close();
});

test("keras 3: .weights.h5 names follow the h5 paths; .keras names come from config.json; optimizer counted, not read", async () => {
  const w = await openKerasV3(join(dir, "model.weights.h5"), {});
  assert.equal(w.entries[0].name, "layers/batch_normalization/0");
  assert.deepEqual(w.metadata.skipped, { optimizer: 2 });
  await w.close();
  const k = await open(join(dir, "model_stored.keras"));
  assert.deepEqual(k.metadata.layer_names, ["input_layer", "stem_conv", "stem_bn", "flat", "hidden", "logits", "norm", "custom"]);
  assert.equal(k.metadata.class_name, "Sequential");
  assert.equal(k.metadata.keras_version, "3.6.0");
  assert.equal((k.metadata.h5_paths as Record<string, string>)["logits/kernel"], "/layers/dense_1/vars/0");
  await k.close();
  assert.equal(toSnakeCase("BatchNormalization"), "batch_normalization");
  assert.equal(toSnakeCase("Conv2DTranspose"), "conv2d_transpose");
});

test("keras bad input: truncated h5 at many points is a GraftFormatError, never a crash", async () => {
  const bytes = readFileSync(join(dir, "keras2_full.h5"));
  for (const cut of [0, 7, 8, 100, 512, 2048, 4096, bytes.length >> 1, bytes.length - 1]) {
    const path = join(tmp, `cut${cut}.h5`);
    writeFileSync(path, bytes.subarray(0, cut));
    try {
      const ck = await openKerasH5(path, {});
      for (const e of ck.entries) await ck.readRaw(e.name);
      await ck.close();
      assert.fail(`truncated at ${cut} of ${bytes.length} bytes but opened and read`);
    } catch (err) {
      assert.ok(err instanceof GraftFormatError, `cut ${cut}: ${String(err)}`);
      assert.equal(err.file, path);
    }
  }
});

test("keras bad input: not a Keras layout, a missing layer group, a missing weight, complex dtype", async () => {
  await assert.rejects(openKerasH5(join(dir, "not_keras.h5"), {}), isFormatError(/not a Keras weights file: no layer_names attribute on \//));
  await assert.rejects(openKerasH5(join(dir, "missing_layer.h5"), {}), isFormatError(/layer_names lists ghost, but there is no group \/ghost/, "ghost"));
  await assert.rejects(openKerasH5(join(dir, "missing_weight.h5"), {}), isFormatError(/expected a dataset/, "/a/a/gone:0"));
  await assert.rejects(openKerasH5(join(dir, "complex.h5"), {}), isFormatError(/unsupported dataset type \(HDF5 type class 6 of 8 bytes\)/, "/c/c/w:0"));
  await assert.rejects(openKerasV3(join(dir, "keras2_full.h5"), {}), isFormatError(/no Keras 3 layers\/…\/vars groups/));
  await assert.rejects(openKerasV3(join(dir, "cycle.weights.h5"), {}), isFormatError(/groups nest deeper than 64 levels/));
  const notH5 = join(tmp, "garbage.h5");
  writeFileSync(notH5, Buffer.from("\x89HDF\r\n\x1a\n" + "x".repeat(600), "latin1"));
  await assert.rejects(openKerasH5(notH5, {}), isFormatError(/HDF5 cannot/));
});

test("keras bad input: .keras without config.json, and with a corrupt weights member named as archive!member", async () => {
  const h5 = readFileSync(join(dir, "model.weights.h5"));
  const noConfig = join(tmp, "noconfig.keras");
  writeZip(noConfig, [{ name: "model.weights.h5", data: h5 }, { name: "metadata.json", data: Buffer.from("{}") }]);
  await assert.rejects(openKerasV3(noConfig, {}), isFormatError(/has no config\.json/, "config.json"));
  const corrupt = join(tmp, "corrupt.keras");
  writeZip(corrupt, [{ name: "config.json", data: Buffer.from("{}") }, { name: "model.weights.h5", data: h5.subarray(0, 1000) }]);
  await assert.rejects(openKerasV3(corrupt, {}), (e: unknown) => isFormatError(/HDF5 cannot/)(e) && (e as GraftFormatError).file === `${corrupt}!model.weights.h5`);
});

test("keras: a corrupt file on which HDF5 loops forever is cut off with a GraftFormatError; the next file opens normally", async () => {
  // keras_stall.weights.h5: a fuzz mutant of model.weights.h5 (one damaged attribute message);
  // h5wasm never returns from describing /layers/my_custom/vars/1.
  const stall = join(__dirname, "..", "fixtures", "keras_stall.weights.h5");
  await assert.rejects(
    (async () => {
      const ck = await open(stall);
      for (const e of ck.entries) await ck.readRaw(e.name);
    })(),
    isFormatError(/HDF5 stalled or aborted on this file: it is corrupt.*did not finish/, "/layers/my_custom/vars/1"),
  );
  const ck = await open(join(dir, "keras2_full.h5"));
  const values = await Promise.all(ck.entries.map((e) => ck.readRaw(e.name))); // concurrent reads queue in order
  assert.deepEqual(values.map((v) => v.shape), ck.entries.map((e) => e.shape));
  await ck.close();
});
