/**
 * Private: the one glob syntax graft uses for names (layer patterns, `skip`, history search).
 * `*` any run of characters (not crossing `separator` when one is given), `**` any run at all,
 * `?` one character (not the separator), `[1-3]` / `[!0]` character classes, `{a,b}`
 * alternatives, `\` escapes. Whole-name match.
 */

export interface GlobOptions {
  /** A character `*` and `?` do not cross (layer globs use "/", the nested-model separator). */
  separator?: string;
  /** Names the glob's kind in the error message, e.g. "layer glob". */
  what?: string;
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * Compiles a glob to an anchored RegExp.
 * @example
 * ```ts
 * _globToRegExp("layer[1-3].*", { separator: "/" }).test("layer1.0.conv1"); // true
 * _globToRegExp("*", { separator: "/" }).test("backbone/conv1");             // false
 * _globToRegExp("fc*").test("fc/kernel:0");                                   // true
 * ```
 */
export function _globToRegExp(glob: string, opts: GlobOptions = {}): RegExp {
  const any = opts.separator ? `[^${escape(opts.separator)}]` : ".";
  let out = "";
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\" && i + 1 < glob.length) out += escape(glob[++i]);
    else if (c === "*" && glob[i + 1] === "*") { out += ".*"; while (glob[i + 1] === "*") i++; }
    else if (c === "*") out += `${any}*`;
    else if (c === "?") out += any;
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) { out += "\\["; continue; }
      let body = glob.slice(i + 1, end);
      const negated = body[0] === "!" || body[0] === "^";
      if (negated) body = body.slice(1);
      out += "[" + (negated ? "^" : "") + body.replace(/[\\\]^]/g, "\\$&") + "]";
      i = end;
    } else if (c === "{") { out += "(?:"; depth++; }
    else if (c === "}" && depth > 0) { out += ")"; depth--; }
    else if (c === "," && depth > 0) out += "|";
    else out += escape(c);
  }
  if (depth > 0) throw new TypeError(`Cannot compile ${opts.what ?? "glob"} "${glob}": a "{" is not closed; write {a,b}`);
  return new RegExp("^" + out + "$", "s");
}

/**
 * Splits a comma-separated list of globs, keeping commas inside `{…}` alternatives and escaped ones.
 * @example
 * ```ts
 * _splitGlobList("conv*,{bn1,bn2}"); // ["conv*", "{bn1,bn2}"]
 * ```
 */
export function _splitGlobList(text: string): string[] {
  const parts: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}" && depth > 0) depth--;
    else if (c === "," && depth === 0) { parts.push(text.slice(start, i)); start = i + 1; }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}
