/**
 * The graft kernel's behaviour, one method per request type; the server (server.ts) only moves
 * messages. Cells run one at a time; each gets execute_input, its streams, displays, one
 * execute_result or one error, in that order.
 */
import path from "node:path";
import { toMimeBundle } from "../src/display/mime";
import { NO_RESULT } from "../src/display/display";
import { createCellExecutor, toCellError, type CellError, type CellExecutor } from "./executor";
import { History, type HistoryRequest } from "./history";
import { isComplete } from "./is_complete";
import { inspectAt } from "./_inspect";
import { isPublicName } from "./_public";
import { Tracebacks } from "./_traceback";
import { kernelLog, setOutputTarget, type IopubSend } from "./output";
import { preludeSource, PRELUDE_NAMES } from "./prelude";
import { PACKAGE_ROOT, graftLib } from "./resolve";
import { splitMagics } from "./magics/parse";
import { MagicRegistry, type MagicContext } from "./magics/registry";
import { UsageError } from "./magics/usage";
import { defaultMagics } from "./magics/all";
import { EscapedErrors } from "./_escaped";
import { runAsCell } from "./_origin";
import { rearmSigint } from "./_sigint";
import type { EscapedEvent } from "./guard";

const pkg = require(path.join(PACKAGE_ROOT, "package.json")) as { version: string };

/** A cell that mentions graft or a prelude name needs the prelude cell first. */
const PRELUDE_USE = new RegExp(`\\b(graft|${PRELUDE_NAMES.join("|")})\\b`);

/** execute_reply content. */
type ExecuteReply = Record<string, unknown> & { status: "ok" | "error" | "aborted"; execution_count: number };

export class GraftKernel {
  readonly executor: CellExecutor;
  /** %xmode and the mapping of cell frames to the user's lines. */
  readonly tracebacks: Tracebacks;
  readonly history = new History();
  readonly magics: MagicRegistry;
  private count = 0;
  private running = false;
  private runs = 0;
  private waiting = false;
  private interruptWaiting = false;
  /** Shown on the next cell's stderr, once (e.g. why the previous kernel process died). */
  readonly notices: string[] = [];
  /** Told when a cell starts and ends; main.ts keeps it for the next process (_last_words.ts). */
  watch: { running(label: string, code: string): void; idle(): void } = { running() {}, idle() {} };
  private readonly escaped = new EscapedErrors((e) => this.tracebacks.render(e));
  private preludeError: CellError | undefined;
  private prelude: Promise<void>;
  /** Removes fatal process hooks that libraries install (see guard.ts); set by main.ts. */
  pruneGuards: () => void = () => {};

  constructor(cwd = process.cwd()) {
    this.tracebacks = new Tracebacks(cwd).install();
    this.executor = this.tracebacks.wrap(createCellExecutor(cwd));
    this.magics = defaultMagics();
    this.prelude = Promise.resolve();
  }

  /**
   * The prelude, in two steps. At start: graft is loaded and its tfjs backend made ready (fast).
   * The prelude cell, which gives cells graft's names and types, costs the TypeScript compiler
   * seconds (tfjs's declarations), so it runs before the first cell that uses one of those
   * names, or as soon as the kernel is idle — a first cell like `1 + 1` does not wait for it.
   */
  startPrelude(): Promise<void> {
    setOutputTarget(() => {});
    this.prelude = (async () => {
      try {
        await graftLib().ready();
      } catch (err) {
        this.preludeError = toCellError(err);
        kernelLog(`graft failed to load: ${this.preludeError.ename}: ${this.preludeError.evalue}`);
      }
      this.pruneGuards();
    })();
    this.scheduleTypes(1000);
    return this.prelude;
  }

  private types: Promise<void> | undefined;

  /** Runs the prelude cell once (names and types of graft in scope). */
  private ensureTypes(): Promise<void> {
    return (this.types ??= (async () => {
      await this.prelude;
      setOutputTarget(() => {});
      try {
        const out = await this.executor.run(preludeSource());
        if (!out.ok) this.preludeError = out.error;
      } catch (err) {
        this.preludeError = toCellError(err);
      }
      this.pruneGuards();
      if (this.preludeError) kernelLog(`prelude failed: ${this.preludeError.ename}: ${this.preludeError.evalue}`);
    })());
  }

