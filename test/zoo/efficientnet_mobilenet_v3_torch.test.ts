/**
 * efficientnetB0, mobilenetV3Large and mobilenetV3Small against real torchvision 0.14
 * (fixtures by test/fixtures/make_mobile_zoo_fixtures.py): torchvision's seeded weights, saved by
 * torch.save, go in through graft's own loadWeights by name; eval outputs agree to 1e-4 of the
 * output scale, and one training step's gradients (BatchNorm on batch statistics) agree with
 * torch's autograd to 1e-3 of each gradient's scale on graft's engine.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { engine, ready, tf } from "../../src/engine/engine";
import { loadWeights, torchRule } from "../../src/load";
import * as zoo from "../../src/zoo";

const ROOT = path.resolve(__dirname, "..", "..");
const SCRIPT = path.join(ROOT, "test", "fixtures", "make_mobile_zoo_fixtures.py");
const DIR = path.join(ROOT, "test", ".fixtures", "mobile_zoo");

const BUILDERS: Record<string, (opts: zoo.ZooOptions) => tf.LayersModel> = {
  efficientnet_b0: zoo.efficientnetB0,
  mobilenet_v3_large: zoo.mobilenetV3Large,
  mobilenet_v3_small: zoo.mobilenetV3Small,
};

interface GradIndex {
  /** "train": BatchNorm on batch statistics; "eval": on running statistics (see the fixture script). */
  mode: "train" | "eval";
  inputShape: [number, number, number, number];
  outputShape: number[];
  tensors: { name: string; shape: number[]; offset: number }[];
}
interface Index {
  fixture: string;
  model: string;
  numClasses: number;
  inputShape: [number, number, number, number];
  outputShape: number[];
  grad?: GradIndex;
}

function floats(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  const copy = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
  return new Float32Array(copy.buffer, copy.byteOffset, Math.floor(copy.byteLength / 4));
}

function fresh(): boolean {
  const stamp = path.join(DIR, ".stamp");
  return fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= fs.statSync(SCRIPT).mtimeMs;
}

before(async () => {
  await ready();
  if (!fresh()) {
    fs.rmSync(DIR, { recursive: true, force: true });
    fs.mkdirSync(DIR, { recursive: true });
    execFileSync("/usr/bin/python3", [SCRIPT, DIR], { stdio: ["ignore", "inherit", "inherit"] });
  }
});

const index = (fixture: string): Index => JSON.parse(fs.readFileSync(path.join(DIR, fixture, "index.json"), "utf8"));

/** Builds the fixture's model and loads its .pth with graft's loader, strictly. */
async function loaded(fixture: Index): Promise<tf.LayersModel> {
  const [, height, width, channels] = fixture.inputShape;
  const model = BUILDERS[fixture.model]({ numClasses: fixture.numClasses, inputShape: [height, width, channels] });
  const report = await loadWeights(model, path.join(DIR, fixture.fixture, "model.pth"), { strict: true });
  assert.equal(report.applied, true);
  assert.deepEqual([report.missing, report.unexpected, report.mismatched], [[], [], []]);
  assert.equal(report.coverage, 1);
  return model;
}

/** max |a − b| and max |b| over two arrays. */
function compare(a: ArrayLike<number>, b: ArrayLike<number>): { maxDiff: number; scale: number } {
  assert.equal(a.length, b.length);
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { maxDiff, scale };
}

const EVAL_FIXTURES = [
  "efficientnet_b0",
  "efficientnet_b0_49x66",
  "mobilenet_v3_large",
  "mobilenet_v3_large_49x66",
  "mobilenet_v3_small",
  "mobilenet_v3_small_57x43",
];

for (const name of EVAL_FIXTURES) {
  test(`${name}: torchvision's .pth loads by name and eval outputs match torch's to 1e-4`, async () => {
    const fixture = index(name);
    const model = await loaded(fixture);
    try {
      assert.equal(zoo.torchvisionName(model), fixture.model);
      const actual = tf.tidy(() => (model.predict(tf.tensor(floats(path.join(DIR, name, "input.bin")), fixture.inputShape)) as tf.Tensor).dataSync());
      assert.deepEqual(model.outputs[0].shape.slice(1), fixture.outputShape.slice(1));
      const { maxDiff, scale } = compare(actual, floats(path.join(DIR, name, "output.bin")));
      console.log(`${name}: max |diff| ${maxDiff.toExponential(2)}, output scale ${scale.toFixed(3)}, relative ${(maxDiff / scale).toExponential(2)}`);
      assert.ok(scale > 0.01, `${name}: torch output scale ${scale} is too small for a meaningful check`);
      assert.ok(maxDiff <= 1e-4 * scale, `${name}: max |diff| ${maxDiff} is ${maxDiff / scale} of the output scale ${scale} (limit 1e-4)`);
    } finally {
      model.dispose();
    }
  });
}

