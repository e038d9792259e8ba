/** Pieces shared by graft's fit from tensors and fit from a loader. */
import * as tf from "@tensorflow/tfjs";
import { GraftCacheError } from "./errors";
import { Cut, findCut } from "./_frozen_prefix";

const heads = new WeakMap<tf.LayersModel, Cut>();

/** The model's cut, reusing the head built by an earlier fit while the prefix is unchanged. */
export function cutFor(model: tf.LayersModel): Cut | undefined {
  const cut = findCut(model, heads.get(model));
  if (cut) heads.set(model, cut);
  return cut;
}

/**
 * A callback (placed after the user's) that stops the fit when a prefix layer is unfrozen,
 * since its cached outputs are then stale; `fit` throws the recorded error afterwards.
 * (Throwing from inside a tfjs callback leaves the fit promise unsettled.)
 */
export function prefixGuard(cut: Cut): { callback: tf.CustomCallbackArgs; error(): GraftCacheError | undefined } {
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
export function asCallbacks(callbacks: tf.ModelFitArgs["callbacks"]): tf.CustomCallback[] {
  const list = (Array.isArray(callbacks) ? callbacks : callbacks ? [callbacks] : []) as unknown[];
  // A duck-typed check is not enough: tfjs wraps a list whose first item is not a real callback
  // instance as plain hook records, and wrapping a callback object again recurses forever.
  return list.map((c) => (c instanceof tf.Callback || c instanceof tf.CustomCallback
    ? c : new tf.CustomCallback(c as tf.CustomCallbackArgs)) as tf.CustomCallback);
}