  /** Runs the prelude cell after `ms` if no cell is running then (it blocks the thread while compiling). */
  private scheduleTypes(ms: number): void {
    if (this.types) return;
    setTimeout(() => {
      if (this.running || this.waiting) this.scheduleTypes(ms);
      else this.ensureTypes();
    }, ms).unref();
  }

  kernelInfo(): Record<string, unknown> {
    let engine = "not initialised";
    try {
      const e = graftLib().engine();
      engine = `${e.backend} (${e.reason})`;
    } catch {
      // graft not built: the banner says so
    }
    return {
      status: "ok",
      protocol_version: "5.3",
      implementation: "graft",
      implementation_version: pkg.version,
      language_info: {
        name: "typescript",
        version: require(require.resolve("@tslab/typescript-for-tslab/package.json", { paths: [path.dirname(require.resolve("tslab/package.json"))] })).version,
        mimetype: "text/typescript",
        file_extension: ".ts",
        pygments_lexer: "typescript",
        codemirror_mode: { mode: "typescript", name: "javascript", typescript: true },
      },
      banner: `graft ${pkg.version}: TypeScript for transfer learning with TensorFlow.js on node ${process.version}; engine ${engine}. %lsmagic lists magics; the README is ${path.join(PACKAGE_ROOT, "README.md")}.`,
      // No help links: the kernel has no web site, and browsers refuse a file:// link from the
      // notebook's page; the banner names the README shipped in the package instead.
      help_links: [],
    };
  }

  /**
   * Called by node's unhandledRejection / uncaughtException hooks: an error that the running
   * cell's own work let escape fails that cell; one from an earlier cell is shown on the stderr
   * of the running cell, or of the next one.
   */
  reportEscaped(reason: unknown, event: EscapedEvent, promise?: unknown): void {
    this.escaped.report(reason, event, promise);
  }

  async execute(req: { code: string; silent?: boolean; store_history?: boolean }, send: IopubSend): Promise<ExecuteReply> {
    const silent = !!req.silent;
    const store = req.store_history ?? !silent;
    const quiet: IopubSend = silent ? () => {} : send;
    this.waiting = true;
    let count: number;
    let label: string;
    try {
      await this.prelude;
      if (this.types || PRELUDE_USE.test(req.code)) await this.ensureTypes();
      if (store) this.count += 1;
      count = this.count;
      label = store ? `In [${count}]` : "a silent execution";
      this.watch.running(label, req.code);
      quiet("execute_input", { code: req.code, execution_count: count });
      // One turn of the event loop before the cell: execute_input goes out even when the cell
      // is a synchronous loop, and a SIGINT that came while the prelude held this thread is
      // handled (interrupt() below) before the cell starts.
      await new Promise((res) => setImmediate(res));
    } finally {
      this.waiting = false;
    }
    setOutputTarget(quiet);
    const fail = (raw: CellError): ExecuteReply => {
      const error = this.tracebacks.render(raw);
      quiet("error", { ...error });
      if (store) this.history.add(count, req.code, null);
      return { status: "error", execution_count: count, ...error, user_expressions: {}, payload: [] };
    };
    if (this.preludeError) {
      const e = this.preludeError;
      this.preludeError = undefined;
      quiet("stream", { name: "stderr", text: `graft's prelude failed, graft names are not in scope: ${e.ename}: ${e.evalue}\n` });
    }
    const stderr = (text: string) => quiet("stream", { name: "stderr", text });
    for (const text of this.notices.splice(0)) stderr(text);
    if (this.interruptWaiting) {
      this.interruptWaiting = false;
      this.watch.idle();
      return fail(toCellError(new Error("Interrupted asynchronously")));
    }
    const run = ++this.runs;
    const escaped = this.escaped.begin(run, label, stderr);
    const payload: Array<Record<string, unknown>> = [];
    this.running = true;
    try {
      // IPython's `name?` opens the pager like `%help name`.
      const asked = /^\s*%?([A-Za-z_$][\w$.]*)\?\s*$/.exec(req.code);
      const cell = splitMagics(asked ? `%help ${asked[1]}` : req.code, this.magics);
      const ctx: MagicContext = { executor: this.executor, send: quiet, payload, registry: this.magics, tracebacks: this.tracebacks };
      // Once the cell's synchronous part (run under breakOnSigint) is over, SIGINT is ours again.
      setImmediate(rearmSigint);
      const outcome = await runAsCell(run, () => this.magics.runCell(cell, ctx, () => this.executor.run(cell.masked)));
      // A rejection the cell left unhandled is reported once the microtask queue drains.
      await new Promise((res) => setImmediate(res));
      if (escaped.failures.length && outcome.ok) return fail(toCellError(escaped.failures[0]));
      if (!outcome.ok) return fail(outcome.error);
      let output: string | null = null;
      const shown = outcome.hasValue && !(outcome.value && (outcome.value as Record<symbol, unknown>)[NO_RESULT]);
      if (shown && !silent) {
        const data = toMimeBundle(outcome.value);
        output = String(data["text/plain"]);
        send("execute_result", { execution_count: count, data, metadata: {} });
      }
      if (store) this.history.add(count, req.code, output);
      return { status: "ok", execution_count: count, payload, user_expressions: {} };
    } catch (err) {
      if (err instanceof UsageError) return fail({ ename: "UsageError", evalue: err.message, traceback: [`UsageError: ${err.message}`] });
      return fail(toCellError(err));
    } finally {
      this.pruneGuards();
      this.running = false;
      this.watch.idle();
      escaped.end();
      this.scheduleTypes(100);
    }
  }

