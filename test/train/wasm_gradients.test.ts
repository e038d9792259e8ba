import { test } from "node:test";
import assert from "node:assert/strict";
import { ready, silenceCpuBanner, tf } from "../../src/engine/engine";
import { installWasmGradients } from "../../src/engine/wasm_gradients";
import { geometry } from "../../src/engine/_filter_grad_geometry";
import { preferSwapped, swappedPadding } from "../../src/engine/_filter_grad_swapped";

type Pad = "same" | "valid" | number[][];
interface Case { x: number[]; k: [number, number]; co: number; s: [number, number]; d: [number, number]; pad: Pad }

let seed = 12345;
function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    a[i] = seed / 2147483648 * 2 - 1;
  }
  return a;
}

function runOn(backend: string, name: string, inputs: Record<string, { shape: number[]; data: Float32Array }>, attrs: object): { shape: number[]; data: Float32Array } {
  tf.setBackend(backend);
  silenceCpuBanner();
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.data, v.shape);
  const before = tf.memory().numTensors;
  const out = tf.engine().runKernel(name, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
  const res = { shape: out.shape, data: out.dataSync() as Float32Array };
  out.dispose();
  Object.values(ts).forEach((t) => t.dispose());
  assert.equal(tf.memory().numTensors, before - Object.keys(ts).length);
  return res;
}

function maxRelError(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]) / Math.max(scale, 1e-12));
  return err;
}

function describe(c: Case, m?: number): string {
  return `x=${c.x} k=${c.k} ${m ? `m=${m}` : `co=${c.co}`} s=${c.s} d=${c.d} pad=${JSON.stringify(c.pad)}`;
}

const CONV_CASES: Case[] = [
  { x: [2, 8, 8, 3], k: [3, 3], co: 4, s: [1, 1], d: [1, 1], pad: "same" },
  { x: [2, 8, 8, 3], k: [3, 3], co: 4, s: [1, 1], d: [1, 1], pad: "valid" },
  { x: [3, 9, 7, 2], k: [3, 2], co: 5, s: [2, 2], d: [1, 1], pad: "same" },
  { x: [3, 9, 7, 2], k: [3, 3], co: 5, s: [2, 2], d: [1, 1], pad: "valid" },
  { x: [2, 10, 10, 4], k: [4, 4], co: 3, s: [2, 2], d: [1, 1], pad: "same" },
  { x: [2, 11, 10, 3], k: [5, 3], co: 2, s: [2, 1], d: [1, 1], pad: "valid" },
  { x: [1, 7, 7, 3], k: [3, 3], co: 4, s: [1, 1], d: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 9, 9, 3], k: [3, 3], co: 4, s: [2, 2], d: [1, 1], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { x: [1, 5, 5, 1], k: [1, 1], co: 1, s: [1, 1], d: [1, 1], pad: "valid" },
  { x: [4, 16, 16, 8], k: [3, 3], co: 16, s: [1, 1], d: [1, 1], pad: "same" },
  { x: [2, 12, 12, 6], k: [7, 7], co: 8, s: [2, 2], d: [1, 1], pad: [[0, 0], [3, 3], [3, 3], [0, 0]] },
  // few input channels, many output channels: the filter gradient with x and dy swapped
  ...SWAPPED_CASES(),
];

