/**
 * Private: tfjs-backend-wasm's threaded SIMD build, started in Node. tfjs itself cannot: it
 * hands the emscripten factory `blob:` URLs for the pthread worker and the main script, which
 * Node's worker_threads refuse, and its flag WASM_HAS_MULTITHREAD_SUPPORT is false under Node.
 * Here the factory gets real files instead: the worker's source (`wasmWorkerContents`, with
 * `\n` escaped as tfjs does) written once to a content-addressed file in the OS temp folder, the
 * factory's own JS file as the main script, and the `.wasm` compiled from its file.
 *
 * The factory's script is also copied there with emscripten's pre-started pool of 8 pthread
 * workers cut to the ones the pool takes (a faster, smaller start: the README gives the figures).
 *
 * Two more adjustments. tfjs's C code sizes the XNNPACK pool as
 * min(requested, 8, emscripten_num_logical_cores() / 2), read once when the module starts
 * (`os.cpus().length` in Node); the import is replaced so the quotient is the count graft
 * wants. And the module's memory is shared and grows: `Module.HEAPU8` and its siblings become
 * accessors that rebuild a view whenever the memory's buffer has changed (a growth made by
 * another thread leaves the old view short), so tfjs's own reads and writes stay correct.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** What tfjs-backend-wasm's BackendWasm expects of the module (`tfjs` are the cwraps its init() adds). */
export interface WasmModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs: Record<string, (...a: number[]) => number>;
  wasmMemory: WebAssembly.Memory;
  PThread?: { unusedWorkers: Array<{ terminate(): void }>; runningWorkers: Array<{ unref(): void }> };
  [key: string]: unknown;
}

type Factory = (config: Record<string, unknown>) => Promise<WasmModule>;

const VIEWS: Array<[string, new (b: ArrayBufferLike) => ArrayBufferView]> = [
  ["HEAP8", Int8Array], ["HEAPU8", Uint8Array], ["HEAP16", Int16Array], ["HEAPU16", Uint16Array],
  ["HEAP32", Int32Array], ["HEAPU32", Uint32Array], ["HEAPF32", Float32Array], ["HEAPF64", Float64Array],
];

function packageDir(): string {
  return path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
}

/** The worker script as a real file, named by the hash of its content (written once per version). */
export function workerFile(dir: string = os.tmpdir()): string {
  const { wasmWorkerContents } = require(path.join(packageDir(), "wasm-out", "tfjs-backend-wasm-threaded-simd.worker.js")) as { wasmWorkerContents: string };
  return writeOnce(dir, "graft-tfjs-wasm-worker", wasmWorkerContents.replace(/\n/g, "\\n"));
}

/** emscripten's pre-started pthread pool in the factory's source (tfjs builds it with 8). */
const POOL = "var pthreadPoolSize=8;";

/**
 * The factory's script, with its pre-started pool cut to the `workers` the XNNPACK pool takes
 * (each worker is a V8 isolate with its own instance, so starting 8 costs time and memory): a content-addressed copy in `dir`, or tfjs's own file where the source differs.
 * The pool must not be smaller — pthreadpool_create waits for its threads on the main thread,
 * so a worker started later could never load.
 */
export function factoryScript(workers: number, dir: string = os.tmpdir()): string {
  const original = path.join(packageDir(), "wasm-out", "tfjs-backend-wasm-threaded-simd.js");
  const text = fs.readFileSync(original, "utf8");
  if (workers >= 8 || text.split(POOL).length !== 2) return original;
  return writeOnce(dir, "graft-tfjs-wasm-threaded", text.replace(POOL, `var pthreadPoolSize=${Math.max(1, workers)};`));
}

/** Writes `text` to `<dir>/<stem>-<hash>.js` unless it is there already; returns the path. */
function writeOnce(dir: string, stem: string, text: string): string {
  const hash = crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);
  const file = path.join(dir, `${stem}-${hash}.js`);
  try {
    if (fs.readFileSync(file, "utf8") === text) return file;
  } catch {
    // not written yet
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  return file;
}

/** Makes `Module.HEAPU8` & co. rebuild their view when the shared memory has grown. */
function freshViews(module: WasmModule, memory: WebAssembly.Memory): void {
  for (const [name, View] of VIEWS) {
    let view = module[name] as ArrayBufferView | undefined;
    Object.defineProperty(module, name, {
      configurable: true,
      enumerable: true,
      get: () => (view && view.buffer === memory.buffer ? view : (view = new View(memory.buffer))),
      set: (v: ArrayBufferView) => {
        view = v;
      },
    });
  }
}

/**
 * Starts the threaded SIMD module with a pool of `threads` (tfjs caps it at 8) and returns it
 * ready for `new BackendWasm(module)` (call `setThreadsCount(threads)` first).
 * @param threads the pool size wanted (the calling thread is one of them).
 * @returns the module, its memory shared and growable.
 * @throws when the module does not start (the caller falls back to the unthreaded build).
 */
export async function startThreadedModule(threads: number): Promise<WasmModule> {
  const dir = path.join(packageDir(), "wasm-out");
  const script = factoryScript(threads - 1);
  const binary = fs.readFileSync(path.join(dir, "tfjs-backend-wasm-threaded-simd.wasm"));
  const worker = workerFile();
  const factory = require(script) as Factory;
  // The memory emscripten would make itself (16 MiB, at most 4 GiB), made here so graft knows it.
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
  let aborted: unknown;
  const module = await factory({
    wasmMemory: memory,
    mainScriptUrlOrBlob: script,
    locateFile: (file: string, prefix: string) => (file.endsWith(".worker.js") ? worker : file.endsWith(".wasm") ? path.join(dir, file) : prefix + file),
    instantiateWasm: (imports: { env: Record<string, unknown> }, receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) => {
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      WebAssembly.instantiate(binary, imports as unknown as WebAssembly.Imports).then(
        (r) => receive(r.instance, r.module),
        (err) => {
          aborted = err;
        },
      );
      return {};
    },
    onAbort: (what: unknown) => {
      aborted = what;
    },
  });
  if (aborted !== undefined) throw new Error(`threaded wasm aborted: ${String(aborted)}`);
  if (!(module.wasmMemory instanceof WebAssembly.Memory)) throw new Error("threaded wasm module has no memory");
  freshViews(module, module.wasmMemory);
  module.tfjs = {
    init: module.cwrap("init", null, []),
    initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
    getThreadsCount: module.cwrap("get_threads_count", "number", []),
    registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
    disposeData: module.cwrap("dispose_data", null, ["number"]),
    dispose: module.cwrap("dispose", null, []),
  };
  return module;
}

/**
 * After the pool started: ends the pre-started pthread workers it did not take (emscripten starts
 * 8; each holds a V8 isolate and a wasm instance), and unrefs the pool's own, which wait for work
 * forever and would otherwise keep Node from exiting (the main thread runs every kernel
 * synchronously, so nothing on the event loop waits for them).
 * @returns how many idle workers were ended.
 */
export function settlePool(module: WasmModule): number {
  const pthread = module.PThread;
  if (!pthread) return 0;
  for (const w of pthread.runningWorkers) w.unref();
  const idle = pthread.unusedWorkers.splice(0);
  for (const w of idle) w.terminate();
  return idle.length;
}
