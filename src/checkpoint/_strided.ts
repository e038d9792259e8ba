/** Strided views (torch `as_strided`, numpy Fortran order) copied out to C-contiguous bytes. */

/**
 * Gathers a view's elements into a new C-contiguous byte array.
 * @param span bytes starting at the view's first element
 * @param shape the view's shape
 * @param stride element strides of each dimension (≥ 0)
 * @param size bytes per element
 * @returns `prod(shape) * size` bytes in row-major order
 * @example A 2×2 transpose
 * ```ts
 * const out = gatherStrided(new Uint8Array([1, 2, 3, 4]), [2, 2], [1, 2], 1);
 * assert.deepEqual(Array.from(out), [1, 3, 2, 4]);
 * ```
 */
export function gatherStrided(span: Uint8Array, shape: number[], stride: number[], size: number): Uint8Array {
  const numel = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(numel * size);
  if (numel === 0) return out;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let n = 0; n < numel; n++) {
    if (size === 4) {
      const o = n * 4, s = src * 4;
      out[o] = span[s]; out[o + 1] = span[s + 1]; out[o + 2] = span[s + 2]; out[o + 3] = span[s + 3];
    } else {
      out.set(span.subarray(src * size, src * size + size), n * size);
    }
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      src += stride[d];
      if (index[d] < shape[d]) break;
      src -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}
