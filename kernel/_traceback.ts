/**
 * Tracebacks in the user's terms, with IPython's `%xmode` levels: Minimal (the first line),
 * Plain (plus the notebook's own frames), Context (default: plus the cell's line with a caret),
 * Verbose (every frame, graft's and node's too). Cell frames are named `<cell>` and point at
 * the line and column in the cell as the user wrote it (tslab runs a compiled copy), and a
 * missing file says so with the folder relative paths start from.
 */
import vm from "node:vm";
import path from "node:path";
import type { CellError, CellExecutor } from "./executor";
import { PACKAGE_ROOT } from "./resolve";

/** IPython's exception modes. */
export const XMODES = ["Plain", "Context", "Verbose", "Minimal"] as const;
export type XMode = (typeof XMODES)[number];

interface CellCode {
  /** What ran: tslab's compiled, wrapped JavaScript. */
  wrapped: string;
  /** What the user wrote. */
  source: string;
}

const CELL_FILE = /graft-cell-(\d+)|evalmachine\.<anonymous>/;
const LIBRARY = [/\(node:|^\s+at node:/, /[\\/]node_modules[\\/]/, new RegExp(escapeRe(path.join(PACKAGE_ROOT, "dist")) + "[\\\\/]"), new RegExp(escapeRe(path.join(PACKAGE_ROOT, "kernel")) + "[\\\\/]")];
const KEEP_CELLS = 200;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const SYSTEM: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied for",
  EPERM: "operation not permitted on",
  EISDIR: "a folder, not a file:",
  ENOTDIR: "not a folder:",
};

/**
 * The first line of a file-system error in user terms, or undefined for other errors.
 * @example
 * systemMessage(Object.assign(new Error("ENOENT: …"), { code: "ENOENT", path: "x.pth" }), "/nb");
 * // { ename: "ENOENT", evalue: 'no such file "x.pth" (cwd: /nb)' }
 */
export function systemMessage(err: { code?: unknown; path?: unknown; message?: unknown }, cwd: string): { ename: string; evalue: string } | undefined {
  const code = typeof err.code === "string" ? err.code : undefined;
  if (code && SYSTEM[code] && typeof err.path === "string") return { ename: code, evalue: `${SYSTEM[code]} "${err.path}" (cwd: ${cwd})` };
  if (code === "ERR_REQUIRE_ASYNC_MODULE" || code === "ERR_REQUIRE_ESM") {
    const file = /(?:Requiring|require\(\) of ES Module) (\S+?)(?:\s|$)/.exec(String(err.message ?? ""))?.[1];
    const what = code === "ERR_REQUIRE_ASYNC_MODULE" ? "an ES module with top-level await" : `an ES module, which node ${process.version} cannot require`;
    return { ename: code, evalue: `${file ? `${file} is ` : "the package is "}${what}: a static import in a cell cannot load it (cells run as CommonJS); use \`const m = await import("…")\` instead` };
  }
  return undefined;
}

/** Rewrites node's `ENOENT: no such file or directory, open 'x'` inside a longer message. */
function rewriteInline(message: string, cwd: string): string {
  return message.replace(/\b(ENOENT|EACCES|EPERM|EISDIR|ENOTDIR): [^,]*, \w+ '([^']+)'/g, (_m, code: string, p: string) => `${code}: ${SYSTEM[code]} "${p}" (cwd: ${cwd})`);
}

/**
 * Maps a position in a cell's compiled code to the user's line and column: the code from the
 * position on is looked up in the user's lines (types are erased, so a shorter piece of it is
 * tried while none matches), the nearest match winning.
 * @returns 1-based line and column in `source`, or undefined when nothing matches
 */
export function mapPosition(cell: CellCode, line: number, column: number): { line: number; column: number } | undefined {
  const all = cell.wrapped.split("\n");
  const compiled = all[line - 1];
  // The last line calls tslab's wrapper function: not the user's code.
  if (compiled === undefined || line === all.length) return undefined;
  const users = cell.source.split("\n");
  const guess = Math.max(0, line - 3);
  let rest = compiled.slice(column - 1).trimEnd();
  while (/[\w$]/.test(rest)) {
    let best: { line: number; column: number } | undefined;
    users.forEach((u, i) => {
      const at = u.indexOf(rest);
      if (at >= 0 && (!best || Math.abs(i - guess) < Math.abs(best.line - 1 - guess))) best = { line: i + 1, column: at + 1 };
    });
    if (best) return best;
    const cut = rest.slice(0, -1).search(/[^\w$]*[\w$]*$/);
    rest = rest.slice(0, cut > 0 ? cut : rest.length - 1).trimEnd();
  }
  return undefined;
}

