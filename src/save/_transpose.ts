/**
 * Private: the two transposes every tfjs → torch layout inverse reduces to, on plain typed
 * arrays: `[A, B] → [B, A]` and `[A, B, C] → [C, B, A]` (HWIO → OIHW is `[H·W, I, O] → [O, I, H·W]`).
 */

/** A typed array of float32 or int32 values (what tfjs variables hold). */
export type Values = Float32Array | Int32Array;

function like(x: Values, n: number): Values {
  return x instanceof Int32Array ? new Int32Array(n) : new Float32Array(n);
}

/** `x` viewed as `[a, b]`, transposed to `[b, a]`; blocked so both sides stay in cache. */
export function transpose2D(x: Values, a: number, b: number): Values {
  const out = like(x, x.length);
  const T = 32;
  for (let i0 = 0; i0 < a; i0 += T) {
    const i1 = Math.min(a, i0 + T);
    for (let j0 = 0; j0 < b; j0 += T) {
      const j1 = Math.min(b, j0 + T);
      for (let i = i0; i < i1; i++) {
        const row = i * b;
        for (let j = j0; j < j1; j++) out[j * a + i] = x[row + j];
      }
    }
  }
  return out;
}

/**
 * `x` viewed as `[a, b, c]`, transposed to `[c, b, a]`. Tiled over `c` so reads are runs of
 * 16 values and writes go to 16 sequential output rows (a 3×3 kernel is `a` = 9, `c` = out channels).
 */
export function reverse3D(x: Values, a: number, b: number, c: number): Values {
  if (b === 1) return transpose2D(x, a, c);
  if (a === 1) return transpose2D(x, b, c);
  if (c === 1) return transpose2D(x, a, b);
  const out = like(x, x.length);
  const T = 16;
  const ba = b * a;
  for (let k0 = 0; k0 < c; k0 += T) {
    const k1 = Math.min(c, k0 + T);
    for (let j = 0; j < b; j++) {
      for (let i = 0; i < a; i++) {
        const src = (i * b + j) * c;
        const dst = j * a + i;
        for (let k = k0; k < k1; k++) out[k * ba + dst] = x[src + k];
      }
    }
  }
  return out;
}

/** Swaps the first two of `gates` equal blocks along axis 0 of a `[gates·u, rest]` array (GRU's (z,r,n) ↔ (r,z,n)). */
export function swapFirstGates(x: Values, gates: number): Values {
  const out = x.slice();
  const block = x.length / gates;
  out.set(x.subarray(block, 2 * block), 0);
  out.set(x.subarray(0, block), block);
  return out;
}
