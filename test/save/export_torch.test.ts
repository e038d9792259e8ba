/**
 * save() against real PyTorch: a zoo resnet18 and a custom Sequential CNN (Conv → BatchNorm →
 * ReLU → MaxPool → Flatten → Dense), each fine-tuned a few steps in graft, saved as .pth and
 * .safetensors; torch's load_state_dict(strict=True) takes both, its outputs equal graft's
 * within 1e-4 relative, and graft → torch → graft gives back the very same bits.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ready, tf } from "../../src/engine/engine";
import { loadWeights } from "../../src/load";
import { save } from "../../src/save";
import * as zoo from "../../src/zoo";

const SCRIPT = path.join(__dirname, "_torch_check.py");
let dir = "";

before(async () => {
  await ready();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-save-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function customCnn(numClasses: number, seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  return tf.sequential({
    name: "custom_cnn",
    layers: [
      tf.layers.conv2d({ name: "0", inputShape: [16, 16, 3], filters: 8, kernelSize: 3, useBias: true, kernelInitializer: init(1) }),
      tf.layers.batchNormalization({ name: "1", epsilon: 1e-5, momentum: 0.9 }),
      tf.layers.reLU({ name: "2" }),
      tf.layers.maxPooling2d({ name: "3", poolSize: 2 }),
      tf.layers.flatten({ name: "4" }),
      tf.layers.dense({ name: "5", units: numClasses, kernelInitializer: init(2), biasInitializer: "randomNormal" }),
    ],
  });
}

/** A few SGD steps on random data, so every weight and the BatchNorm statistics move off their init. */
async function fineTune(model: tf.LayersModel, shape: number[], numClasses: number, seed: number): Promise<void> {
  const x = tf.randomNormal([2, ...shape.slice(1)], 0, 1, "float32", seed);
  const y = tf.randomNormal([2, numClasses], 0, 1, "float32", seed + 1);
  model.compile({ optimizer: tf.train.sgd(0.01), loss: "meanSquaredError" });
  await model.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
  tf.dispose([x, y]);
}

function weightsBits(model: tf.LayersModel): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const l of model.layers) for (const w of l.weights) {
    const v = w.read().dataSync() as Float32Array;
    out.set(`${l.name}/${w.originalName.split("/").pop()}`, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  }
  return out;
}

function assertSameBits(a: tf.LayersModel, b: tf.LayersModel, what: string): void {
  const x = weightsBits(a), y = weightsBits(b);
  assert.deepEqual([...y.keys()], [...x.keys()]);
  for (const [k, v] of x) assert.ok(v.equals(y.get(k) as Buffer), `${what}: ${k} differs`);
}

interface TorchResult { contiguous: Record<string, boolean>; outputs: Record<string, number[]>; keys: Record<string, string[]>; dtypes: Record<string, Record<string, string>>; meta: Record<string, Record<string, string>> }

function runTorch(job: object): TorchResult {
  return JSON.parse(execFileSync("/usr/bin/python3", [SCRIPT, JSON.stringify(job)], { encoding: "utf8", maxBuffer: 64 << 20 }));
}

const CASES = [
  { arch: "resnet18", numClasses: 5, shape: [2, 48, 48, 3], build: (seed: number) => zoo.resnet18({ numClasses: 5, inputShape: [48, 48, 3], seed }) },
  { arch: "custom_cnn", numClasses: 10, shape: [3, 16, 16, 3], build: (seed: number) => customCnn(10, seed) },
];

for (const c of CASES) {
  test(`save(${c.arch}) → torch load_state_dict(strict=True) on .pth and .safetensors; outputs match; graft → torch → graft bit-identical`, async () => {
    const seed = 1 + Math.floor(Math.random() * 1000);
    const model = c.build(seed);
    await fineTune(model, c.shape, c.numClasses, seed);
    const pth = path.join(dir, `${c.arch}.pth`);
    const st = path.join(dir, `${c.arch}.safetensors`);
    const resaved = path.join(dir, `${c.arch}-torch.pth`);
    const saved = await save(model, pth);
    assert.equal(saved.format, "torch");
    await save(model, st);
    const pthC = path.join(dir, `${c.arch}-contiguous.pth`);
    await save(model, pthC, { contiguous: true });
    const x = tf.randomUniform(c.shape, -2, 2, "float32", seed + 7);
    const input = path.join(dir, `${c.arch}.input.f32`);
    fs.writeFileSync(input, Buffer.from((x.dataSync() as Float32Array).buffer));
    const ours = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    const torch = runTorch({ arch: c.arch, num_classes: c.numClasses, files: [pth, st, pthC], input, shape: c.shape, resave: resaved });
    const scale = ours.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    assert.equal(torch.contiguous[pthC], true);
    assert.equal(torch.contiguous[st], true);
    for (const f of [pth, st, pthC]) {
      const theirs = torch.outputs[f];
      assert.equal(theirs.length, ours.length);
      const diff = theirs.reduce((a, v, i) => Math.max(a, Math.abs(v - ours[i])), 0);
      console.log(`${c.arch} ${path.extname(f)}: max |diff| ${diff.toExponential(2)} (scale ${scale.toExponential(2)})`);
      assert.ok(diff <= 1e-4 * scale, `${f}: max |diff| ${diff} exceeds 1e-4 of ${scale}`);
      assert.equal(torch.dtypes[f]["1.num_batches_tracked"] ?? torch.dtypes[f]["bn1.num_batches_tracked"], "torch.int64");
    }
    assert.deepEqual(torch.keys[st], torch.keys[pth]);
    assert.equal(torch.meta[st].producer, "graft");
    assert.equal(torch.meta[st].architecture, model.name);
    // graft → torch → graft, and graft → graft, through both files: the same bits.
    for (const f of [resaved, pth, st, pthC]) {
      const back = c.build(seed + 100);
      const report = await loadWeights(back, f, { strict: true });
      assert.equal(report.coverage, 1);
      assertSameBits(model, back, f);
      back.dispose();
    }
    tf.dispose(x);
    model.dispose();
  });
}