/** Shapes for which Conv2DBackpropFilter takes the swapped path (checked by a test below). */
function SWAPPED_CASES(): Case[] {
  return [
    { x: [2, 12, 12, 3], k: [3, 3], co: 32, s: [1, 1], d: [1, 1], pad: "same" },
    { x: [1, 13, 11, 3], k: [3, 3], co: 24, s: [1, 1], d: [1, 1], pad: "valid" },
    { x: [3, 20, 19, 2], k: [5, 3], co: 32, s: [1, 1], d: [1, 1], pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
    { x: [2, 9, 9, 3], k: [2, 2], co: 32, s: [1, 1], d: [1, 1], pad: "same" },
    { x: [2, 16, 16, 1], k: [1, 1], co: 16, s: [1, 1], d: [1, 1], pad: "valid" },
  ];
}

/** Shapes that would prefer the swapped path but cannot take it (stride 2; padding wider than the filter). */
const UNSWAPPABLE_CASES: Case[] = [
  { x: [2, 12, 12, 3], k: [3, 3], co: 32, s: [2, 2], d: [1, 1], pad: "same" },
  { x: [2, 8, 8, 3], k: [3, 3], co: 32, s: [1, 1], d: [1, 1], pad: [[0, 0], [3, 0], [0, 0], [0, 0]] },
];
CONV_CASES.push(...UNSWAPPABLE_CASES);

test("Conv2DBackpropFilter and Conv2DBackpropInput on wasm equal the cpu backend (strides, SAME/VALID/explicit)", async () => {
  await ready();
  installWasmGradients();
  for (const c of CONV_CASES) {
    const filterShape = [c.k[0], c.k[1], c.x[3], c.co];
    const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], filterShape as [number, number, number, number], c.s, 1, c.pad as "same");
    const x = { shape: c.x, data: rand(c.x.reduce((a, b) => a * b)) };
    const dy = { shape: info.outShape, data: rand(info.outShape.reduce((a, b) => a * b)) };
    const attrs = { strides: c.s, pad: c.pad, dataFormat: "NHWC", filterShape };
    const want = runOn("cpu", "Conv2DBackpropFilter", { x, dy }, attrs);
    const got = runOn("wasm", "Conv2DBackpropFilter", { x, dy }, attrs);
    assert.deepEqual(got.shape, want.shape, describe(c));
    const err = maxRelError(got.data, want.data);
    assert.ok(err <= 1e-4, `${describe(c)}: max relative error ${err}`);

    const filter = { shape: filterShape, data: rand(filterShape.reduce((a, b) => a * b)) };
    const inAttrs = { strides: c.s, pad: c.pad, dataFormat: "NHWC", inputShape: c.x };
    const wantDx = runOn("cpu", "Conv2DBackpropInput", { dy, filter }, inAttrs);
    const gotDx = runOn("wasm", "Conv2DBackpropInput", { dy, filter }, inAttrs);
    assert.deepEqual(gotDx.shape, c.x, describe(c));
    const errDx = maxRelError(gotDx.data, wantDx.data);
    assert.ok(errDx <= 1e-4, `input gradient ${describe(c)}: max relative error ${errDx}`);
  }
  tf.setBackend("wasm");
});

test("Conv2DBackpropFilter's path choice: the swapped cases take it, the others cannot", () => {
  const plan = (c: Case) => {
    const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], [c.k[0], c.k[1], c.x[3], c.co], c.s, 1, c.pad as "same");
    const g = geometry(info);
    const pad = swappedPadding(g);
    return pad !== undefined && preferSwapped(g, pad);
  };
  for (const c of SWAPPED_CASES()) assert.ok(plan(c), `swapped path for ${describe(c)}`);
  for (const c of UNSWAPPABLE_CASES) assert.ok(!plan(c), `reference path for ${describe(c)}`);
  // the second conv of bench/train-cnn packs dy at a lower estimated cost
  assert.ok(!plan({ x: [32, 31, 31, 32], k: [3, 3], co: 64, s: [1, 1], d: [1, 1], pad: "valid" }));
  assert.ok(plan({ x: [32, 64, 64, 3], k: [3, 3], co: 32, s: [1, 1], d: [1, 1], pad: "valid" }));
});

const DEPTHWISE_CASES: Array<Case & { m: number }> = [
  { x: [2, 8, 8, 3], k: [3, 3], co: 0, m: 1, s: [1, 1], d: [1, 1], pad: "same" },
  { x: [2, 8, 8, 3], k: [3, 3], co: 0, m: 2, s: [1, 1], d: [1, 1], pad: "valid" },
  { x: [2, 9, 9, 4], k: [3, 3], co: 0, m: 1, s: [2, 2], d: [1, 1], pad: "same" },
  { x: [2, 10, 10, 4], k: [3, 3], co: 0, m: 3, s: [2, 2], d: [1, 1], pad: "same" },
  { x: [3, 9, 7, 2], k: [3, 2], co: 0, m: 2, s: [2, 1], d: [1, 1], pad: "valid" },
  { x: [1, 7, 7, 3], k: [3, 3], co: 0, m: 1, s: [1, 1], d: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 9, 9, 3], k: [3, 3], co: 0, m: 2, s: [2, 2], d: [1, 1], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { x: [2, 12, 12, 8], k: [5, 5], co: 0, m: 1, s: [2, 2], d: [1, 1], pad: "same" },
  { x: [2, 11, 11, 3], k: [3, 3], co: 0, m: 1, s: [1, 1], d: [2, 2], pad: "same" },
  { x: [2, 11, 10, 3], k: [3, 2], co: 0, m: 2, s: [1, 1], d: [2, 3], pad: "valid" },
  { x: [1, 12, 12, 2], k: [3, 3], co: 0, m: 1, s: [1, 1], d: [3, 3], pad: [[0, 0], [3, 3], [2, 4], [0, 0]] },
];

