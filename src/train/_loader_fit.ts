/**
 * `fit` from a `graft.data.loader`: every epoch is a fresh pass of the loader (fresh random
 * transforms), labels converted for the loss. With `cacheFrozen` (deterministic transforms
 * only) the frozen prefix runs once over the data, and its features stay cached for later fits.
 */
import * as tf from "@tensorflow/tfjs";
import { GraftCacheError } from "./errors";
import { adaptAccuracy, labelsFor } from "./_labels";
import { asCallbacks, cutFor, prefixGuard } from "./_fit_common";
import { loaderFeatures, type LoaderLike } from "./_loader_cache";
import { withSeed } from "./_seeded_random";
import { noLogitsWarning } from "./_loss_check";
import { trainerFor } from "./_untaped_prefix";

/** The loader-related options of fit (see `FitOptions`). */
export interface LoaderFitOptions extends Omit<tf.ModelFitArgs, "validationData"> {
  validationData?: LoaderLike | tf.ModelFitArgs["validationData"];
  cacheFrozen?: boolean | { memoryBudgetBytes?: number; dir?: string };
  seed?: number;
}

const TENSOR_ONLY = ["batchSize", "shuffle", "validationSplit", "sampleWeight", "stepsPerEpoch", "validationSteps"] as const;

/** Batches of `loader` as a tf.data.Dataset whose every iteration is one loader pass. */
function asDataset(model: tf.LayersModel, loader: LoaderLike, what: string): tf.data.Dataset<tf.TensorContainer> {
  const gen = async function* () {
    let batch = 0;
    for await (const { xs, ys } of loader) {
      yield { xs, ys: labelsFor(model, ys, `${what} batch ${batch++}`) };
    }
  };
  return tf.data.generator(gen as unknown as () => Iterator<tf.TensorContainer>);
}

function checkArgs(opts: LoaderFitOptions): void {
  for (const key of TENSOR_ONLY) {
    if ((opts as Record<string, unknown>)[key] !== undefined) {
      throw new TypeError(`graft.fit(model, loader): option ${key} applies to tensors only; with a loader, batches come from it ` +
        `(set batchSize, shuffle and dropLast in graft.data.loader(dataset, { … }), and pass validationData: anotherLoader)`);
    }
  }
}

function refuseRandom(loader: LoaderLike, role: string): void {
  const random = loader.randomTransforms();
  if (random.length) {
    throw new GraftCacheError(`Cannot cache frozen features: the ${role} loader's transform has random steps (${random.join(", ")}), ` +
      `so every epoch sees different inputs and features computed once would be wrong; use a deterministic transform ` +
      `(e.g. graft.zoo.resnet18.transforms()) or pass cacheFrozen: false to train on fresh augmentations`, "random-transform", random[0]);
  }
}

/**
 * Trains `model` from `loader` (see graft.fit).
 * @param model a compiled LayersModel
 * @param loader a graft.data.loader
 * @param opts tfjs fit arguments that make sense for batches from a loader, plus cacheFrozen and seed
 * @returns tfjs's History
 */
export async function fitLoader(model: tf.LayersModel, loader: LoaderLike, opts: LoaderFitOptions): Promise<tf.History> {
  checkArgs(opts);
  if (!model.optimizer) {
    throw new Error("You must compile a model before training it: call model.compile({ optimizer, loss: graft.losses.crossEntropy }) before graft.fit");
  }
  const { cacheFrozen, seed, validationData, ...rest } = opts;
  // A fit seed seeds an unseeded loader too, so two runs see the same batches and augmentations.
  const seeded = (l: LoaderLike) => (seed !== undefined && l.options.seed === undefined ? l.withOptions({ seed }) : l);
  const train = seeded(loader);
  const valLoader = validationData && !Array.isArray(validationData) ? seeded(validationData as LoaderLike) : undefined;
  const cut = cacheFrozen ? cutFor(model) : undefined;
  if (cacheFrozen) {
    refuseRandom(train, "training");
    if (valLoader) refuseRandom(valLoader, "validation");
  }
  if (!cut) {
    adaptAccuracy(model);
    const val = valLoader ? asDataset(model, valLoader, "validation") : (validationData as tf.ModelFitArgs["validationData"]);
    const trainer = trainerFor(model);
    return withSeed(seed, () => trainer.fitDataset(asDataset(model, train, "training"), {
      ...rest, epochs: rest.epochs ?? 1, validationData: val as tf.data.Dataset<tf.TensorContainer>,
      callbacks: asCallbacks(rest.callbacks), verbose: (rest.verbose ?? 0) as 0 | 1,
    }));
  }
  const budget = (typeof cacheFrozen === "object" ? cacheFrozen.memoryBudgetBytes : undefined) ?? 1 << 30;
  const head = cut.head;
  noLogitsWarning(head);
  head.compile({ optimizer: model.optimizer, loss: model.loss, metrics: (model as unknown as { metrics?: string[] }).metrics });
  adaptAccuracy(head);
  const { features, labels } = await loaderFeatures(model, cut, train, budget);
  const ys = labelsFor(head, labels, "training data", true);
  let validation: tf.Tensor[] | undefined;
  try {
    if (valLoader) {
      const v = await loaderFeatures(model, cut, valLoader, budget);
      validation = [v.features, labelsFor(head, v.labels, "validation data", true)];
    } else if (Array.isArray(validationData)) {
      throw new TypeError("graft.fit(model, loader, { cacheFrozen }): pass validationData as a loader too, so its features are cached the same way");
    }
    const guard = prefixGuard(cut);
    const callbacks = [...asCallbacks(rest.callbacks), new tf.CustomCallback(guard.callback)];
    const history = await withSeed(seed, () => head.fit(features, ys, {
      ...rest, batchSize: train.options.batchSize, shuffle: train.options.shuffle, callbacks,
      validationData: validation as [tf.Tensor, tf.Tensor] | undefined, verbose: (rest.verbose ?? 0) as 0 | 1,
    }));
    const error = guard.error();
    if (error) throw error;
    return history;
  } finally {
    ys.dispose();
    validation?.[1].dispose();
  }
}
