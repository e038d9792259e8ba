/**
 * A thin adapter over h5wasm (the HDF5 C library compiled to WebAssembly) for the Keras readers:
 * open a file, list groups, read string attributes, describe and read datasets as raw tensors.
 * Every call into the library goes through {@link H5File} so that anything it throws becomes a
 * {@link GraftFormatError} naming the file and the object, and HDF5's diagnostic stack (which it
 * writes straight to fd 2) is kept off the user's stderr.
 *
 * HDF5 runs in a worker thread with a deadline on every call (_h5_host.ts): the fuzz test found
 * corrupt files on which the C library loops forever or aborts.
 *
 * Why h5wasm and not jsfive: h5wasm lets HDF5 read the real file lazily with positioned reads
 * (NODERAWFS), while jsfive needs the whole file as one ArrayBuffer first; on a VGG16 `.h5`
 * h5wasm read every dataset an order of magnitude faster in a fraction of the memory (the
 * README gives the figures; `bench/keras_h5.ts` measures graft's reader).
 *
 * h5wasm opens lazily (memory is what the caller keeps plus one slab, not
 * the file), reads chunked/deflated datasets and converts big-endian data, and it is already a
 * dependency. Its node build is ESM-only, so the worker loads it with a dynamic `import()` of its
 * file URL (graft compiles to CommonJS). Limits: its `.value` has no float16, so datasets are read
 * as raw bytes here; a dataset must fit in the wasm heap (< 2 GiB).
 */
import { open as fsOpen } from "node:fs/promises";
import { GraftFormatError } from "./errors";
import { CALL_MS, H5Timeout, READ_BYTES_PER_MS, host } from "./_h5_host";
import { decodeRaw, dtypeSize } from "./_dtype";
import type { RawTensor, SourceDType } from "./types";

/** The largest dataset graft reads: the wasm heap is 32-bit. */
const MAX_DATASET_BYTES = 2 ** 31 - 1;
/** deflate cannot expand data more than ~1032×, so a compressed dataset cannot hold more than this × file size. */
const MAX_DEFLATE_RATIO = 1032;
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** A dataset's description, validated against the file's size. */
export interface H5DatasetInfo {
  path: string;
  shape: number[];
  dtype: SourceDType;
  byteLength: number;
}

interface Meta { type: number; size: number; signed: boolean; shape: unknown; members?: string[]; attrDtype?: string; filtered: boolean }

/** Maps dataset metadata to a source dtype (h5py writes bool as an int8 enum FALSE/TRUE). */
function sourceDType(m: Meta): SourceDType | undefined {
  if (m.attrDtype === "bfloat16" && m.size === 2) return "bfloat16";
  if (m.type === 1) return ({ 8: "float64", 4: "float32", 2: "float16" } as Record<number, SourceDType>)[m.size];
  if (m.type === 0) {
    return (m.signed
      ? ({ 8: "int64", 4: "int32", 2: "int16", 1: "int8" } as Record<number, SourceDType>)
      : ({ 8: "uint64", 4: "uint32", 2: "uint16", 1: "uint8" } as Record<number, SourceDType>))[m.size];
  }
  if (m.type === 8 && m.size === 1 && m.members?.includes("TRUE")) return "bool";
  return undefined;
}

/**
 * One open HDF5 file. Paths are absolute inside the file (`/model_weights/dense_1`).
 * @example
 * ```ts
 * const f = await H5File.open("weights.h5");
 * const layers = await f.stringsAttr("/", "layer_names");
 * await f.close();
 * ```
 */
export class H5File {
  private closed = false;
  private constructor(
    readonly path: string,
    readonly size: number,
    private readonly id: number,
    private readonly generation: number,
  ) {}

  /**
   * Opens `file` read-only (after checking the HDF5 signature at offset 0).
   * @param file the HDF5 file on disk
   * @param path the name errors use (default `file`; e.g. `model.keras!model.weights.h5`)
   */
  static async open(file: string, path = file): Promise<H5File> {
    const fh = await fsOpen(file, "r");
    let size: number;
    const head = Buffer.alloc(8);
    try {
      size = (await fh.stat()).size;
      await fh.read(head, 0, 8, 0);
    } finally {
      await fh.close();
    }
    if (!SIGNATURE.every((b, i) => head[i] === b)) throw new GraftFormatError(path, "not an HDF5 file: the signature \\x89HDF\\r\\n\\x1a\\n is missing at offset 0", { offset: 0 });
    let opened: { id: number; generation: number };
    try {
      opened = (await host.call("open", [file], CALL_MS)) as { id: number; generation: number };
    } catch (err) {
      throw new GraftFormatError(path, `HDF5 cannot open the file (corrupt or truncated): ${(err as Error).message}`, { cause: err });
    }
    return new H5File(path, size, opened.id, opened.generation);
  }