/**
 * The cpu backend's depthwise gradient kernels index taps without the dilation, so for
 * dilated cases the reference is the undilated gradient with the filter spread out to its
 * effective size (zeros between taps): a dilated convolution equals that convolution.
 */
function effective(c: Case & { m: number }): { k: [number, number]; spread: (w: Float32Array) => Float32Array; pick: (dw: Float32Array) => Float32Array } {
  const [kh, kw] = c.k, [dh, dw] = c.d, C = c.x[3], M = c.m;
  const eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
  const index = (h: number, w: number, width: number, ch: number, m: number) => ((h * width + w) * C + ch) * M + m;
  return {
    k: [eh, ew],
    spread(w) {
      const out = new Float32Array(eh * ew * C * M);
      for (let h = 0; h < kh; h++) for (let x = 0; x < kw; x++) for (let ch = 0; ch < C; ch++) for (let m = 0; m < M; m++) {
        out[index(h * dh, x * dw, ew, ch, m)] = w[index(h, x, kw, ch, m)];
      }
      return out;
    },
    pick(full) {
      const out = new Float32Array(kh * kw * C * M);
      for (let h = 0; h < kh; h++) for (let x = 0; x < kw; x++) for (let ch = 0; ch < C; ch++) for (let m = 0; m < M; m++) {
        out[index(h, x, kw, ch, m)] = full[index(h * dh, x * dw, ew, ch, m)];
      }
      return out;
    },
  };
}

test("DepthwiseConv2dNative backprop (filter and input) on wasm equals cpu (strides, dilations, multipliers, padding)", async () => {
  await ready();
  installWasmGradients();
  for (const c of DEPTHWISE_CASES) {
    const C = c.x[3];
    const filterShape = [c.k[0], c.k[1], C, c.m];
    const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], filterShape as [number, number, number, number], c.s, c.d, c.pad as "same", undefined, true);
    const x = { shape: c.x, data: rand(c.x.reduce((a, b) => a * b)) };
    const dy = { shape: info.outShape, data: rand(info.outShape.reduce((a, b) => a * b)) };
    const filter = { shape: filterShape, data: rand(filterShape.reduce((a, b) => a * b)) };
    const eff = effective(c);
    const effShape = [eff.k[0], eff.k[1], C, c.m];
    const base = { strides: c.s, pad: c.pad };

    const wantDw = runOn("cpu", "DepthwiseConv2dNativeBackpropFilter", { x, dy }, { ...base, dilations: [1, 1], filterShape: effShape });
    const gotDw = runOn("wasm", "DepthwiseConv2dNativeBackpropFilter", { x, dy }, { ...base, dilations: c.d, filterShape });
    assert.deepEqual(gotDw.shape, filterShape, describe(c, c.m));
    const errDw = maxRelError(gotDw.data, eff.pick(wantDw.data));
    assert.ok(errDw <= 1e-4, `filter gradient ${describe(c, c.m)}: max relative error ${errDw}`);

    const wantDx = runOn("cpu", "DepthwiseConv2dNativeBackpropInput", { dy, filter: { shape: effShape, data: eff.spread(filter.data) } }, { ...base, dilations: [1, 1], inputShape: c.x });
    const gotDx = runOn("wasm", "DepthwiseConv2dNativeBackpropInput", { dy, filter }, { ...base, dilations: c.d, inputShape: c.x });
    assert.deepEqual(gotDx.shape, c.x, describe(c, c.m));
    const errDx = maxRelError(gotDx.data, wantDx.data);
    assert.ok(errDx <= 1e-4, `input gradient ${describe(c, c.m)}: max relative error ${errDx}`);
  }
  tf.setBackend("wasm");
});

