/**
 * Source dtypes: element sizes, decoding raw file bytes (little or big endian) into typed arrays,
 * and the conversion every reader shares to tfjs's three dtypes (float32, int32, bool).
 *
 * Conversions (exact where the target can hold the value):
 * - float16, bfloat16, float8_e5m2, float8_e4m3 → float32: exact (every value is representable).
 * - float64 → float32: rounded to nearest (what torch's `.float()` does).
 * - int8/int16/uint8/uint16/int32 → int32: exact. int64/uint64/uint32 → int32 when every value
 *   fits; otherwise a {@link GraftFormatError} naming the tensor and the first value that does not.
 * - bool → bool (any non-zero byte is true).
 */
import * as tf from "@tensorflow/tfjs";
import { GraftFormatError } from "./errors";
import type { RawTensor, SourceDType, TypedArray } from "./types";

const SIZES: Record<SourceDType, number> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float8_e5m2: 1,
  float8_e4m3: 1,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint64: 8,
  uint32: 4,
  uint16: 2,
  uint8: 1,
  bool: 1,
};

/** Whether `s` is one of graft's {@link SourceDType} spellings. */
export function isSourceDType(s: unknown): s is SourceDType {
  return typeof s === "string" && Object.prototype.hasOwnProperty.call(SIZES, s);
}

/**
 * Bytes per element of a source dtype.
 * @param dtype the source dtype
 * @returns its size in bytes
 * @example Sizes
 * ```ts
 * assert.equal(dtypeSize("bfloat16"), 2);
 * ```
 */
export function dtypeSize(dtype: SourceDType): number {
  const size = SIZES[dtype];
  if (size === undefined) throw new TypeError(`Cannot size dtype ${String(dtype)}: it is not a SourceDType`);
  return size;
}

/** The tfjs dtype a source dtype converts to. */
export function tfjsDTypeOf(dtype: SourceDType): "float32" | "int32" | "bool" {
  if (dtype === "bool") return "bool";
  if (dtype.startsWith("float") || dtype === "bfloat16") return "float32";
  return "int32";
}

/**
 * Decodes raw bytes into the typed array that holds `dtype` (float16/bfloat16 as Uint16Array,
 * float8 and bool as Uint8Array). Always returns an aligned array of its own (a copy when the
 * input is unaligned or big endian, else a view).
 * @param bytes the element bytes, `numel * dtypeSize(dtype)` long
 * @param dtype the element type
 * @param bigEndian true when the file stores elements big endian (torch `byteorder` = big, numpy `>`)
 * @returns the elements in host (little-endian) order
 * @example Two float32 ones
 * ```ts
 * const bytes = new Uint8Array(new Float32Array([1, 1]).buffer);
 * assert.deepEqual(Array.from(decodeRaw(bytes, "float32") as Float32Array), [1, 1]);
 * ```
 */
export function decodeRaw(bytes: Uint8Array, dtype: SourceDType, bigEndian = false): TypedArray {
  const size = dtypeSize(dtype);
  if (bytes.byteLength % size !== 0) {
    throw new RangeError(`Cannot decode ${bytes.byteLength} bytes as ${dtype}: not a multiple of its ${size}-byte size`);
  }
  let src = bytes;
  if ((bigEndian && size > 1) || bytes.byteOffset % size !== 0) {
    src = new Uint8Array(bytes.byteLength);
    src.set(bytes);
    if (bigEndian && size > 1) swapBytes(src, size);
  }
  const n = src.byteLength / size;
  switch (dtype) {
    case "float64":
      return new Float64Array(src.buffer, src.byteOffset, n);
    case "float32":
      return new Float32Array(src.buffer, src.byteOffset, n);
    case "float16":
    case "bfloat16":
    case "uint16":
      return new Uint16Array(src.buffer, src.byteOffset, n);
    case "int64":
      return new BigInt64Array(src.buffer, src.byteOffset, n);
    case "uint64":
      return new BigUint64Array(src.buffer, src.byteOffset, n);
    case "int32":
      return new Int32Array(src.buffer, src.byteOffset, n);
    case "uint32":
      return new Uint32Array(src.buffer, src.byteOffset, n);
    case "int16":
      return new Int16Array(src.buffer, src.byteOffset, n);
    case "int8":
      return new Int8Array(src.buffer, src.byteOffset, n);
    default:
      return new Uint8Array(src.buffer, src.byteOffset, n);
  }
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i < b.length; i += size) {
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const t = b[lo];
      b[lo] = b[hi];
      b[hi] = t;
    }
  }
}

