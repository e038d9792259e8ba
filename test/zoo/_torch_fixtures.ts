/**
 * Test-side access to the zoo fixtures written by test/fixtures/make_zoo_fixtures.py
 * (torchvision models with random weights, their input and output), and the conversion of
 * those torch tensors onto a zoo model by layer name. Test-only: graft's real loader lives in
 * src/load and is tested against real .pth files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writePythonFixtures } from "../_python_fixtures";
import { tf } from "../../src/engine/engine";

const ROOT = path.resolve(__dirname, "..", "..");
const SCRIPT = path.join(ROOT, "test", "fixtures", "make_zoo_fixtures.py");
export const FIXTURE_DIR = path.join(ROOT, "test", ".fixtures", "zoo");

export interface TorchFixture {
  /** the fixture's name, e.g. `resnet18_57x75`. */
  fixture: string;
  /** torchvision builder, e.g. `resnet18`. */
  model: string;
  numClasses: number;
  inputShape: [number, number, number, number];
  outputShape: number[];
  /** torch state-dict name → tensor in torch layout. */
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
  input: Float32Array;
  output: Float32Array;
}

function isFresh(): boolean {
  const stamp = path.join(FIXTURE_DIR, ".stamp");
  return fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= fs.statSync(SCRIPT).mtimeMs;
}

/**
 * Writes the fixtures with real PyTorch when missing or older than the script; cached afterwards.
 * Test files run in parallel processes, so one of them generates under a lock directory while
 * the others wait (a lock older than 10 minutes is taken to be left by a crashed run).
 */
export function ensureFixtures(): void {
  writePythonFixtures({ dir: FIXTURE_DIR, script: SCRIPT, isFresh });
}

function floats(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  const copy = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
  return new Float32Array(copy.buffer, copy.byteOffset, Math.floor(copy.byteLength / 4));
}

/** Path of a fixture's real PyTorch checkpoint, `torch.save(model.state_dict())`. */
export function pthPath(fixture: string): string {
  return path.join(FIXTURE_DIR, fixture, "model.pth");
}

/** Reads one model's fixture (call {@link ensureFixtures} first). */
export function readFixture(model: string): TorchFixture {
  const dir = path.join(FIXTURE_DIR, model);
  const index = JSON.parse(fs.readFileSync(path.join(dir, "index.json"), "utf8"));
  // The index gives each tensor's byte offset inside model.pth (torch aligns them to 64 bytes).
  const weights = floats(path.join(dir, "model.pth"));
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of index.tensors as { name: string; shape: number[]; offset: number }[]) {
    if (t.offset % 4 !== 0) throw new Error(`${model}: ${t.name} at byte ${t.offset} of model.pth is not 4-byte aligned`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    tensors.set(t.name, { shape: t.shape, data: weights.subarray(t.offset / 4, t.offset / 4 + size) });
  }
  return {
    fixture: index.fixture,
    model: index.model,
    numClasses: index.numClasses,
    inputShape: index.inputShape,
    outputShape: index.outputShape,
    tensors,
    input: floats(path.join(dir, "input.bin")),
    output: floats(path.join(dir, "output.bin")),
  };
}

/** tfjs weight name (inside a layer) → torch parameter/buffer suffix. */
const TORCH_SUFFIX: Record<string, string> = {
  kernel: "weight",
  depthwise_kernel: "weight",
  bias: "bias",
  gamma: "weight",
  beta: "bias",
  moving_mean: "running_mean",
  moving_variance: "running_var",
};

/** The torch → tfjs layout change for one weight (ARCHITECTURE.md §5), as tfjs ops. */
function toTfjsLayout(layer: tf.layers.Layer, weight: string, t: tf.Tensor): tf.Tensor {
  const kind = layer.getClassName();
  if (kind === "Conv2D" && weight === "kernel") return t.transpose([2, 3, 1, 0]); // OIHW → HWIO
  if (kind === "DepthwiseConv2D" && weight === "depthwise_kernel") return t.transpose([2, 3, 0, 1]); // (C,1,kh,kw) → (kh,kw,C,1)
  if (kind === "Dense" && weight === "kernel") {
    const before = layer.inboundNodes[0].inboundLayers[0];
    if (before.getClassName() === "Flatten") {
      // torch flattened (C, H, W); tfjs flattens (H, W, C): permute the `in` axis.
      const [, h, w, c] = before.inboundNodes[0].inboundLayers[0].outputShape as number[];
      const out = t.shape[0];
      return t.reshape([out, c, h, w]).transpose([2, 3, 1, 0]).reshape([h * w * c, out]);
    }
    return t.transpose([1, 0]); // (out, in) → (in, out)
  }
  return t.clone();
}

/**
 * Sets every weight of `model` from the fixture by name and checks that the two sides match
 * exactly: each model weight has a torch tensor, each torch tensor is used once.
 * @returns the torch names that were used.
 */
export function setWeightsFromTorch(model: tf.LayersModel, fixture: TorchFixture): Set<string> {
  const used = new Set<string>();
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => {
      const local = w.originalName.split("/").pop() as string;
      const torchName = `${layer.name}.${TORCH_SUFFIX[local]}`;
      const source = fixture.tensors.get(torchName);
      if (!source) throw new Error(`${fixture.model}: no torch tensor ${torchName} for tfjs weight ${w.originalName}`);
      used.add(torchName);
      return tf.tidy(() => toTfjsLayout(layer, local, tf.tensor(source.data, source.shape)));
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
  return used;
}
