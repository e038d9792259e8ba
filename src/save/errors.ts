/** GraftSaveError: a model's weights cannot be written in the asked format. */
import { GraftError } from "../errors";

/**
 * Thrown by `save` when a weight has no PyTorch counterpart graft can write (a layer class or
 * configuration with no inverse layout), or the file cannot be written. Carries the layer and
 * weight so callers need not parse the message; nothing is written when it is thrown for a layer.
 * @example
 * ```ts
 * try { await save(model, "m.pth"); }
 * catch (e) { if (e instanceof GraftSaveError) console.log(e.layer, e.weight); }
 * ```
 */
export class GraftSaveError extends GraftError {
  readonly path: string;
  readonly layer?: string;
  readonly weight?: string;
  constructor(path: string, message: string, details: { layer?: string; weight?: string; cause?: unknown } = {}) {
    super(`Cannot save ${path}: ${message}`, { cause: details.cause });
    this.path = path;
    this.layer = details.layer;
    this.weight = details.weight;
  }
}
