/**
 * Where the notebook's output goes: process.stdout/stderr, tslab's display API and graft's
 * kernel bridge all write to the *current* cell's iopub sink. As in IPython, output written after
 * a cell ended (timers, unawaited promises) goes to the last cell that ran.
 */
import { BRIDGE_KEY, type KernelBridge, type DisplayRequest } from "../src/display/bridge";

/** Sends one iopub message of `msgType` with `content`, parented to the running cell. */
export type IopubSend = (msgType: string, content: Record<string, unknown>) => void;

let current: IopubSend | undefined;
/** Bumped when the running cell's outputs may have been emptied: a new cell, clear_output. */
let generation = 0;
const original = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
const decoder = new TextDecoder();

/** The kernel's own log line, on the real stderr (the Jupyter server's log), never in a cell. */
export function kernelLog(text: string): void {
  original.stderr(`[graft kernel] ${text}\n`);
}

/** Makes `send` the sink of everything the notebook prints or displays from now on. */
export function setOutputTarget(send: IopubSend): void {
  current = send;
  generation++;
  try {
    // tslab's own display API (import * as tslab from "tslab") reads this variable.
    require("tslab/dist/jupyter").lastWriteDisplayData = (data: Record<string, unknown>, update: boolean) =>
      send(update ? "update_display_data" : "display_data", data);
  } catch {
    // tslab's display API unavailable: graft's display still works
  }
}

function redirect(name: "stdout" | "stderr"): void {
  const stream = process[name];
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown): boolean => {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk);
    if (current) current("stream", { name, text });
    else original[name](text);
    const done = typeof encoding === "function" ? encoding : cb;
    if (typeof done === "function") done();
    return true;
  }) as typeof stream.write;
}

/**
 * Installs the redirections and the bridge on globalThis[Symbol.for("graft.kernel")].
 * @example
 * installOutput();
 * setOutputTarget((type, content) => process.stderr.write(`${type} ${JSON.stringify(content)}\n`));
 */
export function installOutput(extra: Record<string, unknown> = {}): KernelBridge {
  redirect("stdout");
  redirect("stderr");
  const bridge: KernelBridge = {
    ...extra,
    display(req: DisplayRequest) {
      const content = { data: req.data, metadata: req.metadata ?? {}, transient: req.id ? { display_id: req.id } : {} };
      current?.(req.update ? "update_display_data" : "display_data", content);
    },
    clearOutput(wait: boolean) {
      generation++;
      current?.("clear_output", { wait });
    },
  };
  Object.defineProperty(bridge, "outputGeneration", { get: () => generation, enumerable: true });
  (globalThis as Record<symbol, unknown>)[BRIDGE_KEY] = bridge;
  return bridge;
}
