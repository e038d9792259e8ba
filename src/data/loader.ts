/**
 * `loader`: batches from a dataset as an async iterable, one pass per `for await`. For an
 * imageFolder the decoding and built-in transforms run ahead of the consumer on worker threads
 * (`workers`, default the CPUs available), at most {@link AHEAD} batches ahead, so memory stays
 * a few batches whatever the dataset's size; other datasets are read through `get(i)` on the
 * main thread. Pass k shuffles with (seed, k) and gives sample j of the pass the generator
 * (seed, k, j): the same seed gives the same batches whatever the worker count.
 */
import { tf } from "../engine/engine";
import type { Dataset, Sample } from "./dataset";
import { GraftDatasetError, GraftImageError, type ImageErrorReason } from "./errors";
import type { ImageFolder } from "./image_folder";
import { toFloat, type Pixels } from "./_image_ops";
import { WorkerPool } from "./_pool";
import { runSampleJob, type SampleJob, type WireError } from "./_sample_pipeline";
import { runParts, splitForWorkers } from "./transform";
import { availableCores } from "./_cores";
import { seededRandom } from "./random";

/** Batches prepared ahead of the one the consumer holds. */
export const AHEAD = 2;

/** Options of {@link loader}. */
export interface LoaderOptions {
  batchSize: number;
  /** Reshuffle every pass (default false). */
  shuffle?: boolean;
  /** Seed of the shuffles and random transforms (default: drawn once per loader). */
  seed?: number;
  /** Leave out the last, smaller batch (default false). */
  dropLast?: boolean;
  /** Worker threads decoding ahead (default the CPUs available; 0 = main thread). */
  workers?: number;
}

/** One batch: inputs [n, h, w, 3] and int32 labels [n]. Disposed when the next is requested. */
export interface Batch {
  xs: tf.Tensor4D;
  ys: tf.Tensor1D;
}

/** Batches of a dataset; each `for await` is one pass (epoch). */
export interface Loader extends AsyncIterable<Batch> {
  readonly dataset: Dataset<Sample>;
  readonly options: Readonly<Required<Omit<LoaderOptions, "seed">> & { seed?: number }>;
  /** Batches per pass. */
  readonly length: number;
  /** The random steps of the dataset's transform (`[]`: deterministic). */
  randomTransforms(): string[];
  /** A new loader over the same dataset with some options changed. */
  withOptions(o: Partial<LoaderOptions>): Loader;
}

const KNOWN = ["batchSize", "shuffle", "seed", "dropLast", "workers"];

