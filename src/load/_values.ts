/**
 * Private: layout transforms on plain float32 values — the fast path of the applier. A tfjs
 * op per weight on the wasm backend costs a round trip into the heap and back; transposing
 * in a tight loop here and handing tfjs the final values once is several times faster.
 */

/** Strides of a row-major shape. */
function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * `x` of `shape` transposed by `perm` (numpy/tfjs semantics: output axis k is input axis perm[k]).
 * @example
 * ```ts
 * transposeValues(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1, 0]); // [1, 4, 2, 5, 3, 6]
 * ```
 */
export function transposeValues(x: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  if (x.length === 0) return out;
  const n = shape.length;
  const ist = strides(shape);
  const ost = strides(perm.map((p) => shape[p]));
  // Output stride of each *input* axis.
  const ostIn = new Array<number>(n);
  perm.forEach((p, k) => (ostIn[p] = ost[k]));
  // The output's last axis is input axis `a`: process it in blocks of T so that every write
  // run is contiguous, while the other input axes advance in input order (sequential reads).
  const a = perm[n - 1];
  const rest = [...Array(n).keys()].filter((k) => k !== a);
  while (rest.length < 3) rest.unshift(-1); // pad to three outer loops
  const dim = (k: number) => (k < 0 ? 1 : shape[k]);
  const is = (k: number) => (k < 0 ? 0 : ist[k]);
  const os = (k: number) => (k < 0 ? 0 : ostIn[k]);
  const [r0, r1, r2] = rest.slice(-3);
  const outer = rest.slice(0, -3);
  if (outer.length > 0) return transposeGeneric(x, shape, perm);
  const [n0, n1, n2, na] = [dim(r0), dim(r1), dim(r2), shape[a]];
  const [i0s, i1s, i2s, ias] = [is(r0), is(r1), is(r2), ist[a]];
  const [o0s, o1s, o2s] = [os(r0), os(r1), os(r2)];
  const T = 16;
  for (let ab = 0; ab < na; ab += T) {
    const ae = Math.min(ab + T, na);
    for (let i0 = 0; i0 < n0; i0++)
      for (let i1 = 0; i1 < n1; i1++) {
        let src = i0 * i0s + i1 * i1s + ab * ias;
        let dst = i0 * o0s + i1 * o1s + ab;
        for (let i2 = 0; i2 < n2; i2++, src += i2s, dst += o2s) {
          for (let t = ab, s2 = src, d2 = dst; t < ae; t++, s2 += ias, d2++) out[d2] = x[s2];
        }
      }
  }
  return out;
}

/** Any rank: an odometer over the output (rank > 4 only). */
function transposeGeneric(x: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  const inStride = strides(shape);
  const outShape = perm.map((p) => shape[p]);
  const st = perm.map((p) => inStride[p]);
  const n = outShape.length;
  const idx = new Array<number>(n).fill(0);
  let src = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = x[src];
    for (let ax = n - 1; ax >= 0; ax--) {
      idx[ax]++;
      src += st[ax];
      if (idx[ax] < outShape[ax]) break;
      src -= st[ax] * outShape[ax];
      idx[ax] = 0;
    }
  }
  return out;
}

/** Element-wise sum of two equal-length arrays (LSTM: b_ih + b_hh). */
export function addValues(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}
