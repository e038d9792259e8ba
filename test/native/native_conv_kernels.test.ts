/**
 * The convolutions of wasm training steps on ONNX Runtime: Conv2D, Conv2DBackpropFilter and
 * Conv2DBackpropInput computed natively agree with the cpu backend for every geometry (strides,
 * paddings, dilation, odd sizes, 1×1 to 7×7 and non-square kernels), propagate NaN and ±Infinity
 * as it does, leave small convolutions on wasm, and train a CNN to the cpu backend's losses.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { ready, silenceCpuBanner, tf } from "../../src/engine/engine";
import { MIN_MACS, installNativeConvKernels, nativeConvCalls, setNativeConvMinMacs } from "../../src/native/native_conv_kernels";
import { nativeRuntime } from "../../src/native";

type Pad = "same" | "valid" | number[][];
interface Case { x: number[]; k: [number, number]; co: number; s: [number, number]; d: [number, number]; pad: Pad }

const CASES: Case[] = [
  { x: [2, 8, 8, 8], k: [3, 3], co: 4, s: [1, 1], d: [1, 1], pad: "same" },
  { x: [2, 8, 8, 8], k: [3, 3], co: 4, s: [1, 1], d: [1, 1], pad: "valid" },
  { x: [3, 9, 7, 8], k: [3, 2], co: 5, s: [2, 2], d: [1, 1], pad: "same" },
  { x: [3, 9, 7, 9], k: [3, 3], co: 5, s: [2, 2], d: [1, 1], pad: "valid" },
  { x: [2, 10, 10, 8], k: [4, 4], co: 3, s: [2, 2], d: [1, 1], pad: "same" },
  { x: [2, 11, 10, 8], k: [5, 3], co: 2, s: [2, 1], d: [1, 1], pad: "valid" },
  { x: [1, 7, 7, 8], k: [3, 3], co: 4, s: [1, 1], d: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 9, 9, 8], k: [3, 3], co: 4, s: [2, 2], d: [1, 1], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { x: [1, 5, 5, 8], k: [1, 1], co: 1, s: [1, 1], d: [1, 1], pad: "valid" },
  { x: [2, 12, 12, 8], k: [7, 7], co: 8, s: [2, 2], d: [1, 1], pad: [[0, 0], [3, 3], [3, 3], [0, 0]] },
  { x: [2, 13, 13, 3], k: [3, 3], co: 32, s: [1, 1], d: [1, 1], pad: "valid" },
];
/** Forward only: tfjs's gradients reject dilation above 1. */
const DILATED: Case[] = [
  { x: [2, 12, 11, 8], k: [3, 3], co: 4, s: [1, 1], d: [2, 2], pad: "same" },
  { x: [2, 12, 11, 8], k: [3, 2], co: 4, s: [1, 1], d: [2, 3], pad: "valid" },
];

let seed = 777;
function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    a[i] = seed / 2147483648 * 2 - 1;
  }
  return a;
}

function run(backend: string, name: string, inputs: Record<string, { shape: number[]; data: Float32Array }>, attrs: object): Float32Array {
  tf.setBackend(backend);
  silenceCpuBanner();
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.data, v.shape);
  const out = tf.engine().runKernel(name, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
  const data = out.dataSync() as Float32Array;
  tf.dispose([out, ...Object.values(ts)]);
  return data;
}

/** Largest |a − b| over the scale of b; NaN and ±Infinity must match exactly. */
function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0, scale = 1e-12;
  for (let i = 0; i < b.length; i++) {
    if (!Number.isFinite(b[i])) {
      assert.ok(Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])), `item ${i}: ${a[i]} vs ${b[i]}`);
      continue;
    }
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return worst / scale;
}

const describe = (c: Case) => `x=${c.x} k=${c.k} co=${c.co} s=${c.s} d=${c.d} pad=${JSON.stringify(c.pad)}`;

