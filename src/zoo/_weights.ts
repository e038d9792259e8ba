/**
 * Private: the `weights` hook of every zoo builder — build without weights, fetch the file
 * through PyTorch's hub cache, load it by name, and hand back the model with its LoadReport.
 */
import type * as tf from "@tensorflow/tfjs";
import { progressBar, type ProgressReporter } from "../display/progress";
import { cachedDownload } from "../hub/cache";
import { weightsEntry } from "../hub/registry";
import type { WeightsEntry } from "../hub/types";
import { loadWeights } from "../load/load_weights";
import type { LoadReport } from "../load/report";
import type { PretrainedOptions, ZooOptions } from "./options";

/**
 * A zoo model built with `weights`: the model, plus what was loaded into it.
 * @example
 * ```ts
 * const model = await graft.zoo.resnet18({ weights: "DEFAULT", numClasses: 5 });
 * model.loadReport.mismatched; // [{ target: "fc/kernel", checkpointShape: [1000, 512], … }]: the new head keeps its init
 * model.weightsEntry.transforms; // { cropSize: 224, resizeSize: 256, interpolation: "bilinear" }
 * ```
 */
export type PretrainedModel = tf.LayersModel & {
  /** The report of the load: a new head (numClasses ≠ the weights' classes) is listed as mismatched and keeps its initial weights. */
  readonly loadReport: LoadReport;
  /** The registry entry the weights came from (URL, transforms preset, categories, metrics). */
  readonly weightsEntry: WeightsEntry;
};

/**
 * Builds `arch` with `build` (weights left out), then loads the named pretrained weights.
 * @returns the model with `loadReport` and `weightsEntry` attached (non-enumerable).
 */
export async function withWeights(arch: string, opts: PretrainedOptions, build: (o: ZooOptions) => tf.LayersModel): Promise<PretrainedModel> {
  const { weights, progress, ...rest } = opts;
  const entry = weightsEntry(arch, weights as string);
  const numClasses = rest.numClasses ?? entry.categories?.length ?? 1000;
  const model = build({ ...rest, numClasses });
  try {
    // The bar appears only if a download happens (a cached file shows nothing).
    let bar: ProgressReporter | undefined;
    const onProgress = progress === false ? undefined : (done: number, total: number) => {
      bar ??= progressBar(`downloading ${entry.url.split("/").pop()}`);
      bar(done, total);
    };
    let file: string;
    try {
      file = (await cachedDownload(entry.url, { onProgress })).path;
    } finally {
      bar?.done();
    }
    const report = await loadWeights(model, file, entry.rename ? { rename: entry.rename.map(([a, b]) => [a, b] as [RegExp, string]) } : {});
    Object.defineProperty(model, "loadReport", { value: report, enumerable: false });
    Object.defineProperty(model, "weightsEntry", { value: entry, enumerable: false });
    return model as PretrainedModel;
  } catch (err) {
    model.dispose();
    throw err;
  }
}
