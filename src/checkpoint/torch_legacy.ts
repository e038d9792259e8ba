/**
 * PyTorch legacy checkpoints (torch < 1.6 or `_use_new_zipfile_serialization=False`;
 * `torch/serialization.py` `_legacy_save`; ARCHITECTURE.md §4): five pickles back to back — the magic
 * number 0x1950a86a20f9469cfc6c, protocol 1001, sys_info, the object (storages as persistent ids
 * `('storage', type, key, location, numel, view_metadata)`), the sorted list of storage keys — then
 * per key in that order an int64 element count and the storage's raw bytes.
 * Opening reads the pickles and the 8-byte counts; `read(name)` reads that tensor's bytes.
 */
import { open as fsOpen, type FileHandle } from "node:fs/promises";
import { GraftFormatError } from "./errors";
import { readExactly } from "./_zip";
import { unpickle } from "./_pickle";
import { PyGlobal, type StorageRef } from "./_pickle_globals";
import { unwrapContainer } from "./_container";
import { torchCheckpoint } from "./_torch_checkpoint";
import { dtypeSize } from "./_dtype";
import { storageFromPid } from "./torch_zip";
import type { Checkpoint, OpenOptions } from "./types";

const MAGIC = 0x1950a86a20f9469cfc6cn;
const FIRST_CHUNK = 1 << 20;
const MAX_PICKLES = 1 << 30;

interface Header {
  object: unknown;
  keys: unknown;
  end: number;
  littleEndian: boolean;
  storages: Map<string, StorageRef>;
}

function parseHeader(bytes: Uint8Array, file: string): Header {
  const first = unpickle(bytes, file, { entry: "magic number" });
  if (first.value !== MAGIC) {
    throw new GraftFormatError(file, `not a PyTorch legacy file: the first pickle is ${String(first.value).slice(0, 40)}, expected the magic number ${MAGIC}`, {
      offset: 0,
    });
  }
  const proto = unpickle(bytes, file, { entry: "protocol version", start: first.end });
  if (proto.value !== 1001) throw new GraftFormatError(file, `legacy protocol version ${String(proto.value)}, expected 1001`, { offset: first.end });
  const info = unpickle(bytes, file, { entry: "sys_info", start: proto.end });
  const littleEndian = info.value instanceof Map ? info.value.get("little_endian") !== false : true;
  const storages = new Map<string, StorageRef>();
  const persistentLoad = (pid: unknown): unknown => {
    if (Array.isArray(pid) && pid[0] === "module") return pid[1] instanceof PyGlobal ? pid[1] : null;
    if (Array.isArray(pid) && pid.length >= 6 && pid[5] !== null) {
      throw new GraftFormatError(file, `storage views (view_metadata) in legacy files are not supported`, { entry: "object" });
    }
    return storageFromPid(file, pid, storages, "object");
  };
  const obj = unpickle(bytes, file, { entry: "object", start: info.end, persistentLoad });
  const keys = unpickle(bytes, file, { entry: "storage keys", start: obj.end });
  return { object: obj.value, keys: keys.value, end: keys.end, littleEndian, storages };
}

/**
 * Opens a PyTorch legacy (pre-zip) checkpoint lazily.
 * @param path the file
 * @param opts `container` to pick a key path explicitly
 * @returns a {@link Checkpoint} with format "torch-legacy"
 * @example
 * ```ts
 * const ck = await openTorchLegacy("old.pth");
 * const t = await ck.read(ck.entries[0].name);
 * ```
 */
export async function openTorchLegacy(path: string, opts: OpenOptions = {}): Promise<Checkpoint> {
  const fh = await fsOpen(path, "r");
  try {
    return await readIndex(path, fh, opts);
  } catch (err) {
    await fh.close();
    throw err;
  }
}

async function readIndex(file: string, fh: FileHandle, opts: OpenOptions): Promise<Checkpoint> {
  const size = (await fh.stat()).size;
  let chunk = Math.min(size, FIRST_CHUNK);
  let header: Header | undefined;
  // The pickles' length is unknown up front: parse a prefix, grow it while a pickle runs past it.
  for (;;) {
    const bytes = await readExactly(fh, file, 0, chunk, "legacy pickles");
    try {
      header = parseHeader(bytes, file);
      break;
    } catch (err) {
      if (!(err instanceof GraftFormatError) || !/truncated/.test(err.message) || chunk >= Math.min(size, MAX_PICKLES)) throw err;
      chunk = Math.min(size, chunk * 4, MAX_PICKLES);
    }
  }
  const { keys, storages } = header;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) {
    throw new GraftFormatError(file, `the storage key list is not a list of strings`, { entry: "storage keys" });
  }
  // Walk the storage records: int64 count, then the bytes.
  const offsets = new Map<string, { at: number; bytes: number }>();
  let pos = header.end;
  for (const key of keys as string[]) {
    const s = storages.get(key);
    if (!s) throw new GraftFormatError(file, `storage key ${key} is listed but no tensor uses it`, { entry: key, offset: pos });
    const head = await readExactly(fh, file, pos, 8, `storage ${key} size`);
    const dv = new DataView(head.buffer);
    const count = dv.getBigInt64(0, header.littleEndian);
    const bytes = s.numel * dtypeSize(s.dtype);
    if (count !== BigInt(s.numel)) {
      throw new GraftFormatError(file, `storage ${key} record says ${count} elements, the pickle says ${s.numel}`, { entry: key, offset: pos });
    }
    if (pos + 8 + bytes > size) {
      throw new GraftFormatError(file, `storage ${key} (${bytes} bytes at offset ${pos + 8}) runs past the end of the file (${size} bytes)`, {
        entry: key,
        offset: pos + 8,
      });
    }
    offsets.set(key, { at: pos + 8, bytes });
    pos += 8 + bytes;
  }
  for (const key of storages.keys()) {
    if (!offsets.has(key)) throw new GraftFormatError(file, `storage ${key} is used by a tensor but has no data record`, { entry: key });
  }
  const found = unwrapContainer(header.object, file, opts.container);
  return torchCheckpoint("torch-legacy", file, found, {
    bigEndian: !header.littleEndian,
    storageBytes: (s) => offsets.get(s.key)!.bytes,
    read: (s, start, length) => readExactly(fh, file, offsets.get(s.key)!.at + start, length, `storage ${s.key}`),
    close: () => fh.close(),
  });
}
