/**
 * graft's `fit`: tfjs `model.fit` plus frozen-feature caching and a seed, from tensors or from a
 * `graft.data.loader` (see `_loader_fit.ts`: one loader pass per epoch, cached features kept
 * across fits).
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
import { ready } from "../engine/engine";
import { GraftCacheError } from "./errors";
import { asCallbacks, cutFor, prefixGuard } from "./_fit_common";
import { FeatureCache, computeFeatures } from "./_feature_cache";
import { mulberry32, withSeed } from "./_seeded_random";
import { fitLoader } from "./_loader_fit";
import { isLoader, type LoaderLike } from "./_loader_cache";
import { noLogitsWarning, warnLogits } from "./_loss_check";
import { trainerFor } from "./_untaped_prefix";
import { labelsFor, lossOf, outputClasses } from "./_labels";
import { isCrossEntropy } from "./losses";

/** Where the frozen prefix's outputs may be kept. */
export interface CacheFrozenOptions {
  /** Past this many bytes of features, they go to a temporary file (default 1 GiB). */
  memoryBudgetBytes?: number;
  /** Folder for that file (default the OS temp folder); removed after the fit. */
  dir?: string;
}

/** tfjs `ModelFitArgs` plus graft's options. */
export interface FitOptions extends Omit<tf.ModelFitArgs, "validationData"> {
  /** As tfjs's; or, when training from a loader, another loader (e.g. the validation folder's). */
  validationData?: tf.ModelFitArgs["validationData"] | LoaderLike;
  /** Run the frozen prefix once and train the head on its cached outputs. Default false. */
  cacheFrozen?: boolean | CacheFrozenOptions;
  /** Makes batch shuffling and Dropout masks reproducible (Math.random is seeded during the fit). */
  seed?: number;
}

const DEFAULT_BUDGET = 1 << 30;
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
 * Trains `model` like `model.fit(x, y, opts)`, after `ready()`; or from a `graft.data.loader`
 * (`fit(model, loader, opts)`), one fresh pass per epoch, int32 labels converted for the loss
 * (one-hot for categoricalCrossentropy, indices for graft.losses.crossEntropy). With
 * `cacheFrozen`, trains the head on cached outputs of the frozen backbone (later epochs cost
 * only the head; with a loader the cache is kept for later fits while the backbone and data are
 * unchanged). Warns once when a linear (logits) output meets a loss that expects probabilities.
 * @param model a compiled tfjs LayersModel.
 * @param x inputs (one tensor when caching), or a graft.data.loader; y targets (omitted with a loader).
 * @param opts tfjs fit arguments plus `cacheFrozen` and `seed` (seeds shuffling, Dropout and an unseeded loader).
 * @returns tfjs's History (loss and metrics per epoch).
 * @throws GraftCacheError when caching would change the result (the message says why and what to do).
 * @example
 * ```ts
 * const transform = graft.zoo.resnet18.transforms();
 * const trainLoader = graft.data.loader(graft.data.imageFolder("photos/train", { transform }), { batchSize: 32, shuffle: true });
 * const valLoader = graft.data.loader(graft.data.imageFolder("photos/val", { transform }), { batchSize: 32 });
 * graft.freezeUpTo(model, "avgpool");
 * model.compile({ optimizer: "adam", loss: graft.losses.crossEntropy, metrics: ["accuracy"] });
 * const history = await graft.fit(model, trainLoader, { epochs: 5, validationData: valLoader, cacheFrozen: true, seed: 1 });
 * console.log(history.history.loss);
 * ```
 */
export async function fit(model: tf.LayersModel, loader: LoaderLike, opts?: FitOptions): Promise<tf.History>;
export async function fit(model: tf.LayersModel, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], opts?: FitOptions): Promise<tf.History>;
export async function fit(model: tf.LayersModel, x: tf.Tensor | tf.Tensor[] | LoaderLike, y?: tf.Tensor | tf.Tensor[] | FitOptions, maybeOpts: FitOptions = {}): Promise<tf.History> {
  await ready();
  warnLogits(model);
  if (isLoader(x)) {
    if (y instanceof tf.Tensor || Array.isArray(y)) throw new TypeError("graft.fit(model, loader, opts): a loader carries its labels; pass options as the third argument");
    return fitLoader(model, x, (y ?? {}) as Parameters<typeof fitLoader>[2]);
  }
  if (y === undefined || !(y instanceof tf.Tensor || Array.isArray(y))) {
    throw new TypeError("graft.fit(model, x, y, opts): pass targets y with tensors x, or a graft.data.loader as x");
  }
  // crossEntropy takes class indices, but tfjs's fit checks targets against the output's shape: make them one-hot.
  const indices = y instanceof tf.Tensor && y.rank === 1 && isCrossEntropy(lossOf(model)) && outputClasses(model) > 1;
  const targets = indices ? labelsFor(model, y as tf.Tensor, "y", true) : y;
  try {
    return await fitTensors(model, x, targets, maybeOpts);
  } finally {
    if (targets !== y) (targets as tf.Tensor).dispose();
  }
}

async function fitTensors(model: tf.LayersModel, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], opts: FitOptions): Promise<tf.History> {
  const { cacheFrozen, seed, ...rest } = opts;
  const fitArgs = rest as tf.ModelFitArgs;
  if (isLoader(fitArgs.validationData)) throw new TypeError("graft.fit(model, x, y, { validationData }): a validation loader needs a training loader; pass [xVal, yVal] tensors with tensors");
  if (!cacheFrozen) return withSeed(seed, () => trainerFor(model).fit(x, y, fitArgs));
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
  noLogitsWarning(cut.head);
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
