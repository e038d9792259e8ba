/**
 * Writes a state dict as PyTorch's zip format (torch ≥ 1.6): `archive/data.pkl` (pickle
 * protocol 2), `archive/byteorder`, `archive/data/<N>` (one storage per tensor, raw
 * little-endian), `archive/version` — what `torch.load(path, weights_only=True)` reads.
 */
import { statePickle, type PickledTensor } from "./_pickle_writer";
import { ZipWriter } from "./_zip_writer";
import type { StateDictEntry } from "./state_dict";

const STORAGE = { float32: "FloatStorage", int32: "IntStorage", int64: "LongStorage" } as const;

/** The bytes of one entry in its torch dtype (int64 from int32 values). */
export function entryBytes(e: StateDictEntry): Uint8Array {
  if (e.dtype === "int64") {
    const out = new BigInt64Array(e.data.length);
    for (let i = 0; i < e.data.length; i++) out[i] = BigInt(e.data[i]);
    return new Uint8Array(out.buffer);
  }
  return new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength);
}

/**
 * Writes `entries` to `path` as a torch zip checkpoint.
 * @param path the file to write (its stem is not used: the top folder is `archive`, as torch.save writes).
 * @param entries the state dict, from {@link stateDict}.
 * @example
 * ```ts
 * writeTorchZip("model.pth", stateDict(model)); // python: torch.load("model.pth", weights_only=True)
 * ```
 */
export function writeTorchZip(path: string, entries: StateDictEntry[]): void {
  const tensors: PickledTensor[] = entries.map((e, i) => ({ name: e.name, key: String(i), storage: STORAGE[e.dtype], shape: e.shape }));
  const zip = new ZipWriter(path);
  try {
    zip.add("archive/data.pkl", statePickle(tensors));
    zip.add("archive/byteorder", Buffer.from("little"));
    entries.forEach((e, i) => zip.add(`archive/data/${i}`, entryBytes(e)));
    zip.add("archive/version", Buffer.from("3\n"));
  } catch (err) {
    zip.abort();
    throw err;
  }
  zip.close();
}
