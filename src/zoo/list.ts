/**
 * The zoo's catalogue: every architecture by torchvision name, and the builder for a name, from
 * one typed table (a name without a builder does not compile).
 */
import type * as tf from "@tensorflow/tfjs";
import { _editDistance } from "../_text/edit_distance";
import { convnextTiny } from "./convnext";
import { densenet121 } from "./densenet";
import { efficientnetB0 } from "./efficientnet";
import { mobilenetV2 } from "./mobilenet_v2";
import { mobilenetV3Large, mobilenetV3Small } from "./mobilenet_v3";
import type { ZooOptions } from "./options";
import { resnet18, resnet34, resnet50 } from "./resnet";
import type { TorchvisionName } from "./torchvision_name";
import { vgg11, vgg16 } from "./vgg";
import { vitB16 } from "./vit";

/** A zoo builder: options in, an uncompiled LayersModel out. */
export type ZooBuilder = (opts?: ZooOptions) => tf.LayersModel;

/** torchvision builder name → zoo builder, in torchvision's family order. */
export const BUILDERS: Readonly<Record<TorchvisionName, ZooBuilder>> = {
  resnet18, resnet34, resnet50, vgg11, vgg16,
  mobilenet_v2: mobilenetV2, mobilenet_v3_large: mobilenetV3Large, mobilenet_v3_small: mobilenetV3Small,
  efficientnet_b0: efficientnetB0, convnext_tiny: convnextTiny, densenet121, vit_b_16: vitB16,
};

const EXPORT_NAMES = new Map<string, TorchvisionName>(
  (Object.entries(BUILDERS) as [TorchvisionName, ZooBuilder][]).map(([tv, build]) => [build.name, tv]),
);

/**
 * Every architecture the zoo can build, by torchvision name (`torchvision.models.<name>`).
 * @returns names such as `"resnet18"`, `"convnext_tiny"`, `"vit_b_16"`, in torchvision's family order.
 * @example
 * ```ts
 * graft.zoo.list().includes("densenet121"); // true
 * for (const name of graft.zoo.list()) console.log(name, graft.zoo.get(name).name);
 * ```
 */
export function list(): string[] {
  return Object.keys(BUILDERS);
}

/**
 * The builder of one architecture.
 * @param name a torchvision name (`"convnext_tiny"`) or the zoo export's name (`"convnextTiny"`).
 * @returns the builder, e.g. `graft.zoo.convnextTiny`.
 * @throws TypeError when `name` is not a string; RangeError for an unknown name, with the closest
 *   names and the full list.
 * @example
 * ```ts
 * const model = graft.zoo.get("vit_b_16")({ numClasses: 10 });
 * model.name; // "vit_b_16"
 * ```
 */
export function get(name: string): ZooBuilder {
  if (typeof name !== "string") throw new TypeError(`zoo.get: name must be a string such as "resnet18"; got ${String(name)}`);
  const tv = (Object.prototype.hasOwnProperty.call(BUILDERS, name) ? name : EXPORT_NAMES.get(name)) as TorchvisionName | undefined;
  if (tv) return BUILDERS[tv];
  const known = list();
  const folded = (s: string) => s.replace(/[_-]/g, "").toLowerCase();
  const near = known
    .map((k) => ({ k, d: _editDistance(folded(name), folded(k)) }))
    .filter((c) => c.d <= 3)
    .sort((a, b) => a.d - b.d)
    .map((c) => c.k);
  throw new RangeError(`zoo.get: no architecture named "${name}"${near.length ? `; did you mean ${near.slice(0, 3).map((k) => `"${k}"`).join(" or ")}?` : ""} (zoo.list(): ${known.join(", ")})`);
}