test("the dilated reference agrees with cpu where dilation is 1 (sanity of the spread/pick helpers)", () => {
  const c = { x: [1, 6, 6, 2], k: [3, 3] as [number, number], co: 0, m: 2, s: [1, 1] as [number, number], d: [1, 1] as [number, number], pad: "same" as Pad };
  const e = effective(c);
  const w = rand(3 * 3 * 2 * 2);
  assert.deepEqual(e.pick(e.spread(w)), w);
});

test("MaxPoolGrad on wasm equals cpu exactly, ties, NaN and −∞, padding and overlapping windows included", async () => {
  await ready();
  // `ties`: values on a coarse grid with zeros (as after a ReLU), so windows hold tied maxima.
  const cases: Array<{ x: number[]; k: number; s: number; pad: "same" | "valid"; ties: boolean }> = [
    { x: [2, 8, 8, 3], k: 2, s: 2, pad: "valid", ties: true },
    { x: [2, 9, 7, 4], k: 2, s: 2, pad: "valid", ties: true },
    { x: [1, 8, 8, 2], k: 2, s: 2, pad: "same", ties: true },
    { x: [2, 9, 9, 3], k: 3, s: 3, pad: "valid", ties: true },
    { x: [1, 7, 7, 2], k: 2, s: 2, pad: "same", ties: true },
    { x: [2, 8, 8, 3], k: 3, s: 2, pad: "same", ties: true },
    { x: [2, 8, 8, 3], k: 2, s: 1, pad: "valid", ties: true },
    { x: [3, 10, 6, 5], k: 2, s: 2, pad: "valid", ties: false },
    { x: [1, 2, 2, 1], k: 2, s: 2, pad: "valid", ties: false },
  ];
  for (const c of [...cases, { x: [2, 8, 8, 3], k: 2, s: 2, pad: "valid" as const, ties: true, nonFinite: true }]) {
    const data = rand(c.x.reduce((a, b) => a * b)).map((v) => c.ties ? Math.max(0, Math.round(v * 3) / 3) : v);
    if ("nonFinite" in c) {
      // a NaN among finite taps, a window of NaNs, a window of −∞ and one mixing −∞ and NaN
      data[5] = NaN;
      for (const p of [0, 3, 24, 27]) data[48 + p] = NaN;
      for (const p of [0, 3, 24, 27]) data[96 + p] = Number.NEGATIVE_INFINITY;
      data[150] = Number.NEGATIVE_INFINITY; data[153] = NaN; data[174] = Number.NEGATIVE_INFINITY; data[177] = Number.NEGATIVE_INFINITY;
    }
    const grads: Float32Array[] = [];
    for (const backend of ["cpu", "wasm"]) {
      tf.setBackend(backend);
      silenceCpuBanner();
      const x = tf.tensor4d(data, c.x as [number, number, number, number]);
      const g = tf.grad((t: tf.Tensor) => { const y = tf.maxPool(t as tf.Tensor4D, c.k, c.s, c.pad); return y.mul(tf.range(1, 1 + y.size).reshape(y.shape)).sum(); })(x);
      grads.push(g.dataSync() as Float32Array);
      tf.dispose([x, g]);
    }
    assert.deepEqual(grads[1], grads[0], `pool ${c.k} stride ${c.s} ${c.pad} on ${c.x}`);
  }
  tf.setBackend("wasm");
});

