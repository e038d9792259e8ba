/** The kernel's default magics, in one registry per kernel. */
import { MagicRegistry } from "./registry";
import { engine, help, lsmagic, time } from "./basic";
import { loadWeights } from "./load_weights";
import { freeze, unfreeze } from "./freeze";
import { params } from "./params";
import { inspect } from "./inspect";
import { npm } from "./npm";
import { xmode } from "./xmode";

/**
 * @example
 * const magics = defaultMagics();
 * magics.has("freeze", false); // true
 */
export function defaultMagics(): MagicRegistry {
  const r = new MagicRegistry();
  for (const spec of [loadWeights, freeze, unfreeze, params, inspect, npm, engine, time, xmode, lsmagic, help]) r.add(spec);
  return r;
}
