/**
 * graft's `fit`: tfjs `model.fit` plus frozen-feature caching and a seed.
 *
 * With `cacheFrozen`, the frozen prefix of the model (the usual pretrained backbone) runs once
 * over `x` in inference mode; its outputs are cached (in memory, or in a temporary file past
 * the memory budget) and only the trainable suffix (the head) is trained on them, for every
 * epoch. The head is a model over the same layer objects, so the original model's weights
 * are the ones that change. Caching is refused with a {@link GraftCacheError} whenever it
 * would change the result: an input pipeline (a tf.data.Dataset or a generator, where
 * augmentation may live), frozen layers that are not a prefix, Dropout-like layers or a
 * batch-statistics BatchNormalization inside the prefix, or a callback that unfreezes a
 * prefix layer during the fit.
 */
import * as tf from "@tensorflow/tfjs";
import { ready } from "./engine";
import { GraftCacheError } from "./errors";
import { Cut, findCut } from "./_frozen_prefix";
import { FeatureCache, computeFeatures } from "./_feature_cache";
import { mulberry32, withSeed } from "./_seeded_random";

/** Where the frozen prefix's outputs may be kept. */
export interface CacheFrozenOptions {
  /** Past this many bytes of features, they go to a temporary file (default 1 GiB). */
  memoryBudgetBytes?: number;
  /** Folder for that file (default the OS temp folder); removed after the fit. */
  dir?: string;
}

/** tfjs `ModelFitArgs` plus graft's options. */
export interface FitOptions extends tf.ModelFitArgs {
  /** Run the frozen prefix once and train the head on its cached outputs. Default false. */
  cacheFrozen?: boolean | CacheFrozenOptions;
  /** Makes batch shuffling and Dropout masks reproducible (Math.random is seeded during the fit). */
  seed?: number;
}

const DEFAULT_BUDGET = 1 << 30;
const heads = new WeakMap<tf.LayersModel, Cut>();

function refuseInput(x: unknown): void {
  const what = typeof x === "function" ? "a generator function"
    : x && typeof (x as { iterator?: unknown }).iterator === "function" ? "a tf.data.Dataset" : undefined;
  if (what) {
    throw new GraftCacheError(`Cannot cache frozen features: x is ${what}, which may augment or reorder the data on each epoch, ` +
      `so features computed once would differ; pass tensors, or cacheFrozen: false`, "input-pipeline");
  }
}

function singleTensor(v: tf.Tensor | tf.Tensor[], what: string): tf.Tensor {
  if (v instanceof tf.Tensor) return v;
  if (Array.isArray(v) && v.length === 1 && v[0] instanceof tf.Tensor) return v[0];
  throw new TypeError(`Cannot cache frozen features: ${what} must be one tensor; got ${Array.isArray(v) ? `${v.length} tensors` : typeof v}`);
}

/** The model's cut, reusing the head built by an earlier fit while the prefix is unchanged. */
function cutFor(model: tf.LayersModel): Cut | undefined {
  const cut = findCut(model, heads.get(model));
  if (cut) heads.set(model, cut);
  return cut;
}

/**
 * A callback (placed after the user's) that stops the fit when a prefix layer is unfrozen,
 * since its cached outputs are then stale; `fit` throws the recorded error afterwards.
 * (Throwing from inside a tfjs callback leaves the fit promise unsettled.)
 */
function prefixGuard(cut: Cut): { callback: tf.CustomCallbackArgs; error(): GraftCacheError | undefined } {
  let error: GraftCacheError | undefined;
  const check = async () => {
    const thawed = cut.prefix.find((l) => l.trainable && l.weights.length > 0);
    if (thawed && !error) {
      error = new GraftCacheError(`Cannot keep training on cached features: "${thawed.name}" was unfrozen during the fit ` +
        `(an unfreeze schedule?), but its outputs were cached while frozen; fit without cacheFrozen when unfreezing into the backbone`,
        "unfrozen-during-fit", thawed.name);
    }
    if (error) cut.head.stopTraining = true;
  };
  return { callback: { onEpochBegin: check, onBatchBegin: check, onBatchEnd: check, onEpochEnd: check }, error: () => error };
}

/** tfjs takes callback objects or plain hook records, not both in one list: make them all objects. */
function asCallbacks(callbacks: tf.ModelFitArgs["callbacks"]): tf.CustomCallback[] {
  const list = (Array.isArray(callbacks) ? callbacks : callbacks ? [callbacks] : []) as unknown[];
  // A duck-typed check is not enough: tfjs wraps a list whose first item is not a real callback
  // instance as plain hook records, and wrapping a callback object again recurses forever.
  return list.map((c) => (c instanceof tf.Callback || c instanceof tf.CustomCallback
    ? c : new tf.CustomCallback(c as tf.CustomCallbackArgs)) as tf.CustomCallback);
}

