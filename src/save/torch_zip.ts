/**
 * Writes a state dict as PyTorch's zip format (torch ≥ 1.6): `archive/data.pkl` (pickle
 * protocol 2), `archive/byteorder`, `archive/data/<N>` (one storage per tensor, raw
 * little-endian), `archive/version` — what `torch.load(path, weights_only=True)` reads.
 * Tensors are converted and written one by one (the write of one overlaps the conversion of
 * the next); `data.pkl`'s bytes come last but it is listed first, as torch lists it.
 */
import { statePickle, type PickledTensor } from "./_pickle_writer";
import { ZipWriter } from "./_zip_writer";
import type { ExportStep, StateDictEntry } from "./state_dict";

/** Tensors below this many bytes are written synchronously. */
const SMALL = 1 << 20;

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
 * Writes the state dict of `steps` to `path` as a torch zip checkpoint.
 * @param path the file to write (the top folder inside is `archive`, as torch.save writes).
 * @param steps the conversions from {@link planStateDict}.
 * @returns the entries written (names, shapes, transforms; their data is not kept alive by the writer afterwards).
 * @example
 * ```ts
 * // save() plans the state dict (state_dict.ts) and hands the steps here:
 * await writeTorchZip("model.pth", []); // an empty state dict: python: torch.load("model.pth", weights_only=True) == {} // python: torch.load("model.pth", weights_only=True)
 * ```
 */
export async function writeTorchZip(path: string, steps: ExportStep[]): Promise<StateDictEntry[]> {
  const zip = await ZipWriter.create(path);
  const written: StateDictEntry[] = [];
  try {
    for (const step of steps) {
      for (const e of step.convert()) {
        // Heap views must be written before the next await; small tensors are cheaper written at once than queued.
        const bytes = entryBytes(e);
        await zip.add(`archive/data/${written.length}`, bytes, written.length + 2, e.borrowed || bytes.length < SMALL);
        written.push(e.borrowed ? { ...e, data: new Float32Array(0), borrowed: false } : e);
      }
    }
    const tensors: PickledTensor[] = written.map((e, i) => ({ name: e.name, key: String(i), storage: STORAGE[e.dtype], shape: e.shape, stride: e.stride }));
    await zip.add("archive/data.pkl", statePickle(tensors), 0);
    await zip.add("archive/byteorder", Buffer.from("little"), 1);
    await zip.add("archive/version", Buffer.from("3\n"), written.length + 2);
  } catch (err) {
    await zip.abort();
    throw err;
  }
  await zip.close();
  return written;
}
