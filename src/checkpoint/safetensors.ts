/**
 * safetensors (huggingface/safetensors; ARCHITECTURE.md §4): `u64 N | N bytes JSON header | data`.
 * Opening reads and validates only the header (see _safetensors_header.ts); `read(name)` reads
 * that tensor's byte range with one positioned read — for float32 on the wasm backend straight
 * into the new tensor's memory (_wasm_heap.ts), which is also how loadWeights' in-place path reads
 * it. A `*.safetensors.index.json` (sharded checkpoints) is handed to safetensors_sharded.ts.
 */
import { open as fsOpen } from "node:fs/promises";
import type * as tf from "@tensorflow/tfjs";
import { GraftFormatError } from "./errors";
import { toTfjs } from "./_dtype";
import { readInto } from "./_file_read";
import type { InPlaceReads } from "./_torch_checkpoint";
import { heapTensor } from "./_wasm_heap";
import { openSafetensorsFile, readSafetensorsEntry } from "./_safetensors_file";
import { openSafetensorsIndex } from "./safetensors_sharded";
import type { Checkpoint, OpenOptions, RawTensor } from "./types";

/** True for a JSON file (a sharded index) rather than `u64 N` + `{` (one safetensors file). */
async function isIndexJson(path: string): Promise<boolean> {
  const fh = await fsOpen(path, "r");
  try {
    const size = (await fh.stat()).size;
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(64), 0, 64, 0);
    if (bytesRead >= 9 && buffer[8] === 0x7b && buffer.readBigUInt64LE(0) <= BigInt(size - 8)) return false;
    let i = 0;
    while (i < bytesRead && [0x20, 0x0a, 0x0d, 0x09, 0xef, 0xbb, 0xbf].includes(buffer[i])) i++;
    return i < bytesRead && buffer[i] === 0x7b;
  } finally {
    await fh.close();
  }
}

/**
 * Opens a safetensors checkpoint lazily: a single `.safetensors` file, or a sharded one through
 * its `*.safetensors.index.json`. `metadata` holds the header's `__metadata__` (and, when
 * sharded, the index's `metadata` plus `shards`, the shard file names).
 * @param path the .safetensors file or the index.json
 * @param _opts unused (no containers in safetensors)
 * @returns the {@link Checkpoint}, entries in file order; close it when done
 * @example Read one tensor
 * ```ts
 * const ck = await openSafetensors("model.safetensors");
 * const w = await ck.read("conv1.weight");
 * assert.deepEqual(w.shape, ck.entries.find((e) => e.name === "conv1.weight")!.shape);
 * await ck.close();
 * ```
 */
export async function openSafetensors(path: string, _opts: OpenOptions = {}): Promise<Checkpoint & Partial<InPlaceReads>> {
  if (await isIndexJson(path)) return openSafetensorsIndex(path);
  const file = await openSafetensorsFile(path);
  const byName = new Map(file.header.entries.map((e) => [e.name, e]));
  let closed = false;
  const readRaw = async (name: string): Promise<RawTensor> => {
    const e = byName.get(name);
    if (!e) throw new GraftFormatError(path, `no tensor named "${name}" (${byName.size} tensors, e.g. ${[...byName.keys()].slice(0, 3).join(", ")})`, { entry: name });
    if (closed) throw new GraftFormatError(path, "checkpoint is closed; open it again to read", { entry: name });
    return readSafetensorsEntry(file, e);
  };
  const readBytesInto = async (name: string, start: number, length: number, into: () => Uint8Array, split = true): Promise<void> => {
    const e = byName.get(name);
    if (!e) throw new GraftFormatError(path, `no tensor named "${name}"`, { entry: name });
    if (closed) throw new GraftFormatError(path, "checkpoint is closed; open it again to read", { entry: name });
    if (start < 0 || length < 0 || start + length > e.byteLength) {
      throw new RangeError(`Cannot read bytes ${start}..${start + length} of ${name}: it holds ${e.byteLength}`);
    }
    await readInto(file.handle, path, into, 0, e.offset + start, length, name, split);
  };
  return {
    format: "safetensors",
    path,
    entries: file.header.entries.map(({ name, shape, dtype, byteLength }) => ({ name, shape: shape.slice(), dtype, byteLength })),
    metadata: { ...file.header.metadata },
    readRaw,
    read: async (name: string): Promise<tf.Tensor> => {
      const e = byName.get(name);
      const t = e?.dtype === "float32" && !closed ? await heapTensor(e.shape, e.byteLength, (into) => readBytesInto(name, 0, e.byteLength, into)) : undefined;
      return t ?? toTfjs(await readRaw(name), path, name);
    },
    inPlace: (name: string) => {
      const e = byName.get(name);
      return e && { dtype: e.dtype, byteLength: e.byteLength };
    },
    readBytesInto,
    locate: async (name: string) => {
      const e = byName.get(name);
      return e && !closed ? { fd: file.handle.fd, position: e.offset } : undefined;
    },
    close: async () => {
      if (!closed) await file.handle.close();
      closed = true;
    },
  };
}
