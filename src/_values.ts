/**
 * Private to src: layout transforms on plain float32 values (the load table's loops, the fast path
 * of the applier, and export's inverses). A tfjs op per weight on the wasm backend costs a round
 * trip into the heap and back; transposing in a tight loop and handing tfjs the final values once
 * is several times faster (`bench/apply.ts`).
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
 * `x` of `shape` transposed by `perm` (numpy/tfjs semantics: output axis k is input axis perm[k]),
 * written into `out` (e.g. a view of the tensor's memory in the wasm heap) or a new array.
 * @example
 * ```ts
 * transposeValues(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1, 0]); // [1, 4, 2, 5, 3, 6]
 * ```
 */
export function transposeValues(
  x: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
  out: Float32Array = new Float32Array(x.length),
): Float32Array {
  if (x.length === 0) return out;
  const [dims, p] = canonical(shape, perm);
  if (p.length <= 1) out.set(x);
  else if (p.length === 2) transpose2D(x, dims[0], dims[1], out);
  else if (p.length === 3 && p[0] === 2 && p[1] === 1 && p[2] === 0) reverse3D(x, dims[0], dims[1], dims[2], out);
  else transposeGeneric(x, dims, p, out);
  return out;
}

/**
 * The same permutation on the fewest axes: size-1 axes dropped, and axes that stay adjacent
 * and in order merged. Every torch → tfjs kernel becomes [A, B] → [B, A] or [A, B, S] → [S, B, A]
 * (OIHW → HWIO is [O, I, H·W] → [H·W, I, O]; a depthwise (C, m, kh, kw) → (kh, kw, C, m) is 2-D).
 * @returns the merged dims (input order) and the permutation over them.
 * @example
 * ```ts
 * canonical([64, 3, 7, 7], [2, 3, 1, 0]); // [[64, 3, 49], [2, 1, 0]]
 * ```
 */
export function canonical(shape: readonly number[], perm: readonly number[]): [number[], number[]] {
  const keep = perm.filter((a) => shape[a] !== 1);
  // Group runs of consecutive input axes that appear consecutively in the output.
  const groups: number[][] = [];
  for (const a of keep) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === a) last.push(a);
    else groups.push([a]);
  }
  const byInput = [...groups].sort((g, h) => g[0] - h[0]);
  const dims = byInput.map((g) => g.reduce((n, a) => n * shape[a], 1));
  const p = groups.map((g) => byInput.indexOf(g));
  return [dims, p];
}

/** Rows of the source processed together: 64 read streams, 64-float contiguous writes (measured best of 16–256). */
const BAND = 64;

/** [rows, cols] → [cols, rows], in bands of rows (sequential reads per row, contiguous writes). */
function transpose2D(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r0 = 0; r0 < rows; r0 += BAND) {
    const r1 = Math.min(r0 + BAND, rows);
    for (let c = 0; c < cols; c++) {
      for (let r = r0, src = r0 * cols + c, dst = c * rows + r0; r < r1; r++, src += cols, dst++) out[dst] = x[src];
    }
  }
}

/**
 * [A, B, S] → [S, B, A]: the 2-D transpose [A, B·S] → [B·S, A] with its output rows reordered
 * from B·S to S·B order on the way (same memory pattern as {@link transpose2D}).
 */
function reverse3D(x: Float32Array, A: number, B: number, S: number, out: Float32Array): void {
  const cols = B * S;
  for (let a0 = 0; a0 < A; a0 += BAND) {
    const a1 = Math.min(a0 + BAND, A);
    let m = 0;
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++, m++) {
        for (let a = a0, src = a0 * cols + m, dst = (s * B + b) * A + a0; a < a1; a++, src += cols, dst++) out[dst] = x[src];
      }
    }
  }
}

/** Any other permutation: an odometer over the output. */
function transposeGeneric(x: Float32Array, shape: readonly number[], perm: readonly number[], out: Float32Array): void {
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
}

/** Element-wise sum of two equal-length arrays (LSTM: b_ih + b_hh). */
export function addValues(a: Float32Array, b: Float32Array, out: Float32Array = new Float32Array(a.length)): Float32Array {
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}
