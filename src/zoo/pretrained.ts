/** zoo.pretrained: any zoo architecture by its torchvision name, with pretrained weights, and its LoadReport. */
import type * as tf from "@tensorflow/tfjs";
import type { WeightsEntry } from "../hub/types";
import type { LoadReport } from "../load/report";
import { BUILDERS } from "./list";
import type { PretrainedOptions } from "./options";
import type { TorchvisionName } from "./torchvision_name";
import { withWeights } from "./_weights";

/**
 * Builds a zoo architecture by torchvision name and loads named pretrained weights through
 * PyTorch's hub cache (`$TORCH_HOME/hub/checkpoints`; downloaded once, sha256-checked) — the
 * async twin of `zoo.resnet18({ weights })`, returning the report beside the model.
 * @param arch torchvision builder name: `resnet18`, `mobilenet_v2`, `vgg16`, …
 * @param opts the builder's options with `weights` (`"DEFAULT"`, `"IMAGENET1K_V1"`, …); a
 *   `numClasses` other than the weights' classes gives a new head that keeps its initial weights
 *   (reported as mismatched).
 * @returns `{ model, report, weights }` (`weights`: the registry entry, with its transforms preset and categories).
 * @throws RangeError for an unknown architecture or weights name (with a did-you-mean); GraftHubError when the file cannot be had.
 * @example
 * ```ts
 * const { model, report, weights } = await graft.zoo.pretrained("resnet18", { weights: "DEFAULT", numClasses: 5 });
 * report.toString();     // loaded 100/102 …; fc.weight, fc.bias mismatched (1000 vs 5 classes), left as initialised
 * weights.categories?.[0]; // "tench"
 * ```
 */
export async function pretrained(arch: string, opts: PretrainedOptions): Promise<{ model: tf.LayersModel; report: LoadReport; weights: WeightsEntry }> {
  const build = Object.prototype.hasOwnProperty.call(BUILDERS, arch) ? BUILDERS[arch as TorchvisionName] : undefined;
  if (!build) {
    throw new RangeError(`zoo.pretrained: no zoo builder for "${arch}" (built: ${Object.keys(BUILDERS).join(", ")})`);
  }
  if (!opts || typeof opts !== "object" || typeof opts.weights !== "string") {
    throw new TypeError(`zoo.pretrained("${arch}", opts): opts.weights must name the weights, e.g. { weights: "DEFAULT" }`);
  }
  const model = await withWeights(arch, opts, build);
  return { model, report: model.loadReport, weights: model.weightsEntry };
}
