/**
 * Seeded random numbers for the random transforms. A generator is a function returning
 * uniform numbers in [0, 1); `seededRandom(seed, …keys)` derives an independent stream from a
 * seed and any further integers (the loader uses (seed, epoch, position in the epoch), so a
 * sample's draws do not depend on which worker decodes it or in which order).
 */

/** A source of uniform numbers in [0, 1). `Math.random` is one. */
export type Random = () => number;

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A reproducible generator (sfc32) for `seed` and optional further keys.
 * @param seed any integer (taken modulo 2³²)
 * @param keys further integers naming a sub-stream (epoch, sample position …)
 * @returns uniform numbers in [0, 1), the same sequence for the same arguments
 * @example
 * ```ts
 * const a = graft.data.seededRandom(7, 0), b = graft.data.seededRandom(7, 0);
 * console.log(a() === b()); // true
 * ```
 */
export function seededRandom(seed: number, ...keys: number[]): Random {
  let h = fmix((seed >>> 0) ^ 0x9e3779b9);
  for (const k of keys) h = fmix(h ^ fmix((k >>> 0) + 0x7f4a7c15));
  let a = h;
  let b = fmix(h ^ 0x243f6a88);
  let c = fmix(h ^ 0xb7e15162);
  let d = 1;
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** Uniform in [lo, hi). */
export const uniform = (rng: Random, lo: number, hi: number): number => lo + (hi - lo) * rng();

/** Integer uniform in [lo, hi) (hi > lo). */
export const randint = (rng: Random, lo: number, hi: number): number => lo + Math.min(Math.floor(rng() * (hi - lo)), hi - lo - 1);
