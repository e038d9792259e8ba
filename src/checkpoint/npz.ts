/**
 * NumPy `.npz` (numpy `savez` / `savez_compressed`): a zip (stored or deflated, members written
 * with ZIP64 extras) whose members `<name>.npy` are .npy arrays (see npy.ts). Opening reads the
 * central directory and each member's header only; `read(name)` reads that member.
 */
import type * as tf from "@tensorflow/tfjs";
import { GraftFormatError } from "./errors";
import { toTfjs } from "./_dtype";
import { ZipReader } from "./_zip";
import { decodeNpy, parseNpyHeader, type NpyHeader } from "./npy";
import type { Checkpoint, OpenOptions, RawTensor, TensorInfo } from "./types";

/**
 * Opens an .npz archive lazily; tensor names are the member names without `.npy`.
 * @example
 * ```ts
 * const ck = await openNpz("weights.npz");
 * const t = await ck.read("arr_0");
 * ```
 */
export async function openNpz(path: string, opts: OpenOptions = {}): Promise<Checkpoint> {
  return npzFromReader(await ZipReader.open(path), opts);
}

/** {@link openNpz} over an open {@link ZipReader}; the checkpoint owns (and closes) it. */
export async function npzFromReader(zip: ZipReader, _opts: OpenOptions = {}): Promise<Checkpoint> {
  const path = zip.path;
  try {
    const headers = new Map<string, { member: string; header: NpyHeader }>();
    const entries: TensorInfo[] = [];
    for (const member of zip.names) {
      if (!member.endsWith(".npy")) continue;
      let head = await zip.readPrefix(member, 4096);
      let h = parseNpyHeader(head, path, member);
      if ("needed" in h) {
        head = await zip.readPrefix(member, h.needed);
        h = parseNpyHeader(head, path, member);
        if ("needed" in h) throw new GraftFormatError(path, `member truncated inside its .npy header`, { entry: member });
      }
      const size = zip.entry(member)!.uncompressedSize;
      if (h.dataOffset + h.byteLength !== size) {
        throw new GraftFormatError(
          path,
          `shape [${h.shape}] of ${h.dtype} needs ${h.byteLength} bytes after the header; the member holds ${size - h.dataOffset}`,
          { entry: member },
        );
      }
      const name = member.slice(0, -4);
      headers.set(name, { member, header: h });
      entries.push({ name, shape: h.shape.slice(), dtype: h.dtype, byteLength: h.byteLength });
    }
    if (entries.length === 0) throw new GraftFormatError(path, `zip has no .npy members, so it is not an .npz (members: ${zip.names.slice(0, 5).join(", ")})`);
    let closed = false;
    const readRaw = async (name: string): Promise<RawTensor> => {
      const found = headers.get(name);
      if (!found) throw new GraftFormatError(path, `no array named "${name}" (arrays: ${[...headers.keys()].slice(0, 5).join(", ")})`, { entry: name });
      if (closed) throw new GraftFormatError(path, "checkpoint is closed", { entry: name });
      const { member, header } = found;
      return decodeNpy(await zip.read(member, header.dataOffset, header.byteLength), header);
    };
    return {
      format: "npz",
      path,
      entries,
      metadata: {},
      readRaw,
      read: async (name: string): Promise<tf.Tensor> => toTfjs(await readRaw(name), path, name),
      close: async () => {
        if (!closed) await zip.close();
        closed = true;
      },
    };
  } catch (err) {
    await zip.close();
    throw err;
  }
}
