/** Word wrapping for the magics' plain-text listings: breaks only at spaces, never cuts a word. */

/**
 * Wraps `words` (units that must stay whole) into lines of at most `width` columns; a unit
 * longer than a line gets a line of its own (never cut).
 * @param words the units, joined by single spaces
 * @param width the maximum line length, indent included
 * @param indent the first line's indent and the continuation lines' indent
 * @returns the lines
 * @example
 * wrapWords(["aaa", "bbb", "ccc"], 8, ["", "  "]); // ["aaa bbb", "  ccc"]
 */
export function wrapWords(words: string[], width: number, indent: [string, string] = ["", ""]): string[] {
  const lines: string[] = [];
  let line = indent[0];
  let empty = true;
  for (const w of words) {
    if (!empty && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent[1] + w;
    } else line += (empty ? "" : " ") + w;
    empty = false;
  }
  if (!empty) lines.push(line);
  return lines;
}

/**
 * A usage line's units: words, with bracketed groups (`[--skip PATTERN]`) kept whole.
 * @example
 * usageUnits("%freeze PATTERN [on MODEL]"); // ["%freeze", "PATTERN", "[on MODEL]"]
 */
export function usageUnits(usage: string): string[] {
  return usage.match(/\[[^\]]*\]|\S+/g) ?? [];
}
