/**
 * The part torch-zip and torch-legacy share: given the tensors a pickle described (views over
 * storages: element offset, shape, strides) and a way to read a storage's bytes, check every
 * view against its storage before anything is read, then build the lazy {@link Checkpoint}.
 * Contiguous views read exactly their bytes; strided views read the span they touch and gather.
 */
import type * as tf from "@tensorflow/tfjs";
import { GraftFormatError } from "./errors";
import { decodeRaw, dtypeSize, toTfjs } from "./_dtype";
import { gatherStrided } from "./_strided";
import { heapTensor } from "./_wasm_heap";
import type { Unwrapped } from "./_container";
import type { StorageRef, TensorRef } from "./_pickle_globals";
import type { Checkpoint, CheckpointFormat, RawTensor, SourceDType, TensorInfo } from "./types";

/** Where storages live and how to read them. */
export interface StorageSource {
  /** Bytes the file holds for a storage (checked against the storage's declared size). */
  storageBytes(storage: StorageRef): number;
  /** Reads `length` bytes from byte `start` of a storage. */
  read(storage: StorageRef, start: number, length: number): Promise<Uint8Array>;
  bigEndian: boolean;
  close(): Promise<void>;
  /** Whether {@link readInto} can read this storage's bytes in place (stored, not compressed). */
  readsInPlace?(storage: StorageRef): boolean;
  /**
   * Reads `length` bytes from byte `start` of a storage into the buffer `into()` returns (asked
   * again after each yield); `split` as in `_file_read.ts`'s readInto.
   */
  readInto?(storage: StorageRef, start: number, length: number, into: () => Uint8Array, split?: boolean): Promise<void>;
  /** Where byte `start` of a stored storage lies: an open file descriptor and a file offset. */
  locate?(storage: StorageRef, start: number): Promise<FileSpot>;
}

/** A place in an open file: its descriptor (valid until the checkpoint closes) and a byte offset. */
export interface FileSpot {
  fd: number;
  position: number;
}

/**
 * The applier's fast path (not part of the public {@link Checkpoint} interface): a tensor's
 * stored bytes read straight into memory the caller owns (e.g. the wasm heap), in row bands,
 * with no intermediate array. Offered for contiguous little-endian tensors of stored members.
 */
export interface InPlaceReads {
  /** The stored dtype and byte size of `name` when it can be read in place; else undefined. */
  inPlace(name: string): { dtype: SourceDType; byteLength: number } | undefined;
  /**
   * Reads bytes [start, start + length) of tensor `name` into the buffer `into()` returns, from
   * its index 0. Large reads use two threads (the thread pool's and this one) unless `split` is
   * false, as when another thread of graft's is busy already.
   */
  readBytesInto(name: string, start: number, length: number, into: () => Uint8Array, split?: boolean): Promise<void>;
  /**
   * Where an in-place tensor's first byte lies in the file, for a reader on another thread (the
   * loader's transpose worker); undefined when the source can't say.
   */
  locate?(name: string): Promise<FileSpot | undefined>;
}

/** Whether a checkpoint offers {@link InPlaceReads}. */
export function hasInPlaceReads(ck: object): ck is InPlaceReads {
  const c = ck as Partial<InPlaceReads>;
  return typeof c.inPlace === "function" && typeof c.readBytesInto === "function";
}

/** How many times its storage's size a strided view may expand to. */
const MAX_VIEW_GROWTH = 64;

interface Plan {
  info: TensorInfo;
  ref: TensorRef;
  contiguous: boolean;
  /** Element index span [first, last] touched in the storage (last exclusive). */
  first: number;
  end: number;
}

function planTensor(file: string, name: string, ref: TensorRef, src: StorageSource): Plan {
  const { shape, stride, offset, storage, dtype } = ref;
  if (shape.length !== stride.length) {
    throw new GraftFormatError(file, `shape [${shape}] and stride [${stride}] have different ranks`, { entry: name });
  }
  let numel = 1;
  let last = offset;
  for (let i = 0; i < shape.length; i++) {
    numel *= shape[i];
    if (shape[i] > 0) last += (shape[i] - 1) * stride[i];
  }
  if (!Number.isSafeInteger(numel) || !Number.isSafeInteger(last)) {
    throw new GraftFormatError(file, `shape [${shape}] is too large`, { entry: name });
  }
  const size = dtypeSize(dtype);
  const storageBytes = storage.numel * dtypeSize(storage.dtype);
  const end = numel === 0 ? offset : last + 1;
  if (end * size > storageBytes) {
    throw new GraftFormatError(
      file,
      `view (offset ${offset}, shape [${shape}], stride [${stride}]) needs ${end * size} bytes of storage ${storage.key}, which holds ${storageBytes}`,
      { entry: name },
    );
  }
  const have = src.storageBytes(storage);
  if (have < storageBytes) {
    throw new GraftFormatError(file, `storage ${storage.key} declares ${storageBytes} bytes (${storage.numel} × ${storage.dtype}) but the file holds ${have}`, {
      entry: name,
    });
  }
  let expect = 1;
  let contiguous = true;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expect) contiguous = false;
    expect *= shape[i];
  }
  // A strided view (e.g. expand, stride 0) may repeat its storage; cap how far it may blow it up.
  if (!contiguous && numel * size > MAX_VIEW_GROWTH * storageBytes + 2 ** 20) {
    throw new GraftFormatError(
      file,
      `view of shape [${shape}] (stride [${stride}]) would expand ${storageBytes} bytes of storage ${storage.key} to ${numel * size}; graft refuses views over ${MAX_VIEW_GROWTH}× their storage`,
      { entry: name },
    );
  }
  return { info: { name, shape: shape.slice(), dtype, byteLength: numel * size }, ref, contiguous, first: offset, end };
}

