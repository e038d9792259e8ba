/** The options of {@link loadWeights} and {@link planLoad} (ARCHITECTURE.md §3), and their checks. */
import { compileNamePattern, NamePattern } from "./_pattern";

export type { NamePattern } from "./_pattern";

export interface LoadOptions {
  /** Source layout: `torch` converts PyTorch layouts, `tfjs` takes tensors as they are; `auto` (default) decides from the format and the names. */
  layout?: "auto" | "torch" | "tfjs";
  /** `name` matches by name only, `order` by structure only, `auto` (default) by name, then by structure for what is left. */
  match?: "auto" | "name" | "order";
  /** Rewrites of checkpoint names, applied in order before matching: `[[/^features\./, "backbone."]]`. */
  rename?: Array<[RegExp | string, string]>;
  /** `auto` (default) removes or adds `module.`, `model.`, `backbone.`, `encoder.` when more names match; a string removes that prefix; false keeps names. */
  stripPrefix?: "auto" | string | false;
  /** Checkpoint names to leave out (glob such as `fc.*`, RegExp, list, or predicate over names); reported as skipped. */
  skip?: NamePattern;
  /** Throw {@link GraftLoadError} (before changing anything) when a weight is missing, unexpected, mismatched or incompatible. */
  strict?: boolean;
  /** Plan and report; change nothing. */
  dryRun?: boolean;
  /** Called as bytes are read and converted. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** For a URL source that is not cached yet: called as its bytes download. */
  onDownload?: (doneBytes: number, totalBytes: number) => void;
}

/** Options with defaults filled in and checked. */
export interface ResolvedLoadOptions {
  layout: "auto" | "torch" | "tfjs";
  match: "auto" | "name" | "order";
  rename: Array<[RegExp | string, string]>;
  stripPrefix: "auto" | string | false;
  skip: (name: string) => boolean;
  strict: boolean;
  dryRun: boolean;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new TypeError(`${option} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}; got ${JSON.stringify(value)}`);
}

/**
 * Checks options (TypeError naming the option, the value and what is allowed) and fills defaults.
 * @example
 * ```ts
 * resolveLoadOptions({ skip: "fc.*" }).skip("fc.weight"); // true
 * assert.throws(() => resolveLoadOptions({ layout: "keras" as never }), /layout must be one of "auto", "torch", "tfjs"; got "keras"/);
 * ```
 */
export function resolveLoadOptions(opts: LoadOptions = {}): ResolvedLoadOptions {
  if (opts === null || typeof opts !== "object") throw new TypeError(`loadWeights options must be an object; got ${String(opts)}`);
  const rename = opts.rename ?? [];
  if (!Array.isArray(rename) || !rename.every((r) => Array.isArray(r) && r.length === 2 && (typeof r[0] === "string" || r[0] instanceof RegExp) && typeof r[1] === "string")) {
    throw new TypeError(`rename must be a list of [pattern, replacement] pairs like [[/^module\\./, ""]]; got ${String(rename)}`);
  }
  const stripPrefix = opts.stripPrefix ?? "auto";
  if (stripPrefix !== false && typeof stripPrefix !== "string") {
    throw new TypeError(`stripPrefix must be "auto", a prefix string such as "module.", or false; got ${String(stripPrefix)}`);
  }
  if (opts.onProgress !== undefined && typeof opts.onProgress !== "function") {
    throw new TypeError(`onProgress must be a function (doneBytes, totalBytes) => void; got ${typeof opts.onProgress}`);
  }
  return {
    layout: oneOf("layout", opts.layout, ["auto", "torch", "tfjs"] as const, "auto"),
    match: oneOf("match", opts.match, ["auto", "name", "order"] as const, "auto"),
    rename,
    stripPrefix,
    skip: compileNamePattern(opts.skip),
    strict: Boolean(opts.strict),
    dryRun: Boolean(opts.dryRun),
    onProgress: opts.onProgress,
  };
}