  complete(code: string, cursor: number): Record<string, unknown> {
    this.scheduleTypes(0);
    const magic = this.magics.complete(code, cursor);
    if (magic) return { status: "ok", ...magic, metadata: {} };
    const masked = splitMagics(code, this.magics, { lenient: true }).masked;
    try {
      const info = this.executor.complete(masked, cursor);
      const typed = masked.slice(info.start, cursor);
      const matches = info.candidates.filter((name) => isPublicName(name, typed));
      return { status: "ok", matches, cursor_start: info.start, cursor_end: info.end, metadata: {} };
    } catch (err) {
      kernelLog(`complete failed: ${String(err)}`);
      return { status: "ok", matches: [], cursor_start: cursor, cursor_end: cursor, metadata: {} };
    }
  }

  inspect(code: string, cursor: number): Record<string, unknown> {
    this.scheduleTypes(0);
    const help = this.magics.inspect(code, cursor);
    if (help) return { status: "ok", found: true, data: { "text/plain": help }, metadata: {} };
    const masked = splitMagics(code, this.magics, { lenient: true }).masked;
    let data: Record<string, string> | undefined;
    try {
      data = inspectAt(this.executor, masked, cursor);
    } catch (err) {
      kernelLog(`inspect failed: ${String(err)}`);
    }
    if (!data) return { status: "ok", found: false, data: {}, metadata: {} };
    return { status: "ok", found: true, data, metadata: {} };
  }

  isComplete(code: string): Record<string, unknown> {
    return { ...isComplete(code) };
  }

  historyQuery(req: HistoryRequest): Record<string, unknown> {
    return { status: "ok", history: this.history.query(req) };
  }

  /**
   * Interrupts an awaited cell; a synchronous loop is broken by SIGINT itself (breakOnSigint).
   * @param opts runningOnly: leave a cell that waits for the prelude alone
   */
  interrupt(opts: { runningOnly?: boolean } = {}): void {
    if (!this.running) {
      // The cell was sent but waits for the prelude: it is interrupted before it starts.
      if (this.waiting && !opts.runningOnly) this.interruptWaiting = true;
      return;
    }
    for (const v of Object.values(this.executor.locals)) {
      // A running fit stops at the end of its current batch (compiled models only: tfjs throws otherwise).
      if (v && typeof v === "object" && Array.isArray((v as { layers?: unknown }).layers) && (v as { optimizer?: unknown }).optimizer) {
        try {
          (v as { stopTraining: boolean }).stopTraining = true;
        } catch {
          // not a model after all
        }
      }
    }
    this.executor.interrupt();
  }

  close(): void {
    this.executor.close();
  }
}
