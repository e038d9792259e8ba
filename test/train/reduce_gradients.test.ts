/**
 * graft's gradients of Sum and Mean (ones from the backend's Fill, Mean's division before the
 * broadcast) give tfjs's own formulas bit for bit on wasm and cpu, NaN and ±Infinity included,
 * and the wasm Cast to a tensor's own dtype shares its memory without changing a value.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ready, silenceCpuBanner, tf } from "../../src/engine/engine";
import { installWasmGradients } from "../../src/engine/wasm_gradients";

function values(n: number): Float32Array {
  const a = new Float32Array(n);
  let s = 99;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = (s / 2147483648 * 2 - 1) * 1e3;
  }
  a[1] = NaN; a[2] = Infinity; a[3] = -Infinity; a[4] = 3.4e38;
  return a;
}

/** tfjs 4.22's own formulas (gradients/Sum_grad.ts and Mean_grad.ts). */
function tfjsGradient(kind: "sum" | "mean", dy: tf.Tensor, shape: number[], axes: number[]): tf.Tensor {
  const expanded = shape.slice();
  for (const a of axes) expanded[a] = 1;
  const n = axes.reduce((p, a) => p * shape[a], 1);
  const r = tf.mul(tf.reshape(dy, expanded), tf.ones(shape, "float32"));
  return kind === "sum" ? r : tf.div(r, n);
}

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

for (const backend of ["wasm", "cpu"]) {
  test(`Sum's and Mean's gradients equal tfjs's formulas bit for bit on ${backend}`, async () => {
    await ready();
    installWasmGradients();
    tf.setBackend(backend);
    silenceCpuBanner();
    try {
      for (const [shape, axes] of [[[4, 5, 6, 7], [1, 2]], [[4, 5, 6, 7], [0]], [[3, 8], [1]], [[9], [0]], [[2, 3, 4], [0, 1, 2]]] as Array<[number[], number[]]>) {
        const outShape = shape.filter((_, i) => !axes.includes(i));
        const dy = tf.tensor(values(outShape.reduce((a, b) => a * b, 1)), outShape);
        const x = tf.tensor(values(shape.reduce((a, b) => a * b, 1)), shape);
        for (const kind of ["sum", "mean"] as const) {
          const f = (t: tf.Tensor) => (kind === "sum" ? tf.sum(t, axes) : tf.mean(t, axes));
          const before = tf.memory().numTensors;
          const got = tf.grad(f)(x, dy);
          assert.equal(tf.memory().numTensors, before + 1, "the gradient leaves only its result");
          const want = tfjsGradient(kind, dy, shape, axes);
          assert.deepEqual(got.shape, shape);
          assert.ok(same(got.dataSync() as Float32Array, want.dataSync() as Float32Array), `${kind} over ${axes} of ${shape}`);
          tf.dispose([got, want]);
        }
        tf.dispose([x, dy]);
      }
    } finally {
      tf.setBackend("wasm");
    }
  });
}

test("a wasm Cast to the tensor's own dtype shares its memory and values", async () => {
  await ready();
  installWasmGradients();
  tf.setBackend("wasm");
  const x = tf.tensor(values(1000), [10, 100]);
  const before = (tf.memory() as { numDataBuffers: number }).numDataBuffers;
  const y = tf.cast(x, "float32");
  assert.equal((tf.memory() as { numDataBuffers: number }).numDataBuffers, before, "no new buffer");
  assert.ok(same(y.dataSync() as Float32Array, x.dataSync() as Float32Array));
  x.dispose();
  assert.ok(same(y.dataSync() as Float32Array, values(1000)), "still readable after its source is disposed");
  const z = tf.cast(y, "int32");
  assert.equal(z.dtype, "int32");
  assert.deepEqual(Array.from(z.dataSync()).slice(5, 8), Array.from(values(1000)).slice(5, 8).map(Math.trunc));
  tf.dispose([y, z]);
});
