/** Magics are thin shells over graft's public functions; this helper finds the model they work on. */
import { UsageError } from "./usage";
import type { MagicContext } from "./registry";

export { graftLib as lib } from "../resolve";

function isLayersModel(v: unknown): boolean {
  const m = v as { layers?: unknown; summary?: unknown; getWeights?: unknown };
  return !!m && typeof m === "object" && Array.isArray(m.layers) && typeof m.summary === "function" && typeof m.getWeights === "function";
}

/**
 * The LayersModel a magic works on: the variable named `name`, or, when omitted, the only
 * LayersModel among the notebook's variables.
 */
export function resolveModel(ctx: MagicContext, name: string | undefined, magic: string): any {
  const locals = ctx.executor.locals;
  if (name !== undefined) {
    if (!(name in locals)) throw new UsageError(`${magic}: no variable named ${name} in this notebook`);
    if (!isLayersModel(locals[name])) throw new UsageError(`${magic}: ${name} is not a tf.LayersModel`);
    return locals[name];
  }
  const models = Object.keys(locals).filter((k) => isLayersModel(locals[k]));
  if (models.length === 1) return locals[models[0]];
  if (models.length === 0) throw new UsageError(`${magic}: no tf.LayersModel variable in this notebook; create one or name it`);
  throw new UsageError(`${magic}: several models (${models.join(", ")}); name one, e.g. "${magic} … on ${models[0]}"`);
}
