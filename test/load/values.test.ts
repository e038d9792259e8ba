/** The applier's fast path: transposes on plain values equal tfjs's own transpose. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
import { addValues, transposeValues } from "../../src/_values";

test("transposeValues equals tf.transpose for every layout row's permutation and odd sizes", async () => {
  await ready();
  const cases: [number[], number[]][] = [
    [[6, 7], [1, 0]],
    [[3, 4, 5], [2, 1, 0]],
    [[17, 33, 2, 3], [2, 3, 1, 0]],
    [[40, 1, 3, 3], [2, 3, 0, 1]],
    [[5, 2, 3, 3], [2, 3, 0, 1]],
    [[2, 3, 4, 5, 6], [2, 3, 4, 1, 0]],
    [[4, 0, 3], [2, 1, 0]],
  ];
  for (const [shape, perm] of cases) {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3);
    const expected = tf.tidy(() => tf.transpose(tf.tensor(x, shape), perm).dataSync());
    assert.deepEqual(Array.from(transposeValues(x, shape, perm)), Array.from(expected), `${shape} ${perm}`);
  }
  assert.deepEqual(Array.from(addValues(Float32Array.of(1, 2), Float32Array.of(3, 4))), [4, 6]);
});

test("transposeValues: large two-pass case (VGG classifier.0 after Flatten) equals tf.transpose", async () => {
  await ready();
  const shape = [37, 64, 7, 7];
  const x = Float32Array.from({ length: 37 * 64 * 49 }, (_, i) => (i % 1013) - 500);
  const expected = tf.tidy(() => tf.transpose(tf.tensor(x, shape), [2, 3, 1, 0]).dataSync());
  assert.deepEqual(Array.from(transposeValues(x, shape, [2, 3, 1, 0])), Array.from(expected));
});