test("Sum and Mean on wasm: the pooled and loop fast paths and the other reductions equal cpu", async () => {
  await ready();
  const shapes: Array<[number[], number[], boolean]> = [
    [[4, 5, 6, 3], [0, 1, 2], false], [[4, 5, 6, 3], [0, 1, 2], true], [[7, 3], [0], false], [[3, 4, 5], [0, 1], false],
    [[3, 4, 5], [1, 2], false], [[3, 4, 5], [0, 2], true], [[3, 4, 5], [0, 1, 2], false], [[1, 6], [0], false],
    // large enough for the pooled path: leading blocks split on the batch, one window, odd sizes, keepDims
    [[8, 31, 29, 16], [0, 1, 2], false], [[5, 63, 61, 3], [0, 1, 2], true], [[70001, 2], [0], false],
    [[3, 97, 301], [0, 1], false], [[1, 300, 257], [0, 1], true],
    // middle blocks (global average pooling), batch 1, a block of one axis, a 5-D tensor
    [[8, 29, 31, 16], [1, 2], false], [[1, 62, 62, 32], [1, 2], true], [[6, 301, 47], [1], false],
    [[2, 3, 41, 43, 17], [2, 3], false], [[2, 3, 41, 43, 17], [1, 2, 3], true],
    // blocks pooling leaves to the wasm kernel: innermost, not consecutive, small middle blocks
    [[8, 29, 31, 16], [2, 3], false], [[8, 29, 31, 16], [1, 3], false], [[2, 4, 4, 3], [1, 2], false],
  ];
  for (const reduce of [tf.sum, tf.mean]) {
    for (const [shape, axis, keepDims] of shapes) {
      const data = rand(shape.reduce((a, b) => a * b));
      const results = ["cpu", "wasm"].map((backend) => {
        tf.setBackend(backend);
        silenceCpuBanner();
        const t = tf.tensor(data, shape);
        const s = reduce(t, axis, keepDims);
        const r = { shape: s.shape, data: s.dataSync() as Float32Array };
        tf.dispose([t, s]);
        return r;
      });
      assert.deepEqual(results[1].shape, results[0].shape);
      const err = maxRelError(results[1].data, results[0].data);
      assert.ok(err <= 1e-5, `${reduce === tf.sum ? "sum" : "mean"} ${shape} over ${axis}: max relative error ${err}`);
    }
  }
  tf.setBackend("wasm");
});

test("GatherV2 on wasm: the slice-copy fast path and the wasm kernel's cases equal cpu", async () => {
  await ready();
  installWasmGradients();
  const cases: Array<{ shape: number[]; dtype: "float32" | "int32"; indices: number[]; indicesShape?: number[]; axis: number; batchDims?: number }> = [
    { shape: [10, 16, 16, 3], dtype: "float32", indices: [3, 0, 9, 3, 5], axis: 0 }, // fit's batches, a repeated row
    { shape: [7, 300], dtype: "int32", indices: [6, 1], axis: 0 },
    { shape: [2, 5, 17, 19], dtype: "float32", indices: [4, 0, 2, 1, 1, 3], indicesShape: [2, 3], axis: 1 },
    { shape: [1, 4, 300], dtype: "float32", indices: [], axis: 1 },
    { shape: [10, 3, 4], dtype: "float32", indices: [1, 9], axis: 0 }, // slices too short: the wasm kernel
    { shape: [2, 6, 300], dtype: "float32", indices: [1, 5, 0, 2], indicesShape: [2, 2], axis: 1, batchDims: 1 },
  ];
  for (const c of cases) {
    const data = rand(c.shape.reduce((a, b) => a * b)).map((v) => (c.dtype === "int32" ? Math.round(v * 1000) : v));
    const results = ["cpu", "wasm"].map((backend) => {
      tf.setBackend(backend);
      silenceCpuBanner();
      const x = tf.tensor(data, c.shape, c.dtype);
      const i = tf.tensor(c.indices, c.indicesShape ?? [c.indices.length], "int32");
      const g = tf.gather(x, i, c.axis, c.batchDims ?? 0);
      const r = { shape: g.shape, dtype: g.dtype, data: Array.from(g.dataSync()) };
      tf.dispose([x, i, g]);
      return r;
    });
    assert.deepEqual(results[1], results[0], `gather ${c.shape} axis ${c.axis} at ${c.indices}`);
  }
  tf.setBackend("wasm");
  const x = tf.zeros([4, 300]), i = tf.tensor1d([1, 4], "int32");
  assert.throws(() => tf.gather(x, i), /GatherV2: the index value 4 is not in \[0, 3\]/);
  tf.dispose([x, i]);
});

