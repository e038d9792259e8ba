/**
 * Frozen features of a loader's data, kept between `fit` calls: an entry is reused while the
 * frozen prefix (its layers, their trainable flags and weight values) and the data (dataset
 * object, its samples and transform) are unchanged, and recomputed otherwise.
 */
import * as fs from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { forward } from "./_inference";
import type { Cut } from "./_frozen_prefix";

/** What `fit` needs of a `graft.data.loader` (structural, so src/train does not import src/data). */
export interface LoaderLike extends AsyncIterable<{ xs: tf.Tensor; ys: tf.Tensor }> {
  readonly dataset: { length: number; samples?: unknown; transform?: unknown };
  readonly options: { batchSize: number; shuffle: boolean; seed?: number; dropLast: boolean; workers: number };
  readonly length: number;
  randomTransforms(): string[];
  withOptions(o: Record<string, unknown>): LoaderLike;
}

/** Whether `x` is a graft data loader. */
export function isLoader(x: unknown): x is LoaderLike {
  return !!x && typeof x === "object" && typeof (x as LoaderLike)[Symbol.asyncIterator] === "function" &&
    typeof (x as LoaderLike).randomTransforms === "function" && typeof (x as LoaderLike).withOptions === "function";
}

interface Entry { dataset: object; dataKey: string; prefixKey: string; features: tf.Tensor; labels: tf.Tensor }

const store = new WeakMap<tf.LayersModel, Entry[]>();
const MAX_ENTRIES = 4;

/** FNV-1a over 32-bit words, folded into a running hash. */
function mix(h: number, words: Uint32Array): number {
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 16777619) >>> 0;
  return h;
}

/** The frozen prefix's identity: layer names, trainable flags and a hash of every weight value. */
export function prefixKey(cut: Cut): string {
  let h = 2166136261;
  const parts: string[] = [];
  for (const layer of cut.prefix) {
    parts.push(`${layer.name}:${layer.trainable ? 1 : 0}`);
    for (const w of layer.weights) {
      const values = w.read().dataSync();
      h = mix(h, new Uint32Array(values.buffer, values.byteOffset, values.byteLength >>> 2));
    }
  }
  return `${parts.join(",")}#${h.toString(16)}`;
}

function hashText(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** Each sample's path and label with the file's size and modification time, so an edited or replaced photo counts as new data. */
function samplesText(samples: unknown[]): string {
  return samples.map((s) => {
    const file = Array.isArray(s) && typeof s[0] === "string" ? s[0] : undefined;
    const st = file ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
    return `${JSON.stringify(s)}:${st ? `${st.size}@${st.mtimeMs}` : "-"}`;
  }).join("\n");
}

function dataKey(loader: LoaderLike): string {
  const d = loader.dataset;
  const samples = Array.isArray(d.samples) ? hashText(samplesText(d.samples)) : 0;
  return `${d.length}|${String(d.transform ?? "")}|${loader.options.dropLast}|${samples.toString(16)}`;
}

/** Number of times the frozen prefix ran over a loader (for tests and benchmarks). */
export const featurePasses = { count: 0 };

/**
 * Features and int32 labels of every sample of `loader` (in dataset order), from the cache when
 * the prefix and data are unchanged, else by one inference pass of `cut.features`.
 * @throws RangeError past `memoryBudgetBytes`, naming the size and the fixes.
 */
export async function loaderFeatures(model: tf.LayersModel, cut: Cut, loader: LoaderLike, memoryBudgetBytes: number): Promise<{ features: tf.Tensor; labels: tf.Tensor; reused: boolean }> {
  const pKey = prefixKey(cut), dKey = dataKey(loader);
  const entries = store.get(model) ?? [];
  const hit = entries.find((e) => e.dataset === loader.dataset && e.dataKey === dKey && e.prefixKey === pKey);
  if (hit) return { features: hit.features, labels: hit.labels, reused: true };
  featurePasses.count++;
  const parts: tf.Tensor[] = [], labels: tf.Tensor[] = [];
  let bytes = 0;
  try {
    for await (const { xs, ys } of loader.withOptions({ shuffle: false })) {
      const f = tf.tidy(() => forward(cut.features, xs));
      parts.push(f);
      labels.push(ys.clone());
      bytes += f.size * 4;
      if (bytes > memoryBudgetBytes) {
        throw new RangeError(`Cannot cache frozen features of a loader: they exceed memoryBudgetBytes (${bytes} > ${memoryBudgetBytes} bytes after ${parts.length} batches); ` +
          `raise cacheFrozen: { memoryBudgetBytes }, cut later in the model (freeze up to a pooling layer), or pass cacheFrozen: false`);
      }
    }
    if (parts.length === 0) throw new RangeError("Cannot cache frozen features: the loader gave no batches (an empty dataset?)");
    const features = parts.length === 1 ? parts[0].clone() : tf.concat(parts, 0);
    const allLabels = labels.length === 1 ? labels[0].clone() : tf.concat(labels, 0);
    // Stale entries of this dataset go; the list stays short.
    const kept = entries.filter((e) => {
      const stale = e.dataset === loader.dataset;
      if (stale) { e.features.dispose(); e.labels.dispose(); }
      return !stale;
    });
    while (kept.length >= MAX_ENTRIES) { const old = kept.shift()!; old.features.dispose(); old.labels.dispose(); }
    kept.push({ dataset: loader.dataset, dataKey: dKey, prefixKey: pKey, features, labels: allLabels });
    store.set(model, kept);
    return { features, labels: allLabels, reused: false };
  } finally {
    parts.forEach((p) => p.dispose());
    labels.forEach((l) => l.dispose());
  }
}

/** Frees the features cached for `model` (they are also freed when replaced). */
export function clearFeatureCache(model: tf.LayersModel): void {
  for (const e of store.get(model) ?? []) { e.features.dispose(); e.labels.dispose(); }
  store.delete(model);
}
