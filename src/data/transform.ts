/**
 * The Transform type: a callable object holding its pipeline as data. Built-in transforms are
 * specs (plain objects) that a worker thread can run; a user's own function joins a pipeline
 * through `compose` or `custom` and runs on the main thread, after the worker-run prefix.
 */
import { tf } from "../engine/engine";
import type { DecodedImage } from "./decoded_image";
import { isFloat, type FloatImage, type Pixels } from "./_image_ops";
import { applySpecs, RANDOM_OPS, specToString, type TransformSpec } from "./_transform_spec";
import type { Random } from "./random";

/** What a transform takes and returns: an image of bytes, or a float HWC tensor (after toTensor). */
export type TransformInput = DecodedImage | tf.Tensor3D;

/** A user's own step: gets the current value and the sample's generator. */
export type CustomFn = (x: TransformInput, rng: Random) => TransformInput;

/** @internal One step: a built-in spec, or a user function. */
export type TransformPart = TransformSpec | { custom: CustomFn; name: string; random: boolean };

/**
 * A composable image transform. Call it on an image (`readImage`'s result) or a tensor, with
 * an optional generator for the random parts (default `Math.random`).
 */
export interface Transform {
  (input: TransformInput, rng?: Random): TransformInput;
  /** @internal the pipeline, flattened. */
  readonly parts: readonly TransformPart[];
  /** The random steps, e.g. `["randomResizedCrop(224)"]`; `[]` when the transform is deterministic. */
  randomParts(): string[];
  /** The pipeline as the calls that build it. */
  toString(): string;
}

const isSpec = (p: TransformPart): p is TransformSpec => "op" in p;
const partText = (p: TransformPart): string => (isSpec(p) ? specToString(p) : `custom(${p.name})`);

function toPixels(x: TransformInput): Pixels {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 3 || x.shape[2] !== 3) throw new TypeError(`Cannot transform a tensor of shape [${x.shape}]: expected [height, width, 3]`);
    return { data: x.dataSync() as Float32Array, height: x.shape[0], width: x.shape[1], channels: 3 };
  }
  return x;
}

const fromPixels = (p: Pixels): TransformInput => (isFloat(p) ? tf.tensor3d(p.data, [p.height, p.width, 3], "float32") : p);

/**
 * Runs `parts` on pixels, returning pixels (a float image after toTensor) — the path the loader
 * takes for the main-thread rest of a pipeline.
 */
export function runParts(parts: readonly TransformPart[], input: Pixels, rng: Random): Pixels {
  let p = input;
  for (let i = 0; i < parts.length; ) {
    let j = i;
    while (j < parts.length && isSpec(parts[j])) j++;
    if (j > i) p = applySpecs(parts.slice(i, j) as TransformSpec[], p, rng);
    if (j < parts.length) {
      const step = parts[j] as Exclude<TransformPart, TransformSpec>;
      const arg = fromPixels(p);
      const out = step.custom(arg, rng);
      p = toPixels(out);
      if (arg instanceof tf.Tensor && arg !== out) arg.dispose();
      if (out instanceof tf.Tensor) out.dispose();
      j++;
    }
    i = j;
  }
  return p;
}

/** The longest prefix of built-in specs (what a worker thread can run) and the rest. */
export function splitForWorkers(t: Transform | undefined): { specs: TransformSpec[]; rest: TransformPart[] } {
  const parts = t?.parts ?? [];
  const k = parts.findIndex((p) => !isSpec(p));
  const cut = k < 0 ? parts.length : k;
  return { specs: parts.slice(0, cut) as TransformSpec[], rest: parts.slice(cut) };
}

/** @internal Builds the callable Transform over `parts`. */
export function makeTransform(parts: readonly TransformPart[]): Transform {
  const frozen = Object.freeze([...parts]);
  const run = (input: TransformInput, rng: Random = Math.random): TransformInput => {
    if (input === null || typeof input !== "object") throw new TypeError(`Cannot transform ${input}: expected an image from readImage or a tf.Tensor3D`);
    return fromPixels(runParts(frozen, toPixels(input), rng));
  };
  const text = frozen.length === 1 ? partText(frozen[0]) : `compose([${frozen.map(partText).join(", ")}])`;
  return Object.assign(run, {
    parts: frozen,
    randomParts: () => frozen.filter((p) => (isSpec(p) ? RANDOM_OPS.has(p.op) : p.random)).map(partText),
    toString: () => text,
  });
}

/**
 * Chains transforms (and functions) into one, like torchvision's `Compose`.
 * @param steps transforms, or functions `(x, rng) => x` (taken as random unless wrapped in {@link custom} with `random: false`)
 * @returns one Transform running them in order
 * @example
 * ```ts
 * const { compose, resize, centerCrop, toTensor, normalize } = graft.data.transforms;
 * const t = compose([resize(256), centerCrop(224), toTensor(), normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]);
 * const x = t(await graft.data.readImage("cat.jpg")) as tf.Tensor3D; // [224, 224, 3]
 * ```
 */
export function compose(steps: Array<Transform | CustomFn>): Transform {
  if (!Array.isArray(steps)) throw new TypeError(`Cannot compose ${typeof steps}: pass an array of transforms`);
  const parts: TransformPart[] = [];
  steps.forEach((s, i) => {
    if (typeof s !== "function") throw new TypeError(`Cannot compose step ${i}: expected a transform or a function, got ${s === null ? "null" : typeof s}`);
    if ("parts" in s && Array.isArray((s as Transform).parts)) parts.push(...(s as Transform).parts);
    else parts.push({ custom: s as CustomFn, name: s.name || `step ${i}`, random: true });
  });
  return makeTransform(parts);
}

/**
 * Wraps a function as a transform step; it runs on the main thread (the loader's workers run
 * the built-in steps before it).
 * @param fn `(x, rng) => x`, x an image of bytes or a Tensor3D
 * @param opts `random: false` declares it deterministic (so `cacheFrozen` may cache after it); `name` for messages
 * @returns a Transform
 * @example
 * ```ts
 * const gray = graft.data.transforms.custom((x) => x, { random: false, name: "identity" });
 * console.log(gray.randomParts()); // []
 * ```
 */
export function custom(fn: CustomFn, opts: { random?: boolean; name?: string } = {}): Transform {
  if (typeof fn !== "function") throw new TypeError(`Cannot make a custom transform from ${typeof fn}: pass a function`);
  return makeTransform([{ custom: fn, name: opts.name ?? (fn.name || "function"), random: opts.random ?? true }]);
}

export type { FloatImage };