/**
 * Builds the lazy checkpoint over a storage source.
 * @example
 * ```ts
 * // torch_zip.ts and torch_legacy.ts build one after parsing data.pkl and unwrapping the container:
 * const ck = await openTorchZip("resnet18.pth"); // = torchCheckpoint("torch-zip", file, unwrapped, zipStorages)
 * const w = await ck.readRaw("fc.weight");
 * ```
 */
export function torchCheckpoint(format: CheckpointFormat, file: string, found: Unwrapped, src: StorageSource): Checkpoint & InPlaceReads {
  const plans = new Map<string, Plan>();
  for (const [name, ref] of found.tensors) {
    if (plans.has(name)) throw new GraftFormatError(file, `tensor name appears twice`, { entry: name });
    plans.set(name, planTensor(file, name, ref, src));
  }
  const get = (name: string): Plan => {
    const p = plans.get(name);
    if (!p) {
      const names = [...plans.keys()];
      throw new GraftFormatError(file, `no tensor named "${name}" (${names.length} tensors, e.g. ${names.slice(0, 3).join(", ")})`, { entry: name });
    }
    return p;
  };
  let closed = false;
  const readRaw = async (name: string): Promise<RawTensor> => {
    if (closed) throw new GraftFormatError(file, "checkpoint is closed", { entry: name });
    const p = get(name);
    const size = dtypeSize(p.ref.dtype);
    let bytes: Uint8Array;
    if (p.contiguous) bytes = await src.read(p.ref.storage, p.first * size, p.info.byteLength);
    else if (p.info.byteLength === 0) bytes = new Uint8Array(0);
    else bytes = gatherStrided(await src.read(p.ref.storage, p.first * size, (p.end - p.first) * size), p.ref.shape, p.ref.stride, size);
    return { dtype: p.ref.dtype, shape: p.info.shape.slice(), data: decodeRaw(bytes, p.ref.dtype, src.bigEndian) };
  };
  const inPlace = (name: string): { dtype: SourceDType; byteLength: number } | undefined => {
    const p = plans.get(name);
    if (!p || !p.contiguous || (src.bigEndian && dtypeSize(p.ref.dtype) > 1) || !src.readInto || !src.readsInPlace?.(p.ref.storage)) return undefined;
    return { dtype: p.ref.dtype, byteLength: p.info.byteLength };
  };
  const readBytesInto = async (name: string, start: number, length: number, into: () => Uint8Array, split = true): Promise<void> => {
    if (closed) throw new GraftFormatError(file, "checkpoint is closed", { entry: name });
    const p = get(name);
    if (!inPlace(name)) throw new RangeError(`Cannot read ${name} in place: it is strided, big-endian or compressed; use readRaw`);
    if (start < 0 || length < 0 || start + length > p.info.byteLength) {
      throw new RangeError(`Cannot read bytes ${start}..${start + length} of ${name}: it holds ${p.info.byteLength}`);
    }
    await src.readInto!(p.ref.storage, p.first * dtypeSize(p.ref.dtype) + start, length, into, split);
  };
  const locate = async (name: string): Promise<FileSpot | undefined> => {
    const p = plans.get(name);
    if (closed || !p || !inPlace(name) || !src.locate) return undefined;
    return src.locate(p.ref.storage, p.first * dtypeSize(p.ref.dtype));
  };
  return {
    inPlace,
    readBytesInto,
    locate,
    format,
    path: file,
    container: found.container,
    entries: [...plans.values()].map((p) => p.info),
    metadata: found.metadata,
    readRaw,
    read: async (name: string): Promise<tf.Tensor> => {
      const stored = inPlace(name);
      if (stored?.dtype === "float32") {
        const shape = get(name).info.shape;
        const t = await heapTensor(shape, stored.byteLength, (into) => readBytesInto(name, 0, stored.byteLength, into));
        if (t) return t;
      }
      return toTfjs(await readRaw(name), file, name);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await src.close();
    },
  };
}
