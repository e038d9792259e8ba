/** The Checkpoint both Keras readers return: named entries that point at datasets of one H5File. */
import type * as tf from "@tensorflow/tfjs";
import { GraftFormatError } from "./errors";
import { toTfjs } from "./_dtype";
import type { H5File } from "./_h5";
import type { Checkpoint, CheckpointFormat, RawTensor, TensorInfo } from "./types";

/** An entry name and the dataset path that holds it. */
export interface KerasEntry { name: string; dataset: string }

/**
 * Builds the Checkpoint over `h5`: describes each dataset now (shape, dtype, size), reads on demand.
 * @param path the file the user opened (.h5, .weights.h5 or .keras)
 * @param format "keras-h5" or "keras-v3"
 * @param h5 the open HDF5 file (closed by `close`)
 * @param list entries in order
 * @param metadata non-tensor information
 * @param onClose extra cleanup (a temporary file)
 * @returns the checkpoint
 * @example
 * ```ts
 * // keras_h5.ts and keras_v3.ts build one from the file's datasets:
 * const ck = await openKerasH5("w.h5"); // = kerasCheckpoint("w.h5", "keras-h5", h5, entries, metadata)
 * ```
 */
export async function kerasCheckpoint(
  path: string,
  format: CheckpointFormat,
  h5: H5File,
  list: KerasEntry[],
  metadata: Record<string, unknown>,
  onClose: () => void = () => {},
): Promise<Checkpoint> {
  const where = new Map<string, string>();
  const entries: TensorInfo[] = [];
  for (const { name, dataset } of list) {
    if (where.has(name)) throw new GraftFormatError(path, `two datasets map to the same name (${where.get(name)} and ${dataset})`, { entry: name });
    const info = await h5.dataset(dataset);
    where.set(name, dataset);
    entries.push({ name, shape: info.shape, dtype: info.dtype, byteLength: info.byteLength });
  }
  let closed = false;
  const readRaw = async (name: string): Promise<RawTensor> => {
    const dataset = where.get(name);
    if (dataset === undefined) throw new GraftFormatError(path, `no weight named "${name}" (${where.size} weights, e.g. ${[...where.keys()].slice(0, 3).join(", ")})`, { entry: name });
    if (closed) throw new GraftFormatError(path, "checkpoint is closed; open it again to read", { entry: name });
    return h5.readRaw(dataset);
  };
  return {
    format,
    path,
    entries,
    metadata,
    readRaw,
    read: async (name: string): Promise<tf.Tensor> => toTfjs(await readRaw(name), path, name),
    close: async () => {
      if (closed) return;
      closed = true;
      await h5.close();
      onClose();
    },
  };
}