/** Runs `name` on wasm (natively, it must be) and on the reference: the cpu backend, or wasm's own kernel. */
function agree(name: string, c: Case, inputs: Record<string, { shape: number[]; data: Float32Array }>, attrs: object, reference: "cpu" | "wasm" = "cpu"): void {
  const before = nativeConvCalls();
  const native = run("wasm", name, inputs, attrs);
  assert.equal(nativeConvCalls(), before + 1, `${name} ${describe(c)} ran natively`);
  if (reference === "wasm") setNativeConvMinMacs(Infinity);
  const expected = run(reference, name, inputs, attrs);
  setNativeConvMinMacs(0);
  const err = relativeError(native, expected);
  assert.ok(err < 1e-5, `${name} ${describe(c)}: relative error ${err}`);
}

function shapes(c: Case) {
  const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], [...c.k, c.x[3], c.co] as [number, number, number, number],
    c.s, c.d, c.pad as "same", undefined, false, "channelsLast");
  return { filter: [...c.k, c.x[3], c.co], out: info.outShape };
}

const available = nativeRuntime().available;

test("setup: the native convolution kernels are installed over wasm's", { skip: !available && "onnxruntime-node is not installed" }, async () => {
  await ready();
  installNativeConvKernels();
  assert.deepEqual(installNativeConvKernels(), [], "installing twice wraps nothing more");
});

test("Conv2D, its filter gradient and its input gradient natively equal the cpu backend's", { skip: !available && "onnxruntime-node is not installed" }, async () => {
  await ready();
  setNativeConvMinMacs(0);
  try {
    for (const c of CASES) {
      const { filter, out } = shapes(c);
      const x = { shape: c.x, data: rand(c.x.reduce((a, b) => a * b)) };
      const w = { shape: filter, data: rand(filter.reduce((a, b) => a * b)) };
      const dy = { shape: out, data: rand(out.reduce((a, b) => a * b)) };
      const conv = { strides: c.s, pad: c.pad, dataFormat: "NHWC", dilations: c.d };
      if (c.x[3] >= 8) agree("Conv2D", c, { x, filter: w }, conv);
      agree("Conv2DBackpropFilter", c, { x, dy }, { strides: c.s, pad: c.pad, dataFormat: "NHWC", filterShape: filter });
      agree("Conv2DBackpropInput", c, { dy, filter: w }, { strides: c.s, pad: c.pad, dataFormat: "NHWC", inputShape: c.x });
    }
    for (const c of DILATED) {
      const { filter } = shapes(c);
      const x = { shape: c.x, data: rand(c.x.reduce((a, b) => a * b)) };
      const w = { shape: filter, data: rand(filter.reduce((a, b) => a * b)) };
      agree("Conv2D", c, { x, filter: w }, { strides: c.s, pad: c.pad, dataFormat: "NHWC", dilations: c.d });
    }
  } finally {
    setNativeConvMinMacs(MIN_MACS);
    tf.setBackend("wasm");
  }
});

// The cpu backend skips a padded tap; wasm's kernels and PyTorch's multiply padding's zeros, so
// 0 × ±Infinity makes NaN there: native keeps wasm's semantics.
test("NaN and ±Infinity propagate natively as in wasm's own kernels", { skip: !available && "onnxruntime-node is not installed" }, async () => {
  await ready();
  setNativeConvMinMacs(0);
  try {
    const c = CASES[0];
    const { filter, out } = shapes(c);
    const xs = rand(c.x.reduce((a, b) => a * b));
    xs[5] = NaN; xs[40] = Infinity; xs[77] = -Infinity;
    const x = { shape: c.x, data: xs };
    const w = { shape: filter, data: rand(filter.reduce((a, b) => a * b)) };
    const dys = rand(out.reduce((a, b) => a * b));
    dys[3] = Infinity;
    const dy = { shape: out, data: dys };
    agree("Conv2D", c, { x, filter: w }, { strides: c.s, pad: c.pad, dataFormat: "NHWC", dilations: c.d }, "wasm");
    agree("Conv2DBackpropFilter", c, { x, dy }, { strides: c.s, pad: c.pad, dataFormat: "NHWC", filterShape: filter }, "wasm");
    agree("Conv2DBackpropInput", c, { dy, filter: w }, { strides: c.s, pad: c.pad, dataFormat: "NHWC", inputShape: c.x }, "wasm");
  } finally {
    setNativeConvMinMacs(MIN_MACS);
    tf.setBackend("wasm");
  }
});