/** The kernel's tracebacks: the current %xmode and the code of recent cells. */
export class Tracebacks {
  mode: XMode = "Context";
  private cells = new Map<number, CellCode>();
  private next = 0;
  private running: string | undefined;

  constructor(private cwd = process.cwd()) {}

  /** Names each cell's compiled code (vm filename `graft-cell-N`) so frames can be mapped. */
  install(): this {
    const original = vm.runInThisContext;
    const self = this;
    vm.runInThisContext = function (code: string, options?: vm.RunningScriptOptions | string) {
      if (self.running !== undefined && typeof code === "string" && /^\((async )?function\(exports, require\) \{ /.test(code) && (options === undefined || (typeof options === "object" && !options.filename))) {
        const id = ++self.next;
        self.cells.set(id, { wrapped: code, source: self.running });
        self.cells.delete(id - KEEP_CELLS);
        options = { ...(options ?? {}), filename: `graft-cell-${id}` };
      }
      return original.call(vm, code, options as vm.RunningScriptOptions);
    } as typeof vm.runInThisContext;
    return this;
  }

  /** `executor` whose runs record the user's source for the code they compile. */
  wrap(executor: CellExecutor): CellExecutor {
    const run = executor.run.bind(executor);
    executor.run = async (code: string) => {
      const outer = this.running;
      this.running = code;
      try {
        return await run(code);
      } finally {
        this.running = outer;
      }
    };
    return executor;
  }

  /** `error` (from toCellError, which keeps the thrown value) rendered for the current mode. */
  render(error: CellError): CellError {
    const thrown = (error as { thrown?: unknown }).thrown as (Error & { code?: unknown; path?: unknown; error?: CellError }) | undefined;
    // A magic that ran code (%time CODE) passes the code's own error on.
    if (thrown?.name === "CellFailure" && thrown.error?.traceback) return this.render(thrown.error);
    if (!thrown || typeof thrown !== "object" || typeof thrown.stack !== "string") {
      return this.mode === "Minimal" ? { ...error, traceback: error.traceback.slice(0, 1) } : error;
    }
    const sys = systemMessage(thrown, this.cwd);
    const ename = sys?.ename ?? error.ename;
    const evalue = sys?.evalue ?? rewriteInline(error.evalue, this.cwd);
    const head = `${ename}: ${evalue}`;
    if (this.mode === "Minimal") return { ename, evalue, traceback: [head] };
    const frames = thrown.stack.split("\n").filter((l) => /^\s+at /.test(l));
    const shown: string[] = [];
    let hidden = 0;
    let context: string[] = [];
    for (const f of frames) {
      const m = CELL_FILE.exec(f);
      if (m) {
        const pos = /:(\d+):(\d+)\)?$/.exec(f);
        const cell = m[1] ? this.cells.get(Number(m[1])) : undefined;
        if (cell && pos && Number(pos[1]) === cell.wrapped.split("\n").length) {
          hidden++; // tslab's wrapper calling the cell
          continue;
        }
        const where = cell && pos ? mapPosition(cell, Number(pos[1]), Number(pos[2])) : undefined;
        const name = where ? `<cell>:${where.line}:${where.column}` : "<cell>";
        shown.push(f.replace(/(graft-cell-\d+|evalmachine\.<anonymous>)(:\d+:\d+)?/, name));
        if (!context.length && cell && where) {
          const src = cell.source.split("\n")[where.line - 1];
          const gutter = `  ${where.line} | `;
          context = [`${gutter}${src}`, `${" ".repeat(gutter.length + where.column - 1)}^`];
        }
      } else if (this.mode === "Verbose" || !LIBRARY.some((re) => re.test(f))) shown.push(f);
      else hidden++;
    }
    const note = hidden ? [`    (${hidden} frame${hidden === 1 ? "" : "s"} of graft, node or libraries hidden; %xmode verbose shows them)`] : [];
    return { ename, evalue, traceback: [head, ...shown, ...note, ...(this.mode === "Context" ? context : [])] };
  }
}
