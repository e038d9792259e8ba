/**
 * The thread that runs h5wasm for _h5.ts. HDF5 runs in a worker (one per process, started on
 * first use, unref'd when idle) and every call has a deadline: the fuzz test found corrupt files
 * on which the C library loops forever inside an attribute read, and others where it aborts
 * (after which a wasm module is unusable). A call past its deadline, or an abort, terminates the
 * worker and fails that call; files open in it must be reopened (their `generation` is stale);
 * the next call starts a fresh worker. Calls run one at a time, in order, and each deadline starts
 * when the worker receives the call. Datasets are read in 16 MiB slabs of rows (a wasm heap never
 * shrinks, so it must not grow to the largest dataset) and come back as transferred ArrayBuffers.
 * HDF5's diagnostic stack (written to fd 2) and Emscripten's abort messages are silenced in the
 * worker only.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/** Deadline of a metadata call, and the slowest read speed a dataset read may have. */
export const CALL_MS = 3000;
export const READ_BYTES_PER_MS = 20_000;
/** Worker start-up (loading and compiling the 4 MB wasm) gets its own deadline. */
const START_MS = 30_000;
/** A worker whose wasm heap grew past this is replaced once no file is open in it. */
const MAX_IDLE_HEAP = 512 * 2 ** 20;

/** The worker's code: plain JavaScript, so it runs the same under tsx and from dist/. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
// HDF5's error stack goes to fd 2 and Emscripten's abort messages to console.error: keep both quiet.
console.error = () => {};
console.warn = () => {};
const realWrite = fs.writeSync;
fs.writeSync = function (fd, ...rest) {
  if (fd === 2) { const d = rest[0]; return typeof d === "string" ? Buffer.byteLength(d) : (rest[2] ?? d.byteLength); }
  return realWrite.call(this, fd, ...rest);
};
let lib, Module;
const SLAB = 16 * 1024 * 1024;
const files = new Map();
let nextId = 1;
const ready = import(workerData.url).then(async (mod) => { lib = mod.default || mod; await lib.ready; Module = mod.Module || lib.Module; });
const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const get = (id, path) => { const f = files.get(id); if (!f) throw new Error("file is not open"); return f.get(path); };
const ops = {
  open(file) { const f = new lib.File(file, "r"); try { f.keys(); } catch (e) { try { f.close(); } catch {} throw e; } const id = nextId++; files.set(id, f); return id; },
  close(id) { const f = files.get(id); files.delete(id); try { if (f) f.close(); } catch {} },
  kind(id, path) { const o = get(id, path); return o instanceof lib.Group ? "group" : o instanceof lib.Dataset ? "dataset" : undefined; },
  keys(id, path) { const g = get(id, path); const n = g && g.keys ? g.keys() : undefined; if (!Array.isArray(n)) throw new Error("not a group"); return n.map(String); },
  attr(id, path, name) { const o = get(id, path); if (!o || !own(o.attrs, name)) return { absent: true }; return { value: o.attrs[name].value }; },
  meta(id, path) {
    const d = get(id, path);
    if (!(d instanceof lib.Dataset)) return undefined;
    const m = d.metadata;
    const attrDtype = own(d.attrs, "dtype") ? String(d.attrs.dtype.value) : undefined;
    const members = m.enum_type && m.enum_type.members ? Object.keys(m.enum_type.members) : undefined;
    return { type: m.type, size: m.size, signed: m.signed, shape: m.shape, members, attrDtype, filtered: Array.isArray(d.filters) && d.filters.length > 0 };
  },
  // Large datasets are read in slabs of leading-axis rows through a small heap buffer, so the
  // wasm heap (which never shrinks) stays small and the only full-size copy is the result.
  read(id, path, nbytes, shape) {
    const f = files.get(id); if (!f) throw new Error("file is not open");
    if (nbytes === 0) return new ArrayBuffer(0);
    const rows = shape.length ? shape[0] : 1;
    const rowBytes = nbytes / rows;
    const slabRows = shape.length && nbytes > SLAB ? Math.max(1, Math.floor(SLAB / rowBytes)) : rows;
    const ptr = Module._malloc(slabRows * rowBytes);
    if (!ptr) throw new Error("cannot allocate " + slabRows * rowBytes + " bytes in the HDF5 heap");
    try {
      if (slabRows === rows) {
        Module.get_dataset_data(f.file_id, path, null, null, null, BigInt(ptr));
        return Module.HEAPU8.slice(ptr, ptr + nbytes).buffer;
      }
      const out = new Uint8Array(nbytes);
      const strides = shape.map(() => 1n);
      for (let r = 0; r < rows; r += slabRows) {
        const n = Math.min(slabRows, rows - r);
        const count = [BigInt(n), ...shape.slice(1).map(BigInt)];
        const offset = [BigInt(r), ...shape.slice(1).map(() => 0n)];
        Module.get_dataset_data(f.file_id, path, count, offset, strides, BigInt(ptr));
        out.set(Module.HEAPU8.subarray(ptr, ptr + n * rowBytes), r * rowBytes);
      }
      return out.buffer;
    } finally { Module._free(ptr); }
  },
};
parentPort.on("message", async ({ id, op, args }) => {
  try { await ready; } catch (e) { parentPort.postMessage({ id, ok: false, error: "h5wasm failed to load: " + (e && e.message) }); return; }
  try {
    const value = ops[op](...args);
    parentPort.postMessage({ id, ok: true, value, heap: Module.HEAPU8.length }, value instanceof ArrayBuffer ? [value] : []);
  } catch (e) {
    const dead = e instanceof WebAssembly.RuntimeError || String(e && e.message).includes("Aborted");
    parentPort.postMessage({ id, ok: false, dead, error: e instanceof Error ? e.message : typeof e === "number" ? "HDF5 exception " + e : String(e) });
  }
});
`;

function h5wasmUrl(): string {
  for (const dir of require.resolve.paths("h5wasm") ?? []) {
    const file = join(dir, "h5wasm", "dist", "node", "hdf5_hl.js");
    if (existsSync(file)) return pathToFileURL(file).href;
  }
  throw new Error("Cannot find h5wasm's node build (node_modules/h5wasm/dist/node/hdf5_hl.js); run npm install");
}

interface Job { op: string; args: unknown[]; ms: number; generation: number; resolve: (v: unknown) => void; reject: (e: Error) => void }

/** A call ran past its deadline, HDF5 aborted, or the worker died. */
export class H5Timeout extends Error {}