  /** Calls the worker, turning any failure into a GraftFormatError for `entry`. */
  private async call(entry: string, op: string, args: unknown[], ms = CALL_MS): Promise<unknown> {
    if (this.closed) throw new GraftFormatError(this.path, "checkpoint is closed; open it again to read", { entry });
    if (this.generation !== host.generation) {
      throw new GraftFormatError(this.path, "the HDF5 reader was restarted after a corrupt file stalled it; open this checkpoint again", { entry });
    }
    try {
      return await host.call(op, [this.id, ...args], ms, this.generation);
    } catch (err) {
      const stalled = err instanceof H5Timeout ? " (HDF5 stalled or aborted on this file: it is corrupt)" : "";
      throw new GraftFormatError(this.path, `HDF5 cannot read this object${stalled}: ${(err as Error).message}`, { entry, cause: err });
    }
  }

  /** "group", "dataset", or undefined when nothing (or something else) is at `path`. */
  async kind(path: string): Promise<"group" | "dataset" | undefined> {
    return (await this.call(path, "kind", [path])) as "group" | "dataset" | undefined;
  }

  /** Member names of a group, in HDF5's (alphabetical) order. */
  async keys(path: string): Promise<string[]> {
    return (await this.call(path, "keys", [path])) as string[];
  }

  /**
   * A string or string-list attribute (fixed or variable length, NULs stripped); undefined
   * when absent; a GraftFormatError when it holds something else.
   */
  async stringsAttr(path: string, name: string): Promise<string[] | undefined> {
    const entry = `${path}@${name}`;
    const r = (await this.call(entry, "attr", [path, name])) as { absent?: boolean; value?: unknown };
    if (r.absent) return undefined;
    const v = r.value;
    // Keras writes an empty name list as an empty float64 array (np.asarray([])).
    const list = typeof v === "string" ? [v] : Array.isArray(v) ? v : ArrayBuffer.isView(v) && (v as Uint8Array).length === 0 ? [] : undefined;
    if (!list || !list.every((s) => typeof s === "string")) throw new GraftFormatError(this.path, `attribute ${name} should hold strings`, { entry });
    return list.map((s: string) => s.replace(/\0+$/, ""));
  }

  /** Shape, dtype and size of a dataset, checked against the file before anything is read. */
  async dataset(path: string): Promise<H5DatasetInfo> {
    const m = (await this.call(path, "meta", [path])) as Meta | undefined;
    if (!m || !Array.isArray(m.shape)) throw new GraftFormatError(this.path, "expected a dataset with a simple shape here", { entry: path });
    const dtype = sourceDType(m);
    if (!dtype) {
      throw new GraftFormatError(this.path, `unsupported dataset type (HDF5 type class ${m.type} of ${m.size} bytes); graft reads float16/32/64, (u)int8-64 and bool`, { entry: path });
    }
    const shape = (m.shape as unknown[]).map(Number);
    if (!shape.every((n) => Number.isSafeInteger(n) && n >= 0)) throw new GraftFormatError(this.path, `bad dataset shape [${m.shape}]`, { entry: path });
    let bytes = BigInt(dtypeSize(dtype));
    for (const n of shape) bytes *= BigInt(n);
    const limit = Math.min(MAX_DATASET_BYTES, m.filtered ? this.size * MAX_DEFLATE_RATIO : this.size);
    if (bytes > BigInt(limit)) {
      throw new GraftFormatError(
        this.path,
        `dataset shape [${shape}] of ${dtype} needs ${bytes} bytes, more than ${m.filtered ? "a compressed dataset" : "the file"} can hold (${limit} bytes)`,
        { entry: path },
      );
    }
    return { path, shape, dtype, byteLength: Number(bytes) };
  }

  /** Reads a dataset's elements (native byte order) as a raw tensor. */
  async readRaw(path: string): Promise<RawTensor> {
    const info = await this.dataset(path);
    const ms = Math.max(CALL_MS, info.byteLength / READ_BYTES_PER_MS);
    const buffer = (await this.call(path, "read", [path, info.byteLength, info.shape], ms)) as ArrayBuffer;
    return { dtype: info.dtype, shape: info.shape.slice(), data: decodeRaw(new Uint8Array(buffer), info.dtype) };
  }

  /** Closes the file (idempotent; never throws). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.generation !== host.generation) return;
    host.openFiles--;
    try {
      await host.call("close", [this.id], CALL_MS, this.generation);
    } catch {
      // a corrupt file may fail to close cleanly; the worker drops its handle either way
    }
  }
}
