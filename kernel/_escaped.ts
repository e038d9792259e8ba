/**
 * Errors that escape a cell: a rejected promise nobody handled or a throw inside a timer or
 * callback. One that the running cell started fails that cell; one started by an earlier cell
 * (or by nothing the kernel knows) never fails an innocent cell: it is shown on the stderr of the
 * running cell, or of the next cell when none runs, marked with the cell it came from.
 */
import { toCellError, type CellError } from "./executor";
import type { EscapedEvent } from "./guard";
import { originOf } from "./_origin";

interface Escaped {
  reason: unknown;
  event: EscapedEvent;
  origin: number | undefined;
}

interface Running {
  run: number;
  failures: unknown[];
  show: (text: string) => void;
  shown: number;
  dropped: number;
}

/** Shown at most this many per cell; the rest are counted. */
const MAX_SHOWN = 10;

/** Keeps the escaped errors between cells and routes them while a cell runs. */
export class EscapedErrors {
  private pending: Escaped[] = [];
  private dropped = 0;
  private running: Running | undefined;
  /** run number → the label users know it by ("In [3]"). */
  private labels = new Map<number, string>();

  /** @param render how a cell error is shown (the kernel's tracebacks: the user's own lines, library frames hidden). */
  constructor(private readonly render: (e: CellError) => CellError = (e) => e) {}

  /** Called from node's unhandledRejection / uncaughtException hooks. */
  report(reason: unknown, event: EscapedEvent, promise?: unknown): void {
    const origin = originOf(promise);
    const r = this.running;
    if (r && (origin === undefined || origin === r.run)) {
      if (r.failures.length < MAX_SHOWN) r.failures.push(reason);
    } else if (r && r.shown < MAX_SHOWN) {
      r.shown += 1;
      r.show(this.describe({ reason, event, origin }));
    } else if (r) r.dropped += 1;
    else if (this.pending.length < MAX_SHOWN) this.pending.push({ reason, event, origin });
    else this.dropped += 1;
  }

  /**
   * A cell starts: what escaped since the last one goes to `show` now. The returned `failures`
   * fills with the errors this cell's own work lets escape until `end()`.
   */
  begin(run: number, label: string, show: (text: string) => void): { failures: unknown[]; end(): void } {
    this.labels.set(run, label);
    if (this.labels.size > 1000) this.labels.delete(this.labels.keys().next().value!);
    for (const e of this.pending) show(this.describe(e));
    const running: Running = { run, failures: [], show, shown: this.pending.length, dropped: this.dropped };
    this.pending = [];
    this.dropped = 0;
    this.running = running;
    return {
      failures: running.failures,
      end: () => {
        if (this.running !== running) return;
        this.running = undefined;
        if (running.dropped > 0) show(`(${running.dropped} more errors from earlier cells were not shown)\n`);
      },
    };
  }

  private describe(e: Escaped): string {
    const err = this.render(toCellError(e.reason));
    const what = e.event === "unhandledRejection" ? "an unhandled promise rejection" : "an uncaught exception in a callback";
    const label = e.origin === undefined ? undefined : this.labels.get(e.origin);
    const from = label ? `From an earlier cell (${label})` : "From work started outside any cell";
    const frames = err.traceback.slice(1).map((l) => `${l}\n`).join("");
    return `${from}: ${what} (this cell runs on)\n${err.ename}: ${err.evalue}\n${frames}`;
  }
}
