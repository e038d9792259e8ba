/**
 * Private: the initializers of one zoo build. torchvision draws every weight from torch's
 * global generator, so `torch.manual_seed(s)` makes a model reproducible; tfjs draws each
 * initializer from its own generator. A build's `ZooInit` gives every initializer it hands out
 * a seed of its own, derived from the build's seed and the initializer's place in the build,
 * so the same seed gives the same weights and no two weights share a random stream.
 * Without a seed the initializers are unseeded (fresh weights on every build).
 */
import * as tf from "@tensorflow/tfjs";

type Initializer = ReturnType<typeof tf.initializers.randomNormal>;

/** The initializers one architecture build takes its weights from. */
export interface ZooInit {
  /** The build's seed, or `undefined` for unseeded initializers. */
  readonly seed: number | undefined;
  /** N(mean, stddev²): torch's `normal_`, kaiming/xavier normal with the std computed by the caller. */
  normal(stddev: number, mean?: number): Initializer;
  /** U(−bound, bound): torch's `uniform_(-b, b)` (nn.Linear's and nn.Conv2d's default init). */
  uniform(bound: number): Initializer;
  /**
   * torch's `trunc_normal_(std=stddev, a, b)`: truncated at the absolute bounds `a`, `b` (torch's
   * defaults −2, 2). Bounds ≥ 6 std away from the mean (every use in torchvision) are a plain normal
   * to within 2·10⁻⁹ of probability; tfjs's truncatedNormal (±2 std) is used for bounds at ±2 std.
   */
  truncatedNormal(stddev: number, a?: number, b?: number): Initializer;
}

/** A 32-bit mix of the build's seed and a counter (the finaliser of MurmurHash3). */
function derive(seed: number, index: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The initializers of one build.
 * @param seed an integer, or `undefined` for unseeded initializers.
 * @param arch the builder's name, for error messages.
 * @returns a {@link ZooInit}; each call of one of its methods gets the next derived seed.
 * @throws RangeError when `seed` is not a safe integer.
 * @example
 * ```ts
 * const init = zooInit(7);
 * tf.layers.dense({ units: 10, kernelInitializer: init.normal(0.01) });
 * ```
 */
export function zooInit(seed: number | undefined, arch = "zoo"): ZooInit {
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new RangeError(`zoo.${arch}: seed must be an integer; got ${String(seed)}`);
  }
  let count = 0;
  const next = () => (seed === undefined ? undefined : derive(seed, count++));
  return {
    seed,
    normal: (stddev, mean = 0) => tf.initializers.randomNormal({ mean, stddev, seed: next() }),
    uniform: (bound) => tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: next() }),
    truncatedNormal(stddev, a = -2, b = 2) {
      if (-a >= 6 * stddev && b >= 6 * stddev) return tf.initializers.randomNormal({ mean: 0, stddev, seed: next() });
      if (Math.abs(a + 2 * stddev) < 1e-12 && Math.abs(b - 2 * stddev) < 1e-12) {
        return tf.initializers.truncatedNormal({ mean: 0, stddev, seed: next() });
      }
      throw new RangeError(`Cannot draw a normal of std ${stddev} truncated at [${a}, ${b}]: only bounds at ±2 std or ≥ 6 std are supported`);
    },
  };
}
