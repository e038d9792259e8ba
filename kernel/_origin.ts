/**
 * Which cell started a piece of asynchronous work. Every async resource (promise, timer, socket
 * callback) created while a cell runs is tagged with that cell's run number, and the tag is
 * inherited by whatever that resource creates in turn — the same propagation as node's
 * AsyncLocalStorage, done with a public async hook so the tag can be read off the rejected
 * promise that `unhandledRejection` hands over.
 */
import { createHook, executionAsyncResource } from "node:async_hooks";

const CELL = Symbol("graft.cell");

type Tagged = Record<symbol, number | undefined>;

let enabled = false;

/** Starts tagging (idempotent); until then every origin is `undefined`. */
export function trackOrigins(): void {
  if (enabled) return;
  enabled = true;
  createHook({
    init(_id, _type, _trigger, resource) {
      const cell = (executionAsyncResource() as Tagged)[CELL];
      if (cell !== undefined) (resource as Tagged)[CELL] = cell;
    },
  }).enable();
}

/** Runs `fn` as cell run `run`: async work that `fn` starts carries that tag. */
export function runAsCell<T>(run: number, fn: () => T): T {
  const resource = executionAsyncResource() as Tagged;
  const prev = resource[CELL];
  resource[CELL] = run;
  try {
    return fn();
  } finally {
    resource[CELL] = prev;
  }
}

/**
 * The run that started the failing work: read off the rejected promise when there is one, else
 * the current execution context (an uncaught exception is reported inside its timer's context).
 */
export function originOf(promise?: unknown): number | undefined {
  const tagged = promise && typeof promise === "object" ? (promise as Tagged)[CELL] : undefined;
  return tagged ?? (executionAsyncResource() as Tagged)[CELL];
}
