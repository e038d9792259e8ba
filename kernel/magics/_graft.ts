/** Magics are thin shells over graft's public functions; these helpers reach them and the model. */
import { PACKAGE_ROOT } from "../resolve";
import { UsageError } from "./usage";
import { _splitGlobList } from "../../src/_text/glob";
import type { MagicContext } from "./registry";

/**
 * graft's exported function `name`, or a clear error when this build does not have it yet.
 * @example
 * const freeze = graftFunction("freeze", "src/freeze");
 */
export function graftFunction<F extends (...args: any[]) => any>(name: string, area: string): F {
  let fn: unknown;
  try {
    fn = require(PACKAGE_ROOT)[name];
  } catch (err) {
    throw new Error(`Cannot load graft from ${PACKAGE_ROOT}: ${(err as Error).message}; run \`npm run build\``);
  }
  if (typeof fn !== "function") {
    throw new Error(`graft.${name} is not available in this build (it comes from ${area}); update graft and rebuild with \`npm run build\``);
  }
  return fn as F;
}

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

/** `/re/flags` → RegExp; `a,b` → ["a", "b"] (commas inside `{a,b}` stay); else the glob string itself. */
export function toPattern(text: string): string | RegExp | string[] {
  const re = /^\/(.+)\/([gimsuy]*)$/.exec(text);
  if (re) return new RegExp(re[1], re[2]);
  const parts = _splitGlobList(text);
  return parts.length > 1 ? parts : text;
}