const F16_SUB = Math.pow(2, -24);

/** IEEE half → float32, exact. */
export function float16ToFloat32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * F16_SUB;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1024 + frac) * Math.pow(2, exp - 25);
  }
  return out;
}

/** bfloat16 → float32, exact (the upper half of a float32). */
export function bfloat16ToFloat32(src: Uint16Array): Float32Array {
  const bits = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  return new Float32Array(bits.buffer);
}

function float8ToFloat32(src: Uint8Array, e4m3: boolean): Float32Array {
  const out = new Float32Array(src.length);
  const mBits = e4m3 ? 3 : 2;
  const bias = e4m3 ? 7 : 15;
  const eMax = e4m3 ? 15 : 31;
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    const sign = v & 0x80 ? -1 : 1;
    const exp = (v >> mBits) & (e4m3 ? 0xf : 0x1f);
    const frac = v & ((1 << mBits) - 1);
    if (exp === 0) out[i] = sign * frac * Math.pow(2, 1 - bias - mBits);
    else if (exp === eMax && (e4m3 ? frac === 7 : true)) out[i] = e4m3 || frac ? NaN : sign * Infinity;
    else out[i] = sign * ((1 << mBits) + frac) * Math.pow(2, exp - bias - mBits);
  }
  return out;
}

/** The values of a raw tensor as tfjs data: Float32Array, Int32Array or Uint8Array (bool). */
export function toTfjsValues(raw: RawTensor, file: string, name: string): Float32Array | Int32Array | Uint8Array {
  const d = raw.data;
  switch (raw.dtype) {
    case "float32":
      return d as Float32Array;
    case "float64":
      return Float32Array.from(d as Float64Array);
    case "float16":
      return float16ToFloat32(d as Uint16Array);
    case "bfloat16":
      return bfloat16ToFloat32(d as Uint16Array);
    case "float8_e5m2":
      return float8ToFloat32(d as Uint8Array, false);
    case "float8_e4m3":
      return float8ToFloat32(d as Uint8Array, true);
    case "int32":
      return d as Int32Array;
    case "int16":
    case "int8":
    case "uint16":
    case "uint8":
      return Int32Array.from(d as Int16Array);
    case "bool": {
      const out = new Uint8Array(d.length);
      const b = d as Uint8Array;
      for (let i = 0; i < b.length; i++) out[i] = b[i] ? 1 : 0;
      return out;
    }
    case "uint32":
    case "int64":
    case "uint64":
      return narrowToInt32(raw, file, name);
  }
  throw new GraftFormatError(file, `unknown dtype ${String(raw.dtype)}`, { entry: name });
}

function narrowToInt32(raw: RawTensor, file: string, name: string): Int32Array {
  const src = raw.data as BigInt64Array | BigUint64Array | Uint32Array;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = Number(src[i]);
    if (v > 2147483647 || v < -2147483648) {
      throw new GraftFormatError(
        file,
        `cannot convert ${raw.dtype} tensor to tfjs int32: element ${i} is ${String(src[i])}, ` +
          `outside [-2147483648, 2147483647]; read it with readRaw() to get the ${raw.dtype} values`,
        { entry: name },
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Converts a raw tensor to a tfjs tensor of the matching tfjs dtype (see the file header).
 * @param raw the tensor as read from the file
 * @param file the file name, for errors
 * @param name the tensor name, for errors
 * @returns a new tf.Tensor in the source layout
 * @example A bfloat16 one
 * ```ts
 * const t = toTfjs({ dtype: "bfloat16", shape: [1], data: new Uint16Array([0x3f80]) }, "f", "x");
 * assert.deepEqual(t.dataSync()[0], 1);
 * ```
 */
export function toTfjs(raw: RawTensor, file: string, name: string): tf.Tensor {
  const values = toTfjsValues(raw, file, name);
  return tf.tensor(values, raw.shape, tfjsDTypeOf(raw.dtype));
}