/**
 * The one worker that owns h5wasm. Calls run one at a time, in order; each one's deadline starts
 * when the worker receives it (so reads queued behind a large one do not time out).
 */
class H5Host {
  private worker: Worker | undefined;
  private started = false;
  generation = 0;
  /** Files open in the current worker (a big heap is released only when none are). */
  openFiles = 0;
  private nextId = 1;
  private readonly queue: Job[] = [];
  private current: { job: Job; id: number; timer: NodeJS.Timeout } | undefined;

  private spawn(): Worker {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { url: h5wasmUrl() } });
    w.unref();
    w.on("message", (m: { id: number; ok: boolean; value?: unknown; error?: string; dead?: boolean; heap?: number }) => {
      if (this.worker !== w || !this.current || this.current.id !== m.id) return;
      const { job, timer } = this.current;
      this.current = undefined;
      clearTimeout(timer);
      if (m.ok && job.op === "open") this.openFiles++;
      if (m.ok) job.resolve(job.op === "open" ? { id: m.value, generation: this.generation } : m.value);
      else job.reject(m.dead ? new H5Timeout(`HDF5 aborted: ${m.error}`) : new Error(m.error));
      // An aborted wasm module is unusable, and a wasm heap never shrinks: start afresh.
      if (m.dead) this.restart(new H5Timeout(`HDF5 aborted: ${m.error}`));
      else if ((m.heap ?? 0) > MAX_IDLE_HEAP && this.queue.length === 0 && this.openFiles === 0) this.restart(new H5Timeout("heap released"));
      if (this.queue.length === 0) w.unref();
      this.pump();
    });
    const fail = (err: Error): void => {
      if (this.worker === w) this.restart(err);
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new H5Timeout(`HDF5 worker exited (code ${code})`)));
    return w;
  }

  /** Ends the worker: the running call fails, files open in it need reopening. */
  restart(reason: Error): void {
    const w = this.worker;
    this.worker = undefined;
    this.started = false;
    this.generation++;
    this.openFiles = 0;
    if (this.current) {
      clearTimeout(this.current.timer);
      this.current.job.reject(reason instanceof H5Timeout ? reason : new H5Timeout(reason.message));
      this.current = undefined;
    }
    if (w) void w.terminate();
    this.pump();
  }

  private pump(): void {
    while (!this.current && this.queue.length > 0) {
      const job = this.queue.shift()!;
      if (job.op !== "open" && job.generation !== this.generation) {
        job.reject(new H5Timeout("the HDF5 worker was restarted after another file stalled it"));
        continue;
      }
      if (!this.worker) this.worker = this.spawn();
      const w = this.worker;
      const deadline = this.started ? job.ms : Math.max(job.ms, START_MS);
      this.started = true;
      const id = this.nextId++;
      w.ref();
      const timer = setTimeout(() => this.restart(new H5Timeout(`HDF5 did not finish ${job.op} within ${deadline} ms`)), deadline);
      this.current = { job, id, timer };
      w.postMessage({ id, op: job.op, args: job.args });
    }
  }

  call(op: string, args: unknown[], ms: number, generation = this.generation): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, args, ms, generation, resolve, reject });
      this.pump();
    });
  }
}

/** The process's HDF5 worker host. */
export const host = new H5Host();
