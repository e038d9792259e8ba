/**
 * Engine choice: which tfjs backend graft computes on, chosen and registered when graft is
 * imported, so that tfjs's own idioms (`await tf.ready()`, the first op after it) land on it.
 *
 * Order: `tensorflow` (tfjs-node's libtensorflow) when `@tensorflow/tfjs-node` loads, else
 * `wasm` (`@tensorflow/tfjs-backend-wasm`), else tfjs's pure-JS `cpu` backend. On wasm graft
 * registers its own backend factory: the threaded SIMD build on every available core (see
 * `_wasm_threaded.ts`, `_cores.ts`), else tfjs's unthreaded SIMD build, with the reason in
 * `engine().reason` — never `cpu` without saying so. tfjs's "install tfjs-node" banner never
 * reaches the output. `GRAFT_BACKEND=tensorflow|wasm|cpu`, `GRAFT_WASM=threaded|single` and
 * `GRAFT_THREADS=n` override the choices.
 */
import * as tf from "@tensorflow/tfjs";
import { threadPlan, type ThreadPlan } from "./_cores";
import { registerFileHandlers } from "./_file_io";
import { settlePool, startThreadedModule } from "./_wasm_threaded";

/** The backend graft chose and why, in words a person understands. */
export interface EngineInfo {
  backend: "tensorflow" | "wasm" | "cpu";
  reason: string;
  /** Threads the backend computes with (for wasm: planned until it started, then actual). */
  threads: number;
  /** The backend tfjs computes on now (`tf.getBackend()`), or null before tfjs has one. */
  active: string | null;
  /** Set when tfjs computes on another backend than {@link EngineInfo.backend}: what happened and the fix. */
  warning?: string;
}

/** The part of the choice that does not change while the process runs. */
interface Choice {
  backend: EngineInfo["backend"];
  reason: string;
  threads: number;
}

/** tfjs caps the XNNPACK pool at 8 threads (its C code; 8 pthread workers are pre-started). */
const MAX_WASM_THREADS = 8;
/** A threaded start slower than this is abandoned for the unthreaded build. */
const THREADED_START_MS = 60_000;
/** Above cpu (1) and the wasm package's own registration (2). */
const WASM_PRIORITY = 3;

let chosen: Choice | undefined;
let settingsError: Error | undefined;
let readyPromise: Promise<EngineInfo> | undefined;
/** Whether graft's ready() has finished (successfully) once. */
let started = false;

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0];
}

function tryTfjsNode(): string | undefined {
  if (process.env.GRAFT_BACKEND && process.env.GRAFT_BACKEND !== "tensorflow") {
    return `GRAFT_BACKEND=${process.env.GRAFT_BACKEND} skips tfjs-node`;
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

/** GRAFT_WASM and GRAFT_THREADS, checked; a bad value is kept to reject `ready()` with. */
function wasmSettings(): { build: "threaded" | "single" | undefined; plan: ThreadPlan } {
  const build = process.env.GRAFT_WASM || undefined;
  if (build !== undefined && build !== "threaded" && build !== "single") {
    settingsError = new RangeError(`Cannot use GRAFT_WASM=${JSON.stringify(build)}: it must be "threaded" or "single"; unset it to let graft choose`);
  }
  try {
    return { build: build === "threaded" || build === "single" ? build : undefined, plan: threadPlan() };
  } catch (err) {
    settingsError = err as Error;
    return { build: undefined, plan: threadPlan({}) };
  }
}

/** Decides the backend synchronously (so `engine()` answers at once). */
function decide(): Choice {
  const wanted = process.env.GRAFT_BACKEND;
  const nodeProblem = tryTfjsNode();
  if (nodeProblem === undefined) {
    return { backend: "tensorflow", reason: "tfjs-node loaded: native libtensorflow", threads: threadPlan({}).threads };
  }
  registerFileHandlers();
  if (wanted !== "cpu") {
    try {
      require("@tensorflow/tfjs-backend-wasm");
      const { plan } = wasmSettings();
      const threads = Math.min(plan.threads, MAX_WASM_THREADS);
      return { backend: "wasm", reason: `${nodeProblem}; using the WebAssembly backend with graft's gradient kernels (${threads} thread${threads === 1 ? "" : "s"} planned: ${plan.why})`, threads };
    } catch (err) {
      return { backend: "cpu", reason: `${nodeProblem}; wasm backend did not load: ${firstLine(err)}; using the slow pure-JS cpu backend`, threads: 1 };
    }
  }
  return { backend: "cpu", reason: `${nodeProblem}; using the pure-JS cpu backend`, threads: 1 };
}

/** graft's factory for the "wasm" backend: threaded SIMD where it helps and starts, else tfjs's own (unthreaded). */
function wasmFactory(tfjsFactory: () => tf.KernelBackend | Promise<tf.KernelBackend>): () => Promise<tf.KernelBackend> {
  return async () => {
    const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
    const { build, plan } = wasmSettings();
    const base = chosen!.reason.replace(/ \(\d+ threads? planned: [^)]*\)$/, "");
    const capped = plan.threads > MAX_WASM_THREADS ? `, capped at tfjs's ${MAX_WASM_THREADS}` : "";
    const threads = Math.min(plan.threads, MAX_WASM_THREADS);
    let note = "";
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const threadedWanted = build === "threaded" || (build === undefined && threads > 1);
    if (threadedWanted && simd && typeof SharedArrayBuffer === "function") {
      try {
        let timer: NodeJS.Timeout | undefined;
        const module = await Promise.race([
          startThreadedModule(threads),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`it did not start within ${THREADED_START_MS / 1000} s`)), THREADED_START_MS);
            timer.unref();
          }),
        ]).finally(() => clearTimeout(timer));
        wasm.setThreadsCount(threads);
        const backend = new wasm.BackendWasm(module as never);
        settlePool(module);
        const actual = wasm.getThreadsCount();
        chosen = { backend: "wasm", reason: `${base}: threaded SIMD build, ${actual} thread${actual === 1 ? "" : "s"} (${plan.why}${capped})`, threads: actual };
        return backend;
      } catch (err) {
        note = `; the threaded build did not start (${firstLine(err)}), so the unthreaded one runs`;
      }
    } else if (threadedWanted) {
      note = simd ? "; no SharedArrayBuffer here, so no threads" : "; no WebAssembly SIMD here, so no threads";
    } else {
      note = build === "single" ? " (GRAFT_WASM=single)" : ` (${plan.why})`;
    }
    wasm.setThreadsCount(1);
    const backend = await tfjsFactory();
    chosen = { backend: "wasm", reason: `${base}: ${simd ? "SIMD" : "plain (no SIMD)"} build, 1 thread${note}`, threads: 1 };
    return backend;
  };
}

