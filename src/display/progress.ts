/**
 * A byte-progress bar for long reads (checkpoint loads): one output updated in place, at most a
 * few times a second, ending in a one-line summary; plain lines on stderr outside the kernel.
 */
import { kernelBridge } from "./bridge";
import { display, type DisplayHandle } from "./display";

const PERIOD_MS = 250;

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0)} MB`;
}

function bundle(label: string, done: number, total: number, elapsedMs: number, finished: boolean) {
  const pct = total > 0 ? Math.min(100, (100 * done) / total) : 100;
  const text = finished
    ? `${label}: ${mb(done)} in ${(elapsedMs / 1000).toFixed(2)} s`
    : `${label}: ${mb(done)} of ${mb(total)} (${pct.toFixed(0)} %)`;
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const bar = finished ? "" : `<progress value="${done}" max="${Math.max(total, 1)}" style="width: 20em; vertical-align: middle"></progress> `;
  return { "text/plain": text, "text/html": `<div class="graft-progress">${bar}<span>${escaped}</span></div>` };
}

/** The callback {@link progressBar} returns, plus `done()` to show the final line. */
export interface ProgressReporter {
  (doneBytes: number, totalBytes: number): void;
  /** Shows the final summary (also shown when the reported bytes reach the total). */
  done(): void;
}

/**
 * A progress reporter for `onProgress(doneBytes, totalBytes)` callbacks.
 * @param label what is being read, e.g. the file name
 * @returns a reporter to pass as `onProgress`
 * @example
 * ```ts
 * const progress = progressBar("resnet50.pth");
 * await loadWeights(model, "resnet50.pth", { onProgress: progress });
 * progress.done();
 * ```
 */
export function progressBar(label: string): ProgressReporter {
  const start = performance.now();
  let handle: DisplayHandle | undefined;
  let last = 0, done = 0, total = 0, finished = false;
  const inKernel = !!kernelBridge();
  const show = (final: boolean) => {
    const b = bundle(label, done, total, performance.now() - start, final);
    if (!inKernel) {
      process.stderr.write(`\r${b["text/plain"]}${final ? "\n" : ""}`);
      return;
    }
    if (handle) handle.update(b, { raw: true });
    else handle = display(b, { raw: true });
  };
  const report = ((d: number, t: number) => {
    if (finished) return;
    done = d;
    total = t;
    const now = performance.now();
    if (d >= t) return report.done();
    if (now - last >= PERIOD_MS) {
      last = now;
      show(false);
    }
  }) as ProgressReporter;
  report.done = () => {
    if (finished) return;
    finished = true;
    show(true);
  };
  return report;
}
