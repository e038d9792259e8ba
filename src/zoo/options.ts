/**
 * The options every zoo builder takes, with torchvision's defaults, and their checks.
 */
import { _editDistance } from "../_text/edit_distance";

/**
 * Options every zoo builder takes (torchvision's `num_classes`, plus what tfjs needs to know up front).
 * @example
 * ```ts
 * const opts: graft.zoo.ZooOptions = { numClasses: 10, includeTop: true, inputShape: [128, 128, 3] };
 * const model = graft.zoo.resnet18(opts);
 * ```
 */
export interface ZooOptions {
  /** Units of the last Dense layer (torchvision's `num_classes`). Default 1000. */
  numClasses?: number;
  /** Keep the classifier head. Without it the model ends at the features (see each builder). Default true. */
  includeTop?: boolean;
  /** Input `[height, width, channels]`, channels last (tfjs layout). Default `[224, 224, 3]`. */
  inputShape?: [number, number, number];
  /** Seeds the initial weights (as `torch.manual_seed` before a torchvision builder): same seed, same weights. Default unseeded. */
  seed?: number;
  /**
   * Pretrained weights by name, as torchvision's `weights=`: `"DEFAULT"`, `"IMAGENET1K_V1"`, … (see
   * `graft.hub.listWeights(arch)`). With it the builder returns a Promise of the model with the
   * weights loaded (see {@link PretrainedOptions}).
   */
  weights?: string;
  /** With `weights`: show download progress (torchvision's `progress`). Default true. */
  progress?: boolean;
}

/**
 * {@link ZooOptions} with `weights` given: the builder returns `Promise<PretrainedModel>`.
 * @example
 * ```ts
 * const model = await graft.zoo.resnet18({ weights: "DEFAULT", numClasses: 5 });
 * model.loadReport.toString(); // fc mismatched (1000 vs 5 classes): left as initialised
 * ```
 */
export interface PretrainedOptions extends ZooOptions {
  weights: string;
}

/** {@link ZooOptions} with defaults filled in and checked. */
export interface ResolvedZooOptions {
  numClasses: number;
  includeTop: boolean;
  inputShape: [number, number, number];
  seed: number | undefined;
}

const KNOWN_KEYS = ["numClasses", "includeTop", "inputShape", "seed", "weights", "progress"];

/** `num_classes` → `numClasses`: torchvision's spelling first, then the closest by edit distance. */
function suggestion(key: string): string | undefined {
  const folded = (k: string) => k.replace(/_/g, "").toLowerCase();
  const same = KNOWN_KEYS.find((k) => folded(k) === folded(key));
  if (same) return same;
  const ranked = KNOWN_KEYS.map((k) => ({ k, d: _editDistance(folded(key), folded(k)) })).sort((a, b) => a.d - b.d);
  return ranked[0].d <= 3 ? ranked[0].k : undefined;
}

function rejectUnknownKeys(arch: string, opts: object): void {
  for (const key of Object.keys(opts)) {
    if (KNOWN_KEYS.includes(key)) continue;
    const near = suggestion(key);
    const hint = key === "pretrained" ? `; torchvision's old pretrained=True is weights: "DEFAULT" here` : "";
    throw new TypeError(
      `zoo.${arch}: unknown option "${key}"${near ? `; did you mean "${near}"?` : ""} ` +
        `(options: ${KNOWN_KEYS.join(", ")})${hint}`,
    );
  }
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v > 0;
}

/**
 * Fills defaults and validates.
 * @throws TypeError for an unknown option (with a did-you-mean) or a value of the wrong type;
 *   RangeError for a value out of range — each naming the option, the value and the fix.
 */
export function resolveOptions(arch: string, opts: ZooOptions = {}): ResolvedZooOptions {
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(`zoo.${arch}: options must be an object like { numClasses: 10 }; got ${String(opts)}`);
  }
  rejectUnknownKeys(arch, opts);
  const numClasses = opts.numClasses ?? 1000;
  const includeTop = opts.includeTop ?? true;
  const inputShape = opts.inputShape ?? [224, 224, 3];
  if (!isPositiveInt(numClasses)) {
    throw new RangeError(`zoo.${arch}: numClasses must be a positive integer; got ${String(numClasses)}`);
  }
  if (typeof includeTop !== "boolean") {
    throw new TypeError(`zoo.${arch}: includeTop must be true or false; got ${String(includeTop)}`);
  }
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every(isPositiveInt)) {
    throw new RangeError(
      `zoo.${arch}: inputShape must be [height, width, channels] of positive integers (channels last, e.g. [224, 224, 3]); ` +
        `got ${JSON.stringify(inputShape)}`,
    );
  }
  if (opts.weights !== undefined && typeof opts.weights !== "string") {
    throw new TypeError(`zoo.${arch}: weights must be a name like "DEFAULT" or "IMAGENET1K_V1"; got ${String(opts.weights)}`);
  }
  if (opts.progress !== undefined && typeof opts.progress !== "boolean") {
    throw new TypeError(`zoo.${arch}: progress must be true or false; got ${String(opts.progress)}`);
  }
  if (opts.seed !== undefined && !Number.isSafeInteger(opts.seed)) {
    throw new RangeError(`zoo.${arch}: seed must be an integer; got ${String(opts.seed)}`);
  }
  return { numClasses, includeTop, inputShape: [...inputShape] as [number, number, number], seed: opts.seed };
}
