/**
 * A seeded stand-in for Math.random while one fit runs. tfjs draws its batch shuffling
 * (`util.shuffle`) and the seeds of unseeded random ops (Dropout masks) from Math.random, so
 * replacing it for the duration of `fit` is the one way to make a tfjs fit reproducible.
 */

/** mulberry32: a small, well-mixed 32-bit generator. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `fn` with Math.random seeded by `seed` (when given), restoring it afterwards. */
export async function withSeed<T>(seed: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (seed === undefined) return fn();
  const original = Math.random;
  Math.random = mulberry32(seed);
  try {
    return await fn();
  } finally {
    Math.random = original;
  }
}