test("Identity on wasm shares memory with reference counts: a clone outlives its source, strings still copy", async () => {
  await ready();
  installWasmGradients();
  tf.setBackend("wasm");
  const before = tf.memory();
  const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  const b = tf.clone(a);
  assert.equal(tf.memory().numDataBuffers, before.numDataBuffers + 1, "the clone shares its source's buffer");
  a.dispose();
  assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3, 4, 5, 6]);
  const c = b.add(1);
  b.dispose();
  assert.deepEqual(Array.from(c.dataSync()), [2, 3, 4, 5, 6, 7]);
  c.dispose();
  const s = tf.tensor1d(["x", "yz"], "string");
  const t = tf.clone(s);
  s.dispose();
  assert.deepEqual(t.dataSync(), ["x", "yz"]);
  t.dispose();
  assert.equal(tf.memory().numTensors, before.numTensors);
  assert.equal(tf.memory().numDataBuffers, before.numDataBuffers);
});

test("installWasmGradients is idempotent", () => {
  assert.deepEqual(installWasmGradients(), []);
  for (const name of ["Conv2DBackpropFilter", "Conv2DBackpropInput", "MaxPoolGrad", "DepthwiseConv2dNativeBackpropFilter", "DepthwiseConv2dNativeBackpropInput", "Sum", "Mean", "GatherV2", "Identity"]) {
    assert.ok(tf.getKernel(name, "wasm"), name);
  }
});

test("end to end: variableGrads of a small CNN with BatchNorm and depthwise convs on wasm equal cpu", async () => {
  await ready();
  tf.setBackend("wasm");
  const input = tf.input({ shape: [12, 12, 3] });
  let t = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: "same" }).apply(input) as tf.SymbolicTensor;
  t = tf.layers.batchNormalization().apply(t) as tf.SymbolicTensor;
  t = tf.layers.reLU().apply(t) as tf.SymbolicTensor;
  t = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: "same" }).apply(t) as tf.SymbolicTensor;
  t = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: "valid" }).apply(t) as tf.SymbolicTensor;
  t = tf.layers.conv2d({ filters: 6, kernelSize: 2, padding: "valid" }).apply(t) as tf.SymbolicTensor;
  t = tf.layers.globalAveragePooling2d({}).apply(t) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 4 }).apply(t) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  const xData = rand(5 * 12 * 12 * 3), yData = rand(5 * 4);
  const grads = (backend: string) => {
    tf.setBackend(backend);
    silenceCpuBanner();
    const x = tf.tensor(xData, [5, 12, 12, 3]), y = tf.tensor(yData, [5, 4]);
    const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    const out: Record<string, Float32Array> = {};
    for (const [k, g] of Object.entries(grads)) out[k] = g.dataSync() as Float32Array;
    tf.dispose([x, y, ...Object.values(grads)]);
    return out;
  };
  const onWasm = grads("wasm");
  const onCpu = grads("cpu");
  tf.setBackend("wasm");
  assert.equal(Object.keys(onWasm).length, model.trainableWeights.length);
  // conv1's bias feeds a BatchNormalization, which subtracts the batch mean: its true
  // gradient is 0 and both backends give rounding noise, so errors are relative to the
  // largest gradient of the whole model there.
  const overall = Math.max(...Object.values(onCpu).map((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
  for (const [name, want] of Object.entries(onCpu)) {
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const err = scale < 1e-4 * overall
      ? want.reduce((m, v, i) => Math.max(m, Math.abs(v - onWasm[name][i])), 0) / overall
      : maxRelError(onWasm[name], want);
    assert.ok(err <= 1e-4, `gradient of ${name}: max relative error ${err}`);
  }
});

test("the wasm convolution gradients refuse NCHW with an error naming the kernel and the fix", async () => {
  await ready();
  const x = tf.zeros([1, 5, 5, 2]);
  const dy = tf.zeros([1, 3, 3, 4]);
  const w = tf.zeros([3, 3, 2, 4]);
  assert.throws(
    () => tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, { strides: 1, pad: "valid", dataFormat: "NCHW", filterShape: [3, 3, 2, 4] }),
    /wasm Conv2DBackpropFilter supports dataFormat NHWC only; got NCHW\. Use channelsLast layers\./,
  );
  assert.throws(
    () => tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: w }, { strides: 1, pad: "valid", dataFormat: "NCHW", inputShape: [1, 5, 5, 2] }),
    /wasm Conv2DBackpropInput supports dataFormat NHWC only/,
  );
  tf.dispose([x, dy, w]);
});
