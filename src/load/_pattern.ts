/** Private: the `skip` option's pattern over checkpoint names (glob, RegExp, list or predicate). */
import { _globToRegExp } from "../_text/glob";

/** Which checkpoint names to leave out: a glob (`fc.*`, `*.num_batches_tracked`), a RegExp, a list of those, or a predicate. */
export type NamePattern = string | RegExp | ReadonlyArray<string | RegExp> | ((name: string) => boolean);


/** Compiles a {@link NamePattern} into a test; throws TypeError naming the bad value. */
export function compileNamePattern(pattern: NamePattern | undefined, option = "skip"): (name: string) => boolean {
  if (pattern === undefined) return () => false;
  if (typeof pattern === "function") return (name) => Boolean(pattern(name));
  const parts = Array.isArray(pattern) ? pattern : [pattern as string | RegExp];
  const tests = parts.map((p) => {
    if (typeof p === "string") {
      const re = _globToRegExp(p, { what: `${option} glob` });
      return (name: string) => re.test(name);
    }
    if (p instanceof RegExp) {
      const re = new RegExp(p.source, p.flags.replace("g", "").replace("y", ""));
      return (name: string) => re.test(name);
    }
    throw new TypeError(
      `${option} must be a glob string, a RegExp, a list of those, or a function (name) => boolean; got ${JSON.stringify(p)}`,
    );
  });
  return (name) => tests.some((t) => t(name));
}
