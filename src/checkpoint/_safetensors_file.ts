/** One open safetensors file: open + validate the header, read an entry's byte range. */
import { open as fsOpen, type FileHandle } from "node:fs/promises";
import { decodeRaw } from "./_dtype";
import { readExactly } from "./_zip";
import { headerLength, parseSafetensorsHeader, type SafetensorsEntry, type SafetensorsHeader } from "./_safetensors_header";
import type { RawTensor } from "./types";

/** One open safetensors file: its handle and validated header. */
export interface SafetensorsFile {
  path: string;
  handle: FileHandle;
  header: SafetensorsHeader;
}

/**
 * Opens one safetensors file and validates its header; the caller closes `handle`.
 * @param path the .safetensors file
 * @returns the open file with its header
 * @example
 * ```ts
 * const f = await openSafetensorsFile("model.safetensors");
 * console.log(f.header.entries.length);
 * await f.handle.close();
 * ```
 */
export async function openSafetensorsFile(path: string): Promise<SafetensorsFile> {
  const handle = await fsOpen(path, "r");
  try {
    const size = (await handle.stat()).size;
    const first8 = size >= 8 ? await readExactly(handle, path, 0, 8, "safetensors header length") : new Uint8Array(8);
    const n = headerLength(first8, path, size);
    const json = await readExactly(handle, path, 8, n, "safetensors header");
    return { path, handle, header: parseSafetensorsHeader(json, path, size) };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * Reads one validated entry's bytes from an open file and decodes them.
 * @param file the open file
 * @param e the entry, from its header
 * @returns the raw tensor (source dtype)
 * @example
 * ```ts
 * const f = await openSafetensorsFile("model.safetensors");
 * const raw = await readSafetensorsEntry(f, f.header.entries[0]);
 * ```
 */
export async function readSafetensorsEntry(file: SafetensorsFile, e: SafetensorsEntry): Promise<RawTensor> {
  const bytes = await readExactly(file.handle, file.path, e.offset, e.byteLength, e.name);
  return { dtype: e.dtype, shape: e.shape.slice(), data: decodeRaw(bytes, e.dtype) };
}