function checkOptions(opts: LoaderOptions): Loader["options"] {
  if (opts === null || typeof opts !== "object") throw new TypeError("Cannot build a loader: pass options { batchSize, shuffle?, seed?, dropLast?, workers? }");
  const unknown = Object.keys(opts).filter((k) => !KNOWN.includes(k));
  if (unknown.length) throw new TypeError(`Cannot build a loader: unknown option ${unknown.join(", ")}; known: ${KNOWN.join(", ")}`);
  const int = (name: string, v: unknown, min: number): number => {
    if (!Number.isInteger(v) || (v as number) < min) throw new RangeError(`Cannot build a loader: ${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const bool = (name: string, v: unknown): boolean => {
    if (v !== undefined && typeof v !== "boolean") throw new TypeError(`Cannot build a loader: ${name} must be true or false, got ${JSON.stringify(v)}`);
    return v === true;
  };
  return {
    batchSize: int("batchSize", opts.batchSize, 1),
    shuffle: bool("shuffle", opts.shuffle),
    dropLast: bool("dropLast", opts.dropLast),
    workers: opts.workers === undefined ? availableCores() : int("workers", opts.workers, 0),
    ...(opts.seed !== undefined ? { seed: int("seed", opts.seed, Number.MIN_SAFE_INTEGER) } : {}),
  };
}

const isFolder = (d: Dataset<Sample>): d is ImageFolder => Array.isArray((d as ImageFolder).samples) && typeof (d as ImageFolder).decodeOptions === "object";

function fromWire(e: unknown): unknown {
  if (e instanceof Error || e === null || typeof e !== "object") return e;
  const w = e as WireError;
  if (w.name === "GraftImageError" && w.file) {
    const err = new GraftImageError(w.file, w.reason as ImageErrorReason, "", { width: w.width, height: w.height });
    err.message = w.message;
    return err;
  }
  const err = new Error(w.message);
  err.name = w.name;
  return err;
}

/** A sample ready to batch: pixels as float32, or null when skipped. */
type Ready = { data: Float32Array; height: number; width: number; y: number; what: string } | null;

function permutation(n: number, seed: number, epoch: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = seededRandom(seed, epoch, -1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function assemble(samples: Ready[]): Batch | undefined {
  const kept = samples.filter((s): s is NonNullable<Ready> => s !== null);
  if (kept.length === 0) return undefined;
  const { height, width } = kept[0];
  const size = height * width * 3;
  const xs = new Float32Array(kept.length * size);
  kept.forEach((s, i) => {
    if (s.height !== height || s.width !== width) {
      throw new GraftDatasetError(
        "",
        "shape-mismatch",
        `Cannot batch ${s.what} (${s.height}×${s.width}) with ${kept[0].what} (${height}×${width}): samples of a batch must have one size; add resize and centerCrop (or randomResizedCrop) to the transform`,
      );
    }
    xs.set(s.data, i * size);
  });
  return {
    xs: tf.tensor4d(xs, [kept.length, height, width, 3], "float32"),
    ys: tf.tensor1d(Int32Array.from(kept, (s) => s.y), "int32"),
  };
}

function disposeBatch(b: Batch | undefined): void {
  b?.xs.dispose();
  b?.ys.dispose();
}

/**
 * Batches of `dataset` for training and evaluation.
 * @param dataset an imageFolder (decoded on worker threads) or any `{ length, get(i) }` of samples
 * @param opts batchSize, shuffle (false), seed, dropLast (false), workers (CPUs available)
 * @returns a Loader: `for await (const { xs, ys } of loader)` is one pass
 * @example
 * ```ts
 * const train = graft.data.imageFolder("photos/train", { transform: graft.data.transforms.imageClassification({ cropSize: 224 }) });
 * const batches = graft.data.loader(train, { batchSize: 32, shuffle: true, seed: 1 });
 * for await (const { xs, ys } of batches) console.log(xs.shape, ys.dtype); // [32, 224, 224, 3] int32
 * ```
 */
export function loader(dataset: Dataset<Sample>, opts: LoaderOptions): Loader {
  if (dataset === null || typeof dataset !== "object" || typeof dataset.get !== "function" || !Number.isInteger(dataset.length)) {
    throw new TypeError("Cannot build a loader: dataset must have an integer length and a get(i) method (e.g. graft.data.imageFolder(root))");
  }
  const options = Object.freeze(checkOptions(opts));
  const baseSeed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  let passes = 0;
  const folder = isFolder(dataset) ? dataset : undefined;
  const { specs, rest } = splitForWorkers(folder?.transform);

  async function one(index: number, position: number, epoch: number, pool: WorkerPool | undefined): Promise<Ready> {
    if (!folder) {
      const { x, y } = await dataset.get(index);
      try {
        if (x.rank !== 3) throw new TypeError(`Cannot batch sample ${index}: x has shape [${x.shape}], expected [height, width, channels]`);
        return { data: Float32Array.from(x.dataSync()), height: x.shape[0], width: x.shape[1], y, what: `sample ${index}` };
      } finally {
        x.dispose();
      }
    }
    const [path, y] = folder.samples[index];
    const job: Omit<SampleJob, "id"> = { path, specs, exifTranspose: folder.decodeOptions.exifTranspose, maxPixels: folder.decodeOptions.maxPixels, keys: [baseSeed, epoch, position] };
    let p: Pixels;
    try {
      p = pool ? await pool.run(job) : await runSampleJob({ ...job, id: 0 });
    } catch (raw) {
      const err = fromWire(raw);
      if (err instanceof GraftImageError && folder.decodeOptions.onError === "skip") {
        if (!folder.skipped.some((s) => s.file === err.file)) folder.skipped.push({ file: err.file, error: err });
        return null;
      }
      throw err;
    }
    if (rest.length) p = runParts(rest, p, seededRandom(baseSeed, epoch, position, 1));
    const f = p.data instanceof Float32Array ? p : toFloat(p as Extract<Pixels, { data: Uint8Array }>);
    return { data: f.data as Float32Array, height: f.height, width: f.width, y, what: path };
  }

  const self: Loader = {
    dataset,
    options,
    get length() {
      const n = dataset.length;
      return options.dropLast ? Math.floor(n / options.batchSize) : Math.ceil(n / options.batchSize);
    },
    randomTransforms: () => (dataset as { transform?: { randomParts?(): string[] } }).transform?.randomParts?.() ?? [],
    withOptions: (o) => loader(dataset, { ...options, ...o }),
    async *[Symbol.asyncIterator]() {
      const epoch = passes++;
      const n = dataset.length;
      const order = options.shuffle ? permutation(n, baseSeed, epoch) : Array.from({ length: n }, (_, i) => i);
      const count = self.length;
      const pool = folder && options.workers > 0 && n > 0 ? new WorkerPool(Math.min(options.workers, n)) : undefined;
      // Samples of the batches ahead, as typed arrays: tensors are made only for the batch handed out.
      const pending: Array<Promise<Ready[]>> = [];
      let queued = 0;
      const queue = (): void => {
        while (pending.length < AHEAD + 1 && queued < count) {
          const b = queued++;
          const positions = order.slice(b * options.batchSize, Math.min(n, (b + 1) * options.batchSize));
          const p = Promise.all(positions.map((idx, k) => one(idx, b * options.batchSize + k, epoch, pool)));
          p.catch(() => undefined); // observed when its turn comes; never an unhandled rejection
          pending.push(p);
        }
      };
      let current: Batch | undefined;
      try {
        queue();
        while (pending.length) {
          const samples = await pending.shift()!;
          queue();
          const batch = assemble(samples);
          if (!batch) continue;
          current = batch;
          yield batch;
          disposeBatch(current);
          current = undefined;
        }
      } finally {
        disposeBatch(current);
        pool?.close();
        pending.length = 0;
      }
    },
  };
  return self;
}
