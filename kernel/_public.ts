/**
 * Names a notebook user never sees in completion or %help: graft's kernel plumbing (exported for
 * other copies of the library, not for cells) and `_`-prefixed internals.
 */

/** graft exports that exist only for the kernel's display channel. */
export const HIDDEN_NAMES: ReadonlySet<string> = new Set(["BRIDGE_KEY", "JUPYTER_DISPLAY", "NO_RESULT", "kernelBridge"]);

/**
 * Whether `name` may be offered to a user who typed `typed` so far.
 * @param name a completion candidate or a name asked about
 * @param typed the part of the name the user typed (a `_` prefix asks for `_` names)
 * @returns false for the kernel's plumbing and for `_` names not asked for
 * @example
 * isPublicName("BRIDGE_KEY"); // false
 * isPublicName("_cache", "_c"); // true
 */
export function isPublicName(name: string, typed = ""): boolean {
  if (HIDDEN_NAMES.has(name)) return false;
  return !name.startsWith("_") || typed.startsWith("_");
}

/**
 * Whether a dotted expression (`graft.BRIDGE_KEY`, `plot._x`) names something non-public.
 * @example
 * isHiddenPath("graft.kernelBridge"); // true
 */
export function isHiddenPath(expr: string): boolean {
  return expr.split(".").some((part) => !isPublicName(part));
}
