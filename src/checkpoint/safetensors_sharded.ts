/**
 * Sharded safetensors (transformers' `model.safetensors.index.json`):
 * `{"metadata": {"total_size": N}, "weight_map": {"<tensor>": "<shard file>", …}}`, shard paths
 * relative to the index. Opening validates the index and every shard's header (nothing else);
 * each tensor must be in the shard the index names, and each shard tensor must be in the index.
 * Entries come shard by shard (shard files sorted by name, `…-00001-of-0000N` first), each in
 * file order. A shard path may not leave the index's folder.
 */
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { GraftFormatError } from "./errors";
import { toTfjs } from "./_dtype";
import { readJsonFile } from "./_file_read";
import { openSafetensorsFile, readSafetensorsEntry, type SafetensorsFile } from "./_safetensors_file";
import type { SafetensorsEntry } from "./_safetensors_header";
import type { Checkpoint, RawTensor, TensorInfo } from "./types";

const MAX_INDEX_BYTES = 100 * 2 ** 20;

async function readIndex(path: string): Promise<{ weightMap: Map<string, string>; metadata: Record<string, unknown> }> {
  const json = await readJsonFile(path, MAX_INDEX_BYTES, "safetensors index");
  const obj = json as { weight_map?: unknown; metadata?: unknown };
  if (typeof obj !== "object" || obj === null || typeof obj.weight_map !== "object" || obj.weight_map === null || Array.isArray(obj.weight_map)) {
    throw new GraftFormatError(path, `a safetensors index needs a "weight_map" object {tensor name: shard file}`);
  }
  const weightMap = new Map<string, string>();
  for (const [name, shard] of Object.entries(obj.weight_map)) {
    if (typeof shard !== "string" || shard === "") throw new GraftFormatError(path, `weight_map value must be a shard file name, got ${JSON.stringify(shard)?.slice(0, 80)}`, { entry: name });
    const norm = normalize(shard);
    if (isAbsolute(shard) || norm === ".." || norm.startsWith(`..${sep}`)) {
      throw new GraftFormatError(path, `shard path ${JSON.stringify(shard)} leaves the index's folder; shards must sit beside the index`, { entry: name });
    }
    weightMap.set(name, shard);
  }
  const metadata: Record<string, unknown> = {};
  if (typeof obj.metadata === "object" && obj.metadata !== null) {
    for (const [k, v] of Object.entries(obj.metadata)) Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return { weightMap, metadata };
}

/**
 * Opens a sharded safetensors checkpoint through its index.json (normally via `openSafetensors`).
 * @param path the `*.safetensors.index.json`
 * @returns the {@link Checkpoint} over all shards; `metadata.shards` lists the shard files
 * @example
 * ```ts
 * const ck = await openSafetensorsIndex("model.safetensors.index.json");
 * const t = await ck.read("model.embed_tokens.weight");
 * await ck.close();
 * ```
 */
export async function openSafetensorsIndex(path: string): Promise<Checkpoint> {
  const { weightMap, metadata } = await readIndex(path);
  const shardNames = [...new Set(weightMap.values())].sort();
  if (shardNames.length === 0) throw new GraftFormatError(path, "safetensors index has an empty weight_map");
  const dir = dirname(path);
  const files: SafetensorsFile[] = [];
  const located = new Map<string, { file: SafetensorsFile; entry: SafetensorsEntry }>();
  const entries: TensorInfo[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(files.map((f) => f.handle.close()));
  };
  try {
    for (const shard of shardNames) {
      const shardPath = join(dir, shard);
      let file: SafetensorsFile;
      try {
        file = await openSafetensorsFile(shardPath);
      } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") {
          const tensors = [...weightMap].filter(([, s]) => s === shard).map(([n]) => n);
          throw new GraftFormatError(path, `shard file ${shard} is missing (looked for ${shardPath}); it holds ${tensors.length} tensors, e.g. ${tensors.slice(0, 3).join(", ")}`, {
            entry: tensors[0],
            cause: err,
          });
        }
        throw err;
      }
      files.push(file);
      for (const e of file.header.entries) {
        const listed = weightMap.get(e.name);
        if (listed !== shard) {
          throw new GraftFormatError(
            shardPath,
            listed === undefined ? `tensor is in the shard but not in the index's weight_map (${path})` : `the index puts this tensor in ${listed}, but it is in ${shard}`,
            { entry: e.name },
          );
        }
        located.set(e.name, { file, entry: e });
        entries.push({ name: e.name, shape: e.shape.slice(), dtype: e.dtype, byteLength: e.byteLength });
      }
    }
    for (const [name, shard] of weightMap) {
      if (!located.has(name)) throw new GraftFormatError(join(dir, shard), `the index lists this tensor in ${shard}, but the shard does not hold it`, { entry: name });
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  let closed = false;
  const readRaw = async (name: string): Promise<RawTensor> => {
    const found = located.get(name);
    if (!found) throw new GraftFormatError(path, `no tensor named "${name}" in any shard (${located.size} tensors, e.g. ${[...located.keys()].slice(0, 3).join(", ")})`, { entry: name });
    if (closed) throw new GraftFormatError(path, "checkpoint is closed; open it again to read", { entry: name });
    return readSafetensorsEntry(found.file, found.entry);
  };
  const merged: Record<string, unknown> = {};
  for (const source of [...files.map((f) => f.header.metadata), metadata, { shards: shardNames }]) {
    for (const [k, v] of Object.entries(source)) Object.defineProperty(merged, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return {
    format: "safetensors",
    path,
    entries,
    metadata: merged,
    readRaw,
    read: async (name: string): Promise<tf.Tensor> => toTfjs(await readRaw(name), path, name),
    close: async () => {
      if (!closed) await closeAll();
      closed = true;
    },
  };
}
