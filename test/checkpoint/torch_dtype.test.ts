import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeRaw, dtypeSize, toTfjsValues, float16ToFloat32, bfloat16ToFloat32 } from "../../src/checkpoint/_dtype";
import { GraftFormatError } from "../../src/checkpoint/errors";

test("dtypeSize knows every source dtype", () => {
  assert.equal(dtypeSize("float64"), 8);
  assert.equal(dtypeSize("bfloat16"), 2);
  assert.equal(dtypeSize("bool"), 1);
  assert.throws(() => dtypeSize("complex64" as never), TypeError);
});

test("decodeRaw handles unaligned and big-endian bytes", () => {
  const le = new Uint8Array(9);
  le.set(new Uint8Array(new Float32Array([1.5, -2]).buffer), 1);
  assert.deepEqual(Array.from(decodeRaw(le.subarray(1), "float32") as ArrayLike<number>), [1.5, -2]);
  const be = new Uint8Array([0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0]);
  assert.deepEqual(Array.from(decodeRaw(be, "float32", true) as ArrayLike<number>), [1.5, -2]);
  assert.throws(() => decodeRaw(new Uint8Array(3), "float32"), RangeError);
});

test("float16 and bfloat16 convert exactly", () => {
  const h = new Uint16Array([0x0000, 0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0xfc00, 0x3555, 0x8000]);
  const f = float16ToFloat32(h);
  assert.deepEqual(Array.from(f.slice(0, 7)), [0, 1, -2, 2 ** -24, 65504, Infinity, -Infinity]);
  assert.equal(f[7], Math.fround(0.333251953125));
  assert.ok(Object.is(f[8], -0));
  assert.ok(Number.isNaN(float16ToFloat32(new Uint16Array([0x7e00]))[0]));
  const b = bfloat16ToFloat32(new Uint16Array([0x3f80, 0xc049, 0x0001]));
  assert.equal(b[0], 1);
  assert.equal(b[1], Math.fround(-3.140625));
  assert.equal(b[2], new Float32Array(new Uint32Array([0x00010000]).buffer)[0]);
});

test("int64 beyond int32 is refused with the tensor name", () => {
  const ok = toTfjsValues({ dtype: "int64", shape: [2], data: new BigInt64Array([5n, -7n]) }, "f.pt", "x");
  assert.deepEqual(Array.from(ok), [5, -7]);
  assert.throws(
    () => toTfjsValues({ dtype: "int64", shape: [1], data: new BigInt64Array([1n << 40n]) }, "f.pt", "bn.num_batches_tracked"),
    (e: unknown) => e instanceof GraftFormatError && /bn\.num_batches_tracked/.test(e.message) && /1099511627776/.test(e.message),
  );
});

test("float64 rounds, small ints widen, bool normalises", () => {
  assert.deepEqual(Array.from(toTfjsValues({ dtype: "float64", shape: [1], data: new Float64Array([0.1]) }, "f", "x")), [Math.fround(0.1)]);
  assert.deepEqual(Array.from(toTfjsValues({ dtype: "uint8", shape: [2], data: new Uint8Array([255, 0]) }, "f", "x")), [255, 0]);
  assert.deepEqual(Array.from(toTfjsValues({ dtype: "int8", shape: [1], data: new Int8Array([-128]) }, "f", "x")), [-128]);
  assert.deepEqual(Array.from(toTfjsValues({ dtype: "bool", shape: [2], data: new Uint8Array([2, 0]) }, "f", "x")), [1, 0]);
});
