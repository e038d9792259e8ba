/**
 * One argument spec per magic: it parses the magic's line and writes its usage string, so `%help`,
 * `%lsmagic`, completion and error messages can never disagree with the parser.
 */
import { UsageError } from "./usage";

export interface ArgSpec {
  /** Positional arguments, in order: `FILE`, `PATTERN`; `optional` ones may be left out. */
  positional?: Array<{ name: string; optional?: boolean; rest?: boolean }>;
  /** Optional `WORD VALUE` pairs after the positionals: `into MODEL`, `on MODEL`. */
  keyword?: Array<{ word: string; name: string }>;
  /** `--strict`: booleans. */
  flags?: string[];
  /** `--skip PATTERN`: valued options; `repeat` collects several into an array. */
  options?: Array<{ flag: string; value: string; repeat?: boolean }>;
  /** The whole line, unparsed, under this name (`%npm ARGS…` hands its line to npm). */
  raw?: string;
}

export type ParsedArgs = Record<string, string | string[] | boolean | undefined>;

/** `FILE [into MODEL] [--strict] [--skip PATTERN]…` */
export function usageOf(name: string, spec: ArgSpec): string {
  const parts = [name];
  if (spec.raw) parts.push(`[${spec.raw}…]`);
  for (const p of spec.positional ?? []) parts.push(p.rest ? `[${p.name}…]` : p.optional ? `[${p.name}]` : p.name);
  for (const k of spec.keyword ?? []) parts.push(`[${k.word} ${k.name}]`);
  for (const f of spec.flags ?? []) parts.push(`[--${f}]`);
  for (const o of spec.options ?? []) parts.push(`[--${o.flag} ${o.value}]`);
  return parts.join(" ");
}

/** Splits like a shell: spaces separate, quotes group, no expansion. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m; (m = re.exec(line)); ) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3]));
  return out;
}

/**
 * Parses `line` against `spec`; keys are the spec's names in camelCase of the lower-cased name
 * (`FILE` → `file`, `--dry-run` → `dryRun`).
 * @example
 * parseArgs("%freeze", "conv* on net", { positional: [{ name: "PATTERN" }], keyword: [{ word: "on", name: "MODEL" }] });
 * // { pattern: "conv*", model: "net" }
 */
export function parseArgs(magic: string, line: string, spec: ArgSpec): ParsedArgs {
  const usage = `usage: ${usageOf(magic, spec)}`;
  const fail = (what: string): never => {
    throw new UsageError(`${magic}: ${what}; ${usage}`);
  };
  const key = (s: string) => s.toLowerCase().replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const out: ParsedArgs = {};
  if (spec.raw) return { [key(spec.raw)]: line };
  const positionals: string[] = [];
  const tokens = tokenize(line);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.startsWith("--")) {
      const flag = t.slice(2);
      if (spec.flags?.includes(flag)) {
        out[key(flag)] = true;
        continue;
      }
      const opt = spec.options?.find((o) => o.flag === flag);
      if (!opt) fail(`unknown option ${t}`);
      const value = tokens[++i];
      if (value === undefined) fail(`${t} needs a value ${opt!.value}`);
      if (opt!.repeat) out[key(flag)] = [...((out[key(flag)] as string[]) ?? []), value];
      else out[key(flag)] = value;
      continue;
    }
    const kw = spec.keyword?.find((k) => k.word === t);
    if (kw && i > 0) {
      const value = tokens[++i];
      if (value === undefined) fail(`"${t}" needs a ${kw.name}`);
      out[key(kw.name)] = value;
      continue;
    }
    positionals.push(t);
  }
  const pos = spec.positional ?? [];
  for (let i = 0; i < pos.length; i++) {
    const p = pos[i];
    if (p.rest) {
      out[key(p.name)] = positionals.slice(i).join(" ");
      positionals.length = i;
      break;
    }
    if (positionals[i] === undefined) {
      if (!p.optional) fail(`missing ${p.name}`);
      continue;
    }
    out[key(p.name)] = positionals[i];
  }
  if (positionals.length > pos.length) fail(`unexpected argument "${positionals[pos.length]}"`);
  return out;
}
