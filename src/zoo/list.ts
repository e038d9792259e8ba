/**
 * The zoo's catalogue: every architecture by torchvision name, and the builder for a name.
 * One static table names them all; `list()` reports the ones whose builder this build of graft
 * exports, so a table row never promises a builder that is not there.
 */
import type * as tf from "@tensorflow/tfjs";
import { _editDistance } from "../_text/edit_distance";
import type { ZooOptions } from "./options";

/** A zoo builder: options in, an uncompiled LayersModel out. */
export type ZooBuilder = (opts?: ZooOptions) => tf.LayersModel;

/** torchvision builder name → graft.zoo export, in torchvision's family order. */
const ARCHITECTURES: ReadonlyArray<readonly [string, string]> = [
  ["resnet18", "resnet18"],
  ["resnet34", "resnet34"],
  ["resnet50", "resnet50"],
  ["vgg11", "vgg11"],
  ["vgg16", "vgg16"],
  ["mobilenet_v2", "mobilenetV2"],
  ["mobilenet_v3_large", "mobilenetV3Large"],
  ["mobilenet_v3_small", "mobilenetV3Small"],
  ["efficientnet_b0", "efficientnetB0"],
  ["convnext_tiny", "convnextTiny"],
  ["densenet121", "densenet121"],
  ["vit_b_16", "vitB16"],
];

/** The zoo's exports, read when asked (the zoo's index re-exports this file, so not at import). */
function exported(exportName: string): ZooBuilder | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zoo = require("./index") as Record<string, unknown>;
  const builder = zoo[exportName];
  return typeof builder === "function" ? (builder as ZooBuilder) : undefined;
}

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
  return ARCHITECTURES.filter(([, exportName]) => exported(exportName) !== undefined).map(([name]) => name);
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
  const row = ARCHITECTURES.find(([tv, exportName]) => tv === name || exportName === name);
  const builder = row && exported(row[1]);
  if (builder) return builder;
  const known = list();
  const folded = (s: string) => s.replace(/[_-]/g, "").toLowerCase();
  const near = known
    .map((k) => ({ k, d: _editDistance(folded(name), folded(k)) }))
    .filter((c) => c.d <= 3)
    .sort((a, b) => a.d - b.d)
    .map((c) => c.k);
  const what = row ? `zoo.get: "${name}" is not built into this version of graft` : `zoo.get: no architecture named "${name}"`;
  throw new RangeError(`${what}${near.length ? `; did you mean ${near.slice(0, 3).map((k) => `"${k}"`).join(" or ")}?` : ""} (zoo.list(): ${known.join(", ")})`);
}