/** The model with every Dropout and StochasticDepth at rate 0, through toJSON → modelFromJSON (as torch's p = 0). */
async function withoutDropout(model: tf.LayersModel): Promise<tf.LayersModel> {
  const topology = model.toJSON(null, false) as { config: { layers: { class_name: string; config: { rate?: number } }[] } };
  let changed = 0;
  for (const layer of topology.config.layers) {
    if (layer.class_name === "Dropout" || layer.class_name === "StochasticDepth") {
      layer.config.rate = 0;
      changed++;
    }
  }
  assert.ok(changed > 0);
  const copy = await tf.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON["modelTopology"] });
  copy.setWeights(model.getWeights());
  return copy;
}

/** BatchNorm mode of each gradient fixture (why MobileNetV3's is eval: the fixture script). */
const GRAD_MODES: Record<string, GradIndex["mode"]> = { efficientnet_b0: "train", mobilenet_v3_large: "eval", mobilenet_v3_small: "eval" };

for (const [name, mode] of Object.entries(GRAD_MODES)) {
  test(`${name}: one training step's gradients match torch's to 1e-3 on graft's engine (${engine().backend}), BatchNorm in ${mode} mode`, async () => {
    const fixture = index(name);
    const grad = fixture.grad as GradIndex;
    assert.equal(grad.mode, mode);
    const [batch, height, width, channels] = grad.inputShape;
    const source = await loaded({ ...fixture, inputShape: grad.inputShape });
    const model = await withoutDropout(source);
    source.dispose();
    try {
      const x = tf.tensor(floats(path.join(DIR, name, "grad_input.bin")), [batch, height, width, channels]);
      const r = tf.tensor(floats(path.join(DIR, name, "grad_weights.bin")), grad.outputShape);
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(
        () => tf.div(tf.sum(tf.mul(model.apply(x, { training: grad.mode === "train" }) as tf.Tensor, r)), batch) as tf.Scalar,
        variables,
      );
      tf.dispose([x, r]);
      const all = floats(path.join(DIR, name, "grads.bin"));
      const torchGrads = new Map(grad.tensors.map((t) => [t.name, t]));
      const results: { name: string; maxDiff: number; scale: number }[] = [];
      for (const layer of model.layers) {
        for (const w of layer.trainableWeights) {
          const local = w.originalName.split("/").pop() as string;
          const rule = torchRule(layer.getClassName(), local);
          assert.ok(rule, `no torch layout for ${layer.getClassName()}/${local}`);
          const torchName = `${layer.name}.${rule.torch[0]}`;
          const t = torchGrads.get(torchName);
          assert.ok(t, `torch has no gradient for ${torchName}`);
          const size = t.shape.reduce((a, b) => a * b, 1);
          const expected = tf.tidy(() =>
            rule.convert([tf.tensor(all.subarray(t.offset / 4, t.offset / 4 + size), t.shape)], { layer, target: w.shape as number[] }).dataSync(),
          );
          results.push({ name: torchName, ...compare(grads[(w.read() as tf.Variable).name].dataSync(), expected) });
        }
      }
      tf.dispose(Object.values(grads));
      assert.equal(results.length, grad.tensors.length);
      // A project BatchNorm's bias whose every path runs into a later train-mode BatchNorm has a
      // gradient of exactly 0 (that BN removes any per-channel constant): torch's values there are
      // float noise (~1e-8 of the largest gradient). Such tensors (scale < 1e-5 of the largest)
      // must be as near 0 on graft's side; every other tensor agrees to 1e-3 of its own scale.
      const largest = Math.max(...results.map((r) => r.scale));
      const zero = results.filter((r) => r.scale < 1e-5 * largest);
      const judged = results.filter((r) => r.scale >= 1e-5 * largest).map((r) => ({ ...r, relative: r.maxDiff / r.scale }));
      for (const r of judged) if (r.relative > 1e-3) console.log(`  ${r.name}: max |diff| ${r.maxDiff.toExponential(2)}, scale ${r.scale.toExponential(2)}`);
      const worst = judged.reduce((p, q) => (q.relative > p.relative ? q : p));
      console.log(
        `${name}: ${results.length} gradients, worst ${worst.name} at ${worst.relative.toExponential(2)} of its scale; ` +
          `${zero.length} zero in exact arithmetic (${zero.slice(0, 2).map((r) => r.name).join(", ")}${zero.length > 2 ? ", …" : ""})`,
      );
      for (const r of zero) {
        assert.match(r.name, /\.1\.bias$/, `only BatchNorm biases may have zero gradients; got ${r.name}`);
        assert.ok(r.maxDiff <= 2e-5 * largest, `${r.name}: torch's gradient is ~0 but graft's differs by ${r.maxDiff}`);
      }
      assert.ok(worst.relative <= 1e-3, `${name}: gradient of ${worst.name} differs from torch's by ${worst.relative} of its scale (limit 1e-3)`);
    } finally {
      model.dispose();
    }
  });
}
