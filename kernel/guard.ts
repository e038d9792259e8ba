/**
 * Keeps the kernel alive: a thrown value or rejected promise that escapes a cell is reported to a
 * cell, never fatal. Libraries loaded by cells may install their own fatal hooks (emscripten's
 * runtime in tfjs-backend-wasm rethrows every uncaught exception and unhandled rejection);
 * `prune()` removes them after each cell.
 */

const EVENTS = ["uncaughtException", "unhandledRejection"] as const;

/** Which event it was; `promise` is the rejected promise (unhandledRejection only). */
export type EscapedEvent = (typeof EVENTS)[number];

/**
 * Routes both events to `report`; returns `prune`, which drops every other listener of them.
 * @example
 * const prune = installGuards((reason, event) => console.error(`${event}:`, reason));
 * setTimeout(() => { throw new Error("late"); }, 0); // reported, the process lives on
 * await new Promise((resolve) => setTimeout(resolve, 10));
 * prune();
 */
export function installGuards(report: (reason: unknown, event: EscapedEvent, promise?: unknown) => void): () => void {
  const proc = process as unknown as NodeJS.EventEmitter;
  const ours = new Map<EscapedEvent, (...a: unknown[]) => void>();
  for (const ev of EVENTS) {
    const l = (reason: unknown, promise?: unknown) => report(reason, ev, ev === "unhandledRejection" ? promise : undefined);
    ours.set(ev, l);
    proc.on(ev, l);
  }
  return () => {
    for (const ev of EVENTS) {
      for (const l of proc.listeners(ev)) if (l !== ours.get(ev)) proc.removeListener(ev, l as (...a: unknown[]) => void);
    }
  };
}
