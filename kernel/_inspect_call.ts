/**
 * Where Shift-Tab looks when the cursor is not on a name: inside a call's parentheses
 * (`f(|`, `f(a, |`, `g(f(x, |))`) the callee of the innermost open call.
 */

/**
 * The offset of the last character of the callee of the innermost call still open at `cursor`,
 * or undefined when the cursor is not inside a call's parentheses.
 * @param code the cell
 * @param cursor the cursor's offset in `code`
 * @returns an offset on the callee's name, for the compiler's quick info
 * @example
 * calleeAt("loadWeights(model, ", 19); // 10 (the "s" of loadWeights)
 */
export function calleeAt(code: string, cursor: number): number | undefined {
  const open: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < Math.min(cursor, code.length); i++) {
    const c = code[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "/" && code[i + 1] === "/") {
      const nl = code.indexOf("\n", i);
      if (nl < 0 || nl >= cursor) return undefined;
      i = nl;
    } else if (c === "/" && code[i + 1] === "*") {
      const end = code.indexOf("*/", i + 2);
      if (end < 0 || end >= cursor) return undefined;
      i = end + 1;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "[" || c === "{") open.push(i);
    else if (c === ")" || c === "]" || c === "}") open.pop();
  }
  for (let k = open.length - 1; k >= 0; k--) {
    const at = open[k];
    if (code[at] !== "(") continue;
    // Skip spaces and type arguments (`f<T>(`) back to the callee's last character.
    let j = at - 1;
    while (j >= 0 && /\s/.test(code[j])) j--;
    if (code[j] === ">") {
      let depth = 0;
      for (; j >= 0; j--) {
        if (code[j] === ">") depth++;
        else if (code[j] === "<" && --depth === 0) break;
      }
      j--;
      while (j >= 0 && /\s/.test(code[j])) j--;
    }
    if (j >= 0 && /[\w$]/.test(code[j])) return j;
    return undefined;
  }
  return undefined;
}
