/**
 * Engine choice: which tfjs backend graft computes on, chosen once at import.
 *
 * Order: `tensorflow` (tfjs-node's libtensorflow) when `@tensorflow/tfjs-node` loads,
 * else `wasm` (`@tensorflow/tfjs-backend-wasm`), else tfjs's pure-JS `cpu` backend.
 * The choice is quiet: tfjs's "install tfjs-node" banner never reaches notebook output.
 */
import * as tf from "@tensorflow/tfjs";
import { registerFileHandlers } from "./_file_io";

/** The backend graft chose and why, in words a person understands. */
export interface EngineInfo {
  backend: "tensorflow" | "wasm" | "cpu";
  reason: string;
}

let chosen: EngineInfo | undefined;
let readyPromise: Promise<EngineInfo> | undefined;

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0];
}

function tryTfjsNode(): string | undefined {
  if (process.env.GRAFT_BACKEND && process.env.GRAFT_BACKEND !== "tensorflow") {
    return `GRAFT_BACKEND=${process.env.GRAFT_BACKEND} asked for another backend`;
  }
  try {
    // Loading tfjs-node registers the "tensorflow" backend with the same tfjs-core.
    require("@tensorflow/tfjs-node");
    return undefined;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "MODULE_NOT_FOUND" && /tfjs-node['"]?$/m.test(firstLine(err).replace(/\s+$/, ""))) {
      return "tfjs-node not installed (its install step downloads libtensorflow, which failed or was skipped)";
    }
    return `tfjs-node did not load: ${firstLine(err)}`;
  }
}

/** Decides the backend synchronously (so `engine()` answers at once); `ready()` initialises it. */
function decide(): EngineInfo {
  const wanted = process.env.GRAFT_BACKEND;
  const nodeProblem = tryTfjsNode();
  if (nodeProblem === undefined) {
    return { backend: "tensorflow", reason: "tfjs-node loaded: native libtensorflow" };
  }
  registerFileHandlers();
  if (wanted !== "cpu") {
    try {
      require("@tensorflow/tfjs-backend-wasm");
      return { backend: "wasm", reason: `${nodeProblem}; using the WebAssembly backend with graft's gradient kernels` };
    } catch (err) {
      return { backend: "cpu", reason: `${nodeProblem}; wasm backend did not load: ${firstLine(err)}; using the slow pure-JS cpu backend` };
    }
  }
  return { backend: "cpu", reason: `${nodeProblem}; using the pure-JS cpu backend` };
}

async function initialise(info: EngineInfo): Promise<EngineInfo> {
  if (info.backend === "wasm") {
    try {
      const { installWasmGradients } = require("./wasm_gradients") as typeof import("./wasm_gradients");
      installWasmGradients();
      if (await tf.setBackend("wasm")) {
        const threads = wasmThreads();
        const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "SIMD" : "no SIMD";
        return { backend: "wasm", reason: `${info.reason} (${simd}, ${threads} thread${threads === 1 ? "" : "s"})` };
      }
      info = { backend: "cpu", reason: `${info.reason}, but it failed to initialise; using the slow pure-JS cpu backend` };
    } catch (err) {
      info = { backend: "cpu", reason: `${info.reason}, but it failed to initialise: ${firstLine(err)}; using the slow pure-JS cpu backend` };
    }
  }
  if (info.backend === "cpu") silenceCpuBanner();
  await tf.setBackend(info.backend);
  return info;
}

function wasmThreads(): number {
  const wasm = require("@tensorflow/tfjs-backend-wasm") as { getThreadsCount?: () => number };
  try {
    return wasm.getThreadsCount ? wasm.getThreadsCount() : 1;
  } catch {
    return 1;
  }
}

/** tfjs's cpu backend prints an "install tfjs-node" banner on first use; graft already said why. */
export function silenceCpuBanner(): void {
  const backend = tf.findBackend("cpu") as unknown as { firstUse?: boolean } | null;
  if (backend) backend.firstUse = false;
}

/**
 * Waits until graft's engine is chosen and initialised. Every graft entry point that
 * computes awaits this; cells in the graft kernel run after it resolves.
 * @returns the engine info, as {@link engine}.
 */
export function ready(): Promise<EngineInfo> {
  if (!readyPromise) {
    readyPromise = initialise(engine()).then((info) => {
      chosen = info;
      return info;
    });
  }
  return readyPromise;
}

/**
 * The backend graft computes on and why it was chosen.
 * @returns `{ backend, reason }`; the backend is final once {@link ready} resolved.
 * @example
 * ```ts
 * await graft.ready();
 * graft.engine(); // { backend: "wasm", reason: "tfjs-node not installed (…); using the WebAssembly backend (…)" }
 * ```
 */
export function engine(): EngineInfo {
  if (!chosen) chosen = decide();
  return { ...chosen };
}

export { tf };
