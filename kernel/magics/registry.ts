/**
 * The magic registry: one spec per magic drives parsing, usage errors, %lsmagic, %help and
 * completion. It belongs to one kernel (no module-level state).
 */
import { parseArgs, usageOf, type ArgSpec, type ParsedArgs } from "./args";
import type { MagicLine, MagicNames, SplitCell } from "./parse";
import type { CellExecutor, CellOutcome } from "../executor";
import type { IopubSend } from "../output";
import type { Tracebacks } from "../_traceback";
import { toMimeBundle } from "../../src/display/mime";

/** What a magic can reach: the notebook's variables, the cell's output, the pager. */
export interface MagicContext {
  executor: CellExecutor;
  send: IopubSend;
  /** execute_reply payloads (`{source: "page", data}` opens the pager). */
  payload: Array<Record<string, unknown>>;
  registry: MagicRegistry;
  /** The kernel's tracebacks (%xmode sets their mode). */
  tracebacks?: Tracebacks;
}

export interface MagicSpec {
  name: string;
  /** "line": `%name`, "cell": `%%name` (first line; the rest of the cell is its body), "both". */
  kind: "line" | "cell" | "both";
  summary: string;
  args: ArgSpec;
  /** Runs the magic; a returned value other than undefined is displayed. `runBody` runs the cell. */
  run(args: ParsedArgs, ctx: MagicContext, runBody: () => Promise<CellOutcome>): Promise<unknown> | unknown;
  /** Wraps the cell's code (e.g. %time) instead of running before it. */
  wrapsCell?: boolean;
}

export class MagicRegistry implements MagicNames {
  private specs = new Map<string, MagicSpec>();

  add(spec: MagicSpec): this {
    this.specs.set(spec.name, spec);
    return this;
  }

  get(name: string): MagicSpec | undefined {
    return this.specs.get(name);
  }

  has(name: string, cell: boolean): boolean {
    const s = this.specs.get(name);
    return !!s && (s.kind === "both" || s.kind === (cell ? "cell" : "line"));
  }

  all(): MagicSpec[] {
    return [...this.specs.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** `%name ARGS…` (or `%%name` for cell-only magics). */
  usage(spec: MagicSpec): string {
    return usageOf(`${spec.kind === "cell" ? "%%" : "%"}${spec.name}`, spec.args);
  }

  /** The help text of one magic: usage and summary. */
  help(spec: MagicSpec): string {
    const forms = spec.kind === "both" ? `${this.usage(spec)}\n%%${spec.name} (first line of a cell)` : this.usage(spec);
    return `${forms}\n\n${spec.summary}`;
  }

  /**
   * Runs the cell: line magics in order, then the code (wrapped by a %time-like magic if any).
   * A magic's result is displayed; the code's outcome is returned.
   */
  async runCell(cell: SplitCell, ctx: MagicContext, runCode: () => Promise<CellOutcome>): Promise<CellOutcome> {
    const hasCode = cell.masked.trim().length > 0;
    let body: () => Promise<CellOutcome> = hasCode ? runCode : async () => ({ ok: true, hasValue: false });
    const parsed = cell.magics.map((m) => ({ m, spec: this.specs.get(m.name)!, args: this.parse(m) }));
    for (const { spec, args } of parsed.filter((p) => p.spec.wrapsCell && (p.m.cell || p.m.args === ""))) {
      const inner = body;
      body = async () => (await spec.run(args, ctx, inner)) as CellOutcome;
    }
    for (const { m, spec, args } of parsed) {
      if (spec.wrapsCell && (m.cell || m.args === "")) continue;
      const result = await spec.run(args, ctx, body);
      if (result !== undefined) show(ctx, result);
    }
    return body();
  }

  private parse(m: MagicLine): ParsedArgs {
    const spec = this.specs.get(m.name)!;
    return parseArgs(`${m.cell ? "%%" : "%"}${m.name}`, m.args, spec.args);
  }

  /** Magic-name completion when the cursor is in a `%word` at the start of a line. */
  complete(code: string, cursor: number): { matches: string[]; cursor_start: number; cursor_end: number } | undefined {
    const lineStart = code.lastIndexOf("\n", cursor - 1) + 1;
    const before = code.slice(lineStart, cursor);
    const m = /^(\s*)(%%?)([\w-]*)$/.exec(before);
    if (!m) return undefined;
    const cell = m[2] === "%%";
    const matches = this.all()
      .filter((s) => s.name.startsWith(m[3]) && (s.kind === "both" || s.kind === (cell ? "cell" : "line")))
      .map((s) => `${m[2]}${s.name}`);
    return { matches, cursor_start: lineStart + m[1].length, cursor_end: cursor };
  }

  /** Help for the magic under the cursor (inspect_request), if the cursor is on a magic line. */
  inspect(code: string, cursor: number): string | undefined {
    const lineStart = code.lastIndexOf("\n", cursor - 1) + 1;
    const lineEnd = code.indexOf("\n", cursor);
    const line = code.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
    const m = /^\s*%%?([\w-]+)/.exec(line);
    const spec = m && this.specs.get(m[1]);
    return spec ? this.help(spec) : undefined;
  }
}

function show(ctx: MagicContext, value: unknown): void {
  ctx.send("display_data", { data: toMimeBundle(value), metadata: {}, transient: {} });
}
