/** Looking weights up by name: `weightsEntry("resnet18", "DEFAULT")`, as torchvision's `get_weight`. */
import { _editDistance } from "../_text/edit_distance";
import { WEIGHTS } from "./_weights_table";
import type { WeightsEntry } from "./types";

/**
 * Architectures with registered weights (torchvision builder names).
 * @example
 * ```ts
 * graft.hub.weightsArchitectures().includes("resnet18"); // true
 * ```
 */
export function weightsArchitectures(): string[] {
  return Object.keys(WEIGHTS);
}

/**
 * Every weights entry of an architecture (torchvision's `list(ResNet50_Weights)`), plus which is `DEFAULT`.
 * @param arch torchvision builder name, e.g. `resnet50`.
 * @returns `{ enum, default, entries }`.
 * @throws RangeError for an unknown architecture (with a did-you-mean).
 * @example
 * ```ts
 * graft.hub.listWeights("resnet50").entries.map((e) => e.name); // ["IMAGENET1K_V1", "IMAGENET1K_V2"]
 * ```
 */
export function listWeights(arch: string): { enum: string; default: string; entries: readonly WeightsEntry[] } {
  const found = Object.prototype.hasOwnProperty.call(WEIGHTS, arch) ? WEIGHTS[arch] : undefined;
  if (!found) {
    const near = closest(arch, Object.keys(WEIGHTS));
    throw new RangeError(`No weights are registered for architecture "${arch}"${near ? `; did you mean "${near}"?` : ""} (registered: ${Object.keys(WEIGHTS).join(", ")})`);
  }
  return found;
}

function closest(word: string, options: string[]): string | undefined {
  const fold = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  const ranked = options.map((o) => ({ o, d: _editDistance(fold(word), fold(o)) })).sort((a, b) => a.d - b.d);
  return ranked.length && ranked[0].d <= 3 ? ranked[0].o : undefined;
}

/**
 * The entry `name` names for `arch`: `"DEFAULT"`, `"IMAGENET1K_V1"`, or the enum spelling
 * `"ResNet50_Weights.IMAGENET1K_V2"` (case-insensitive).
 * @param arch torchvision builder name.
 * @param name entry name or `"DEFAULT"`.
 * @returns the {@link WeightsEntry}.
 * @throws RangeError naming the architecture, what was asked and what exists (with a did-you-mean).
 * @example
 * ```ts
 * graft.hub.weightsEntry("resnet50", "DEFAULT").name;       // "IMAGENET1K_V2"
 * graft.hub.weightsEntry("resnet50", "imagenet1k_v1").url;  // ".../resnet50-0676ba61.pth"
 * ```
 */
export function weightsEntry(arch: string, name: string): WeightsEntry {
  const table = listWeights(arch);
  if (typeof name !== "string") throw new TypeError(`weights for ${arch} must be a name like "DEFAULT" or "${table.entries[0].name}"; got ${String(name)}`);
  let wanted = name.trim();
  const dot = wanted.indexOf(".");
  if (dot >= 0) {
    const prefix = wanted.slice(0, dot);
    if (prefix.toLowerCase() !== table.enum.toLowerCase()) {
      throw new RangeError(`weights "${name}" are ${prefix}, not ${arch}'s ${table.enum}; pass "${table.enum}.${wanted.slice(dot + 1)}" or just "${wanted.slice(dot + 1)}"`);
    }
    wanted = wanted.slice(dot + 1);
  }
  wanted = wanted.toUpperCase();
  if (wanted === "DEFAULT") wanted = table.default;
  const entry = table.entries.find((e) => e.name === wanted);
  if (entry) return entry;
  const names = ["DEFAULT", ...table.entries.map((e) => e.name)];
  const near = closest(wanted, names);
  throw new RangeError(`${table.enum} has no entry "${name}"${near ? `; did you mean "${near}"?` : ""} (entries: ${names.join(", ")})`);
}

/**
 * The sha256 prefix torch.hub checks after a download: the hex run after the last `-` of the
 * file name, before the extension (`resnet18-f37072fd.pth` → `f37072fd`), as torch.hub's `HASH_REGEX`.
 * @param fileName a file name (or URL).
 * @returns the prefix, or undefined when the name carries none.
 * @example
 * ```ts
 * graft.hub.hashPrefix("resnet18-f37072fd.pth"); // "f37072fd"
 * ```
 */
export function hashPrefix(fileName: string): string | undefined {
  const base = fileName.split("/").pop() ?? "";
  const m = /-([a-f0-9]*)\./.exec(base);
  return m && m[1].length > 0 ? m[1] : undefined;
}
