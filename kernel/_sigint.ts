/**
 * Keeps SIGINT reaching the kernel's listener. A cell runs under node's `breakOnSigint`, whose
 * watchdog swaps the process's SIGINT handler while the script runs; node re-adds the JS
 * listeners afterwards. Under jupyter_client, about one awaited cell in two then never saw its
 * interrupt: the signal was caught (the process's caught-signal mask says so) but neither woke
 * the event loop nor reached the listener, whose libuv watcher was still active — the handler
 * left installed was not libuv's. Removing and re-adding the listeners makes libuv install its
 * handler afresh; with it, 8 of 8 such interrupts arrived (4 of 8 without).
 */

/**
 * Re-installs the process's SIGINT listeners (and with them libuv's signal handler).
 * @example
 * setImmediate(rearmSigint); // once the cell's synchronous part has run
 */
export function rearmSigint(): void {
  const listeners = process.rawListeners("SIGINT") as Array<(...a: unknown[]) => void>;
  if (listeners.length === 0) return;
  process.removeAllListeners("SIGINT");
  for (const l of listeners) process.on("SIGINT", l);
}