test("small convolutions, and forward passes on few channels, stay on wasm", { skip: !available && "onnxruntime-node is not installed" }, async () => {
  await ready();
  const before = nativeConvCalls();
  tf.tidy(() => {
    const x = tf.randomNormal([2, 8, 8, 8]) as tf.Tensor4D;
    const w = tf.variable(tf.randomNormal([3, 3, 8, 4]) as tf.Tensor4D);
    tf.grads((a: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, w, 1, "same").sum())([x]);
    w.dispose();
    tf.conv2d(tf.randomNormal([32, 64, 64, 3]) as tf.Tensor4D, tf.randomNormal([3, 3, 3, 32]) as tf.Tensor4D, 1, "valid").dataSync();
  });
  assert.equal(nativeConvCalls(), before);
});

test("a CNN trains natively to the cpu backend's losses and weights", { skip: !available && "onnxruntime-node is not installed" }, async () => {
  await ready();
  const build = () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [20, 20, 8], filters: 16, kernelSize: 3, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
    m.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: "same", activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
    m.add(tf.layers.globalAveragePooling2d({}));
    m.add(tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
    m.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
    return m;
  };
  const xs = rand(16 * 20 * 20 * 8), labels = Array.from({ length: 16 }, (_, i) => i % 4);
  const trainOn = async (backend: string) => {
    tf.setBackend(backend);
    silenceCpuBanner();
    const m = build();
    const x = tf.tensor4d(xs, [16, 20, 20, 8]);
    const y = tf.oneHot(tf.tensor1d(labels, "int32"), 4);
    const h = await m.fit(x, y, { batchSize: 8, epochs: 3, shuffle: false, verbose: 0 });
    const weights = m.getWeights().map((w) => w.dataSync() as Float32Array);
    tf.dispose([x, y]);
    m.dispose();
    return { losses: h.history.loss as number[], weights };
  };
  setNativeConvMinMacs(0);
  const before = nativeConvCalls();
  try {
    const wasm = await trainOn("wasm");
    assert.ok(nativeConvCalls() > before, "the convolutions ran natively");
    const cpu = await trainOn("cpu");
    wasm.losses.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses[i]) < 1e-4, `epoch ${i}: ${l} vs ${cpu.losses[i]}`));
    wasm.weights.forEach((w, i) => assert.ok(relativeError(w, cpu.weights[i]) < 1e-4, `weight ${i}`));
  } finally {
    setNativeConvMinMacs(MIN_MACS);
    tf.setBackend("wasm");
  }
});

test("GRAFT_NATIVE=0 keeps every convolution on wasm", { skip: !available && "onnxruntime-node is not installed" }, () => {
  const script = `
    const { ready, tf } = require(${JSON.stringify(path.resolve(__dirname, "../../src/engine/engine"))});
    const k = require(${JSON.stringify(path.resolve(__dirname, "../../src/native/native_conv_kernels"))});
    ready().then(() => {
      k.installNativeConvKernels();
      k.setNativeConvMinMacs(0);
      const x = tf.randomNormal([2, 8, 8, 8]), w = tf.randomNormal([3, 3, 8, 4]);
      tf.grads((a, b) => tf.conv2d(a, b, 1, "same").sum())([x, w]).forEach((g) => g.dataSync());
      console.log(k.nativeConvCalls());
    });`;
  const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { env: { ...process.env, GRAFT_NATIVE: "0", GRAFT_BACKEND: "wasm" }, encoding: "utf8" });
  assert.equal(out.trim().split("\n").pop(), "0");
});
