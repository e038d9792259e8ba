/**
 * Finds the leading block of `%`/`%%` lines of a cell and masks it with spaces of equal length,
 * so the TypeScript compiler sees the same offsets (completion, inspect and diagnostics line up).
 */
import { UsageError } from "./usage";

/** One magic line: `%name args` (line magic) or `%%name args` (cell magic, first line only). */
export interface MagicLine {
  name: string;
  args: string;
  cell: boolean;
  /** 0-based line in the cell. */
  line: number;
}

export interface SplitCell {
  magics: MagicLine[];
  /** The cell with every magic line replaced by spaces (newlines kept). */
  masked: string;
}

/** What the splitter needs to know about magics. */
export interface MagicNames {
  has(name: string, cell: boolean): boolean;
}

const MAGIC_LINE = /^(\s*)(%%?)([A-Za-z_][\w-]*)?(.*)$/;

/**
 * @example
 * splitMagics("%engine\nconst x = 1;", { has: (name) => name === "engine" });
 * // { magics: [{ name: "engine", args: "", cell: false, line: 0 }], masked: "       \nconst x = 1;" }
 */
export function splitMagics(code: string, names: MagicNames, opts: { lenient?: boolean } = {}): SplitCell {
  const lines = code.split("\n");
  const magics: MagicLine[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const m = MAGIC_LINE.exec(lines[i]);
    if (!m || !m[2]) break;
    const cell = m[2] === "%%";
    const name = m[3] ?? "";
    if (!opts.lenient) {
      if (!name) throw new UsageError(`"${lines[i].trim()}" is not a magic; %lsmagic lists them`);
      if (cell && i > 0) throw new UsageError(`%%${name} must be the first line of the cell`);
      if (!names.has(name, cell)) {
        const other = names.has(name, !cell) ? `; did you mean ${cell ? "%" : "%%"}${name}?` : "; %lsmagic lists them";
        throw new UsageError(`unknown ${cell ? "cell" : "line"} magic ${m[2]}${name}${other}`);
      }
    }
    magics.push({ name, args: m[4].trim(), cell, line: i });
    lines[i] = " ".repeat(lines[i].length);
  }
  return { magics, masked: lines.join("\n") };
}
