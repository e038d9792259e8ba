/**
 * `read(name)` on the wasm backend writes a float32 tensor's bytes straight into the backend's
 * heap (torch zip, safetensors): the tensor equals `readRaw`'s bytes, each read makes exactly one
 * tensor, and a read that fails (file cut short after open) leaves no tensor behind.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { open, GraftFormatError } from "../../src/checkpoint";
import { ready } from "../../src/engine/engine";
import { fixtures } from "./torch_fixtures";

const torchFile = join(fixtures("make_torch_checkpoints.py", "torch"), "resnet18.pth");
const stFile = join(fixtures("make_safetensors_fixtures.py", "safetensors"), "resnet18.safetensors");

for (const file of [torchFile, stFile]) {
  const kind = file.endsWith(".pth") ? "torch zip" : "safetensors";

  test(`${kind}: read() puts each float32 tensor in the wasm heap, bit for bit readRaw's bytes, one tensor per read`, async () => {
    await ready();
    assert.equal(tf.getBackend(), "wasm");
    const ck = await open(file);
    try {
      for (const e of ck.entries) {
        const before = tf.memory().numTensors;
        const t = await ck.read(e.name);
        assert.equal(tf.memory().numTensors, before + 1, `${e.name}: one tensor per read`);
        assert.deepEqual(t.shape, e.shape);
        const raw = await ck.readRaw(e.name);
        if (e.dtype === "float32") {
          const got = t.dataSync() as Float32Array;
          assert.ok(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength)), e.name);
        }
        t.dispose();
      }
    } finally {
      await ck.close();
    }
  });

  test(`${kind}: a read past a cut made after open fails naming the file and leaves no tensor behind`, async () => {
    await ready();
    const dir = mkdtempSync(join(tmpdir(), "graft-heap-"));
    try {
      const copy = join(dir, file.endsWith(".pth") ? "m.pth" : "m.safetensors");
      copyFileSync(file, copy);
      const ck = await open(copy);
      // Everything after the first KiB goes: the index was read at open, no tensor's bytes remain.
      truncateSync(copy, 1024);
      const last = ck.entries.filter((e) => e.dtype === "float32" && e.byteLength > 4096).pop()!;
      const before = tf.memory().numTensors;
      await assert.rejects(ck.read(last.name), (e: unknown) => e instanceof GraftFormatError && e.message.includes(copy) && /truncated/.test(e.message));
      assert.equal(tf.memory().numTensors, before);
      await ck.close();
      await assert.rejects(ck.read(last.name), /closed/);
      assert.equal(tf.memory().numTensors, before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