async function fitOnDisk(head: tf.LayersModel, cache: Extract<FeatureCache, { kind: "disk" }>, y: tf.Tensor, opts: tf.ModelFitArgs, seed: number | undefined) {
  if (opts.validationData || opts.validationSplit) {
    throw new TypeError(`Cannot validate while features are cached on disk (${cache.bytes} bytes > memoryBudgetBytes); raise memoryBudgetBytes or validate after fit`);
  }
  const batchSize = opts.batchSize ?? 32;
  const shuffle = opts.shuffle !== false;
  const random = mulberry32(seed ?? Math.floor(Math.random() * 2 ** 32));
  const epochOrder = () => {
    const order = Array.from({ length: cache.count }, (_, i) => i);
    for (let i = order.length - 1; shuffle && i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  };
  const dataset = tf.data.generator(function* () {
    const order = epochOrder();
    for (let start = 0; start < order.length; start += batchSize) {
      const idx = order.slice(start, start + batchSize);
      yield { xs: cache.read(idx), ys: tf.gather(y, idx) };
    }
  });
  return head.fitDataset(dataset, {
    epochs: opts.epochs ?? 1, initialEpoch: opts.initialEpoch, verbose: opts.verbose as 0 | 1, callbacks: opts.callbacks,
    classWeight: opts.classWeight, yieldEvery: opts.yieldEvery,
  });
}

/**
 * Trains `model` like `model.fit(x, y, opts)`, after `ready()`; with `cacheFrozen`, trains the
 * head on cached outputs of the frozen backbone (later epochs cost only the head).
 * @param model a compiled tfjs LayersModel.
 * @param x inputs (one tensor when caching); y targets.
 * @param opts tfjs fit arguments plus `cacheFrozen` and `seed`.
 * @returns tfjs's History (loss and metrics per epoch).
 * @throws GraftCacheError when caching would change the result (the message says why and what to do).
 * @example
 * ```ts
 * graft.freezeUpTo(model, "avgpool");
 * model.compile({ optimizer: "adam", loss: "categoricalCrossentropy" });
 * const history = await graft.fit(model, x, y, { epochs: 5, batchSize: 32, cacheFrozen: true, seed: 1 });
 * console.log(history.history.loss);
 * ```
 */
export async function fit(model: tf.LayersModel, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], opts: FitOptions = {}): Promise<tf.History> {
  await ready();
  const { cacheFrozen, seed, ...fitArgs } = opts;
  if (!cacheFrozen) return withSeed(seed, () => model.fit(x, y, fitArgs));
  refuseInput(x);
  if (!model.optimizer) {
    throw new Error("You must compile a model before training it: call model.compile({ optimizer, loss }) before graft.fit");
  }
  const xs = singleTensor(x, "x");
  const ys = singleTensor(y, "y");
  const cut = cutFor(model);
  if (!cut) return withSeed(seed, () => model.fit(x, y, fitArgs));
  const budget = (typeof cacheFrozen === "object" ? cacheFrozen.memoryBudgetBytes : undefined) ?? DEFAULT_BUDGET;
  const dir = typeof cacheFrozen === "object" ? cacheFrozen.dir : undefined;
  const batchSize = fitArgs.batchSize ?? 32;
  cut.head.compile({ optimizer: model.optimizer, loss: model.loss, metrics: (model as unknown as { metrics?: string[] }).metrics });
  const guard = prefixGuard(cut);
  const callbacks = [...asCallbacks(fitArgs.callbacks), new tf.CustomCallback(guard.callback)];
  const cache = computeFeatures(cut.features, xs, { memoryBudgetBytes: budget, dir, batchSize });
  let validation: tf.Tensor[] | undefined;
  try {
    const run = async (history: Promise<tf.History>) => {
      const h = await history;
      const error = guard.error();
      if (error) throw error;
      return h;
    };
    if (cache.kind === "disk") return await run(withSeed(seed, () => fitOnDisk(cut.head, cache, ys, { ...fitArgs, callbacks }, seed)));
    let validationData = fitArgs.validationData;
    if (validationData) {
      const [vx, vy, vw] = validationData as tf.Tensor[];
      const vf = computeFeatures(cut.features, singleTensor(vx, "validationData x"), { memoryBudgetBytes: Infinity, batchSize });
      validation = [(vf as Extract<FeatureCache, { kind: "memory" }>).features];
      validationData = (vw ? [validation[0], vy, vw] : [validation[0], vy]) as typeof validationData;
    }
    return await run(withSeed(seed, () => cut.head.fit(cache.features, ys, { ...fitArgs, validationData, callbacks })));
  } finally {
    cache.dispose();
    validation?.forEach((t) => t.dispose());
  }
}