/**
 * Registers graft's choice with tfjs, once, at import. tfjs-node and cpu are synchronous: made
 * current at once. wasm starts asynchronously, so until it has, tfjs's cpu backend is current
 * (tensors made before then move to wasm when it is), and tfjs's own `tf.ready()` is pointed at
 * graft's {@link ready}: `await tf.ready()` starts graft's wasm engine and lands on it.
 */
function register(): void {
  chosen = decide();
  silenceCpuBanner();
  if (chosen.backend === "wasm") {
    const { installWasmGradients } = require("./wasm_gradients") as typeof import("./wasm_gradients");
    installWasmGradients();
    const core = tf.engine() as unknown as {
      registryFactory: Record<string, { factory: () => tf.KernelBackend | Promise<tf.KernelBackend> } | undefined>;
      registry: Record<string, unknown>;
      ready: () => Promise<void>;
    };
    const tfjsFactory = core.registryFactory.wasm?.factory;
    // (tf.findBackend would start the backend's initialisation: the registry is looked at instead.)
    if (tfjsFactory && !core.registry.wasm) {
      tf.removeBackend("wasm");
      tf.registerBackend("wasm", wasmFactory(tfjsFactory), WASM_PRIORITY);
    }
    if (!tf.getBackend()) void tf.setBackend("cpu");
    const tfjsReady = core.ready.bind(core);
    core.ready = () => ready().then(() => tfjsReady());
  } else {
    void tf.setBackend(chosen.backend);
  }
}

/** tfjs's cpu backend prints an "install tfjs-node" banner on first use; graft already said why. */
export function silenceCpuBanner(): void {
  const backend = tf.findBackend("cpu") as unknown as { firstUse?: boolean } | null;
  if (backend) backend.firstUse = false;
}

/**
 * Waits until graft's engine is initialised and current. Every graft entry point that computes
 * awaits this; cells in the graft kernel run after it resolves. `await tf.ready()` gets the same
 * backend.
 * @returns the engine info, as {@link engine}.
 * @throws RangeError when GRAFT_THREADS or GRAFT_WASM has a value graft cannot use.
 */
export function ready(): Promise<EngineInfo> {
  if (!readyPromise) {
    readyPromise = (async () => {
      if (settingsError) throw settingsError;
      const choice = chosen!;
      if (!(await tf.setBackend(choice.backend))) {
        chosen = { backend: "cpu", reason: `${choice.reason}, but it failed to initialise; using the slow pure-JS cpu backend`, threads: 1 };
        silenceCpuBanner();
        await tf.setBackend("cpu");
      }
      started = true;
      return engine();
    })();
    readyPromise.catch(() => undefined);
  }
  return readyPromise;
}

/**
 * The backend graft computes on and why it was chosen; `active` is tfjs's current backend and
 * `warning` says when the two differ (say, after `tf.setBackend("cpu")`).
 * @returns `{ backend, reason, threads, active, warning? }`; final once {@link ready} resolved.
 * @example
 * ```ts
 * await graft.ready();
 * graft.engine(); // { backend: "wasm", reason: "tfjs-node not installed (…): threaded SIMD build, 2 threads (2 cores available)", threads: 2, active: "wasm" }
 * ```
 */
export function engine(): EngineInfo {
  if (!chosen) register();
  const c = chosen!;
  const active = (tf.getBackend() as string | undefined) ?? null;
  const info: EngineInfo = { backend: c.backend, reason: c.reason, threads: c.threads, active };
  if (active !== null && active !== c.backend && !started) {
    info.warning = `graft's ${c.backend} engine has not started yet, so tfjs computes on "${active}" for now; await graft.ready() (or tf.ready()) before computing`;
  } else if (active !== null && active !== c.backend) {
    info.warning = `tfjs computes on "${active}", not on "${c.backend}" as graft chose${active === "cpu" ? " (the pure-JS backend, many times slower)" : ""}; something called tf.setBackend("${active}") — call await tf.setBackend("${c.backend}") to go back`;
  }
  return info;
}

register();

export { tf };
