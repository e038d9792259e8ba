/**
 * Keeps the kernel alive: a thrown value or rejected promise that escapes a cell is reported to a
 * cell, never fatal. Libraries loaded by cells may install their own fatal hooks (emscripten's
 * runtime in tfjs-backend-wasm rethrows every uncaught exception and unhandled rejection);
 * `prune()` removes them after each cell.
 */

const EVENTS = ["uncaughtException", "unhandledRejection"] as const;

/**
 * Routes both events to `report`; returns `prune`, which drops every other listener of them.
 * @example
 * const prune = installGuards((reason) => kernel.reportRejection(reason));
 * await runCell();
 * prune();
 */
export function installGuards(report: (reason: unknown) => void): () => void {
  const ours = (reason: unknown) => report(reason);
  const proc = process as unknown as NodeJS.EventEmitter;
  for (const ev of EVENTS) proc.on(ev, ours);
  return () => {
    for (const ev of EVENTS) {
      for (const l of proc.listeners(ev)) if (l !== ours) proc.removeListener(ev, l as (...a: unknown[]) => void);
    }
  };
}
