/** Errors raised by graft's freezing tools; each carries its facts as fields. */
import { GraftError } from "../errors";

/**
 * A layer pattern matched no layer (or named a layer that does not exist).
 * `candidates` holds the model's layer names closest to the pattern (edit distance), best first.
 * @example
 * ```ts
 * try { graft.freeze(model, "layr4.*"); }
 * catch (e) { if (e instanceof graft.GraftPatternError) console.log(e.candidates); }
 * ```
 */
export class GraftPatternError extends GraftError {
  readonly pattern: string;
  readonly candidates: string[];
  constructor(message: string, pattern: string, candidates: string[]) {
    super(message);
    this.pattern = pattern;
    this.candidates = candidates;
  }
}

/**
 * A frozen weight or a frozen BatchNormalization statistic changed during training.
 * @example
 * ```ts
 * try { await model.fit(x, y, { callbacks: [graft.frozenGuard(model)] }); }
 * catch (e) { if (e instanceof graft.GraftDriftError) console.log(e.layer, e.weight, e.maxAbsChange); }
 * ```
 */
export class GraftDriftError extends GraftError {
  readonly layer: string;
  readonly weight: string;
  readonly maxAbsChange: number;
  /** Every drifted weight, the first of which is named by `layer`/`weight`. */
  readonly drifted: { layer: string; weight: string; maxAbsChange: number; changed: number }[];
  constructor(message: string, drifted: { layer: string; weight: string; maxAbsChange: number; changed: number }[]) {
    super(message);
    this.drifted = drifted;
    this.layer = drifted[0]?.layer ?? "";
    this.weight = drifted[0]?.weight ?? "";
    this.maxAbsChange = drifted[0]?.maxAbsChange ?? 0;
  }
}
