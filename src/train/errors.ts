/** Errors raised by graft's training tools. */
import { GraftError } from "../errors";

/**
 * `fit(…, { cacheFrozen })` was refused because caching the frozen layers' outputs would
 * change the result of training. `reason` is a stable code; `layer` names the layer at fault.
 * @example
 * ```ts
 * try { await graft.fit(model, x, y, { epochs: 5, cacheFrozen: true }); }
 * catch (e) { if (e instanceof graft.GraftCacheError) console.log(e.reason, e.layer); }
 * ```
 */
export class GraftCacheError extends GraftError {
  readonly reason: "input-pipeline" | "not-a-prefix" | "stochastic-layer" | "batchnorm-training" | "graph" | "unfrozen-during-fit" | "random-transform";
  readonly layer?: string;
  constructor(message: string, reason: GraftCacheError["reason"], layer?: string) {
    super(message);
    this.reason = reason;
    this.layer = layer;
  }
}
