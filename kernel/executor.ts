/**
 * tslab's executor with a capturing console: instead of printing, each cell yields an outcome —
 * its last value (for `execute_result`) or one error (ename/evalue/traceback) for a thrown value,
 * an interrupt, or TypeScript diagnostics with line and column in the cell.
 */
import { createExecutor, Executor } from "tslab/dist/executor";
import { createConverter } from "tslab/dist/converter";
import { hasTopLevelAwait } from "./_await";

/** An error in Jupyter's shape. */
export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** What one cell did. `hasValue` is false when the last statement was not a non-null expression. */
export type CellOutcome = { ok: true; hasValue: boolean; value?: unknown } | { ok: false; error: CellError };

/** The kernel's view of tslab's executor. */
export interface CellExecutor {
  run(code: string): Promise<CellOutcome>;
  complete: Executor["complete"];
  inspect: Executor["inspect"];
  interrupt(): void;
  /** The notebook's top-level variables. */
  locals: Record<string, any>;
  /** Drops the compiler; the next cell gets a fresh one that sees packages installed since. */
  reloadTypes(): void;
  close(): void;
}

interface Capture {
  value?: unknown;
  hasValue: boolean;
  diagnostics: Array<{ file: string; line: number; column: number; text: string }>;
  thrown: unknown[];
}

/**
 * Creates the executor rooted at `cwd` (where relative imports of cells resolve).
 * @example
 * const ex = createCellExecutor(process.cwd());
 * const out = await ex.run("6 * 7"); // { ok: true, hasValue: true, value: 42 }
 */
export function createCellExecutor(cwd: string): CellExecutor {
  let node: ReturnType<typeof createConverter> | undefined;
  let browser: ReturnType<typeof createConverter> | undefined;
  const convs = {
    get node() {
      return (node ??= awaitAware(createConverter({ isJS: false, isBrowser: false })));
    },
    get browser() {
      return (browser ??= createConverter({ isJS: false, isBrowser: true }));
    },
    close() {
      node?.close();
      browser?.close();
    },
  };
  let cap: Capture = fresh();
  const executor = createExecutor(cwd, convs, {
    log(value?: unknown) {
      cap.value = value;
      cap.hasValue = true;
    },
    error(first?: unknown, ...rest: unknown[]) {
      if (first === "%s%d:%d - %s") {
        const [file, line, column, text] = rest as [string, number, number, string];
        cap.diagnostics.push({ file, line, column, text });
      } else cap.thrown.push(first);
    },
  });
  convs.node; // warm the compiler now, not on the first cell

  async function run(code: string): Promise<CellOutcome> {
    cap = fresh();
    let ok: boolean;
    try {
      ok = await executor.execute(code);
    } catch (err) {
      cap.thrown.push(err);
      ok = false;
    }
    const c = cap;
    cap = fresh();
    if (c.diagnostics.length > 0) return { ok: false, error: diagnosticsError(code, c.diagnostics) };
    if (!ok || c.thrown.length > 0) return { ok: false, error: toCellError(c.thrown[0]) };
    return { ok: true, hasValue: c.hasValue, value: c.value };
  }

  return {
    run,
    complete: (src, pos) => executor.complete(src, pos),
    inspect: (src, pos) => executor.inspect(src, pos),
    interrupt: () => executor.interrupt(),
    locals: executor.locals,
    reloadTypes: () => {
      convs.close();
      node = browser = undefined;
    },
    close: () => executor.close(),
  };
}

/** tslab's converter, with every top-level `await` sending the cell to the async wrapper (_await.ts). */
function awaitAware(conv: ReturnType<typeof createConverter>): ReturnType<typeof createConverter> {
  const convert = conv.convert.bind(conv);
  conv.convert = (prevDecl, src) => {
    const out = convert(prevDecl, src);
    if (out.output && !out.hasToplevelAwait && hasTopLevelAwait(out.output)) out.hasToplevelAwait = true;
    return out;
  };
  return conv;
}

function fresh(): Capture {
  return { hasValue: false, diagnostics: [], thrown: [] };
}

function diagnosticsError(code: string, diags: Capture["diagnostics"]): CellError {
  const lines = code.split("\n");
  const first = diags[0];
  const where = (d: Capture["diagnostics"][0]) => `${d.file ? d.file + " " : ""}line ${d.line}, column ${d.column}`;
  const traceback: string[] = [];
  for (const d of diags) {
    traceback.push(`TypeScript error at ${where(d)}: ${d.text}`);
    const src = d.file ? undefined : lines[d.line - 1];
    if (src !== undefined) traceback.push(`  ${src}`, `  ${" ".repeat(Math.max(0, d.column - 1))}^`);
  }
  const more = diags.length > 1 ? ` (and ${diags.length - 1} more)` : "";
  return { ename: "TypeScriptError", evalue: `${where(first)}: ${first.text}${more}`, traceback };
}

const INTERRUPTS = ["Interrupted asynchronously", "Script execution was interrupted by `SIGINT`"];

/**
 * Turns any thrown value into Jupyter's error triple; stack frames of the kernel machinery are
 * dropped and the cell's frames are named `<cell>`.
 * @example
 * toCellError(new RangeError("bad")).ename; // "RangeError"
 */
export function toCellError(thrown: unknown): CellError {
  if (thrown instanceof Error || (thrown && typeof thrown === "object" && "message" in thrown)) {
    const e = thrown as Error & { code?: string };
    if (INTERRUPTS.some((m) => e.message?.startsWith(m)) || e.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") {
      return { ename: "KeyboardInterrupt", evalue: "interrupted", traceback: ["KeyboardInterrupt: the cell was interrupted"] };
    }
    const ename = e.name || e.constructor?.name || "Error";
    const evalue = String(e.message ?? "");
    const frames = String(e.stack ?? "")
      .split("\n")
      .filter((l) => /^\s+at /.test(l))
      .filter((l) => !/node:vm|node:internal|tslab[\\/]dist|[\\/]kernel[\\/]/.test(l))
      .map((l) => l.replace(/evalmachine\.<anonymous>/g, "<cell>"));
    const out = { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frames] };
    // Kept, not sent (non-enumerable): the kernel re-renders the traceback for %xmode.
    Object.defineProperty(out, "thrown", { value: thrown, enumerable: false });
    return out;
  }
  const evalue = typeof thrown === "string" ? thrown : safeString(thrown);
  return { ename: "Thrown", evalue, traceback: [`Uncaught ${evalue}`] };
}

function safeString(x: unknown): string {
  try {
    return require("node:util").inspect(x);
  } catch {
    return String(x);
  }
}
