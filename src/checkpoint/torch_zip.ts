/**
 * PyTorch zip checkpoints (torch ≥ 1.6; `torch/serialization.py`, `caffe2/serialize/inline_container.cc`;
 * ARCHITECTURE.md §4): one top folder holding `data.pkl` (protocol 2), `byteorder` (absent = little),
 * `version` or `.data/version`, optional `.format_version` / `.storage_alignment` /
 * `.data/serialization_id`, and each storage's raw bytes in `data/<key>`.
 * Opening reads the central directory and `data.pkl` only; `read(name)` reads that tensor's bytes
 * (a contiguous float32 tensor on the wasm backend straight into the new tensor's memory, header
 * and data in one system call: `ZipReader.readStoredInto`).
 */
import { GraftFormatError } from "./errors";
import { ZipReader } from "./_zip";
import { unpickle } from "./_pickle";
import { PyGlobal, TORCH_DTYPES, type StorageRef } from "./_pickle_globals";
import { unwrapContainer } from "./_container";
import { torchCheckpoint } from "./_torch_checkpoint";
import type { Checkpoint, OpenOptions } from "./types";

const MAX_PICKLE_BYTES = 1 << 30;

/** Turns torch's persistent id `('storage', torch.XStorage, key, location, numel)` into a {@link StorageRef}. */
export function storageFromPid(file: string, pid: unknown, cache: Map<string, StorageRef>, entry?: string): StorageRef {
  if (!Array.isArray(pid) || pid.length < 5 || pid[0] !== "storage") {
    throw new GraftFormatError(file, `unexpected persistent id ${JSON.stringify(Array.isArray(pid) ? pid[0] : typeof pid)}; expected ('storage', …)`, { entry });
  }
  const [, type, key, , numel] = pid as unknown[];
  if (!(type instanceof PyGlobal) || !TORCH_DTYPES[type.name]) {
    throw new GraftFormatError(file, `unsupported storage type ${type instanceof PyGlobal ? type.qualified : String(type)}`, { entry });
  }
  if (typeof key !== "string" || !/^[A-Za-z0-9_.-]+$/.test(key)) throw new GraftFormatError(file, `bad storage key ${String(key)}`, { entry });
  if (!Number.isSafeInteger(numel) || (numel as number) < 0) throw new GraftFormatError(file, `bad storage size ${String(numel)}`, { entry });
  const cached = cache.get(key);
  if (cached) return cached;
  const ref: StorageRef = { kind: "storage", key, dtype: TORCH_DTYPES[type.name], numel: numel as number };
  cache.set(key, ref);
  return ref;
}

/** The archive's top folder, taken from the member that holds `data.pkl`. */
function findPrefix(zip: ZipReader): string {
  const pkl = zip.names.find((n) => /^[^/]+\/data\.pkl$/.test(n)) ?? zip.names.find((n) => n.endsWith("/data.pkl") || n === "data.pkl");
  if (pkl === undefined) {
    throw new GraftFormatError(zip.path, `zip has no data.pkl, so it is not a PyTorch checkpoint (members: ${zip.names.slice(0, 5).join(", ")})`);
  }
  return pkl.slice(0, pkl.length - "data.pkl".length);
}

async function readText(zip: ZipReader, name: string): Promise<string | undefined> {
  const e = zip.entry(name);
  if (!e || e.uncompressedSize > 64) return undefined;
  return new TextDecoder().decode(await zip.read(name)).trim();
}

/**
 * Opens a PyTorch zip checkpoint lazily.
 * @param path the .pt/.pth/.bin file
 * @param opts `container` to pick a key path explicitly
 * @returns a {@link Checkpoint} with format "torch-zip"
 * @example
 * ```ts
 * const ck = await openTorchZip("resnet18.pth");
 * console.log(ck.entries.length, ck.container);
 * await ck.close();
 * ```
 */
export async function openTorchZip(path: string, opts: OpenOptions = {}): Promise<Checkpoint> {
  return torchZipFromReader(await ZipReader.open(path), opts);
}

/** {@link openTorchZip} over an open {@link ZipReader}; the checkpoint owns (and closes) it. */
export async function torchZipFromReader(zip: ZipReader, opts: OpenOptions = {}): Promise<Checkpoint> {
  try {
    return await readIndex(zip, opts);
  } catch (err) {
    await zip.close();
    throw err;
  }
}

async function readIndex(zip: ZipReader, opts: OpenOptions): Promise<Checkpoint> {
  const file = zip.path;
  const prefix = findPrefix(zip);
  const byteorder = (await readText(zip, `${prefix}byteorder`)) ?? "little";
  if (byteorder !== "little" && byteorder !== "big") {
    throw new GraftFormatError(file, `byteorder record says "${byteorder}", expected "little" or "big"`, { entry: `${prefix}byteorder` });
  }
  const version = (await readText(zip, `${prefix}.data/version`)) ?? (await readText(zip, `${prefix}version`));
  const pklName = `${prefix}data.pkl`;
  const pklEntry = zip.entry(pklName)!;
  if (pklEntry.uncompressedSize > MAX_PICKLE_BYTES) {
    throw new GraftFormatError(file, `data.pkl is ${pklEntry.uncompressedSize} bytes, over graft's 1 GiB limit`, { entry: pklName });
  }
  const pkl = await zip.read(pklName);
  const storages = new Map<string, StorageRef>();
  const { value } = unpickle(pkl, file, { entry: pklName, persistentLoad: (pid) => storageFromPid(file, pid, storages, pklName) });
  const found = unwrapContainer(value, file, opts.container);
  if (version !== undefined && !/^\d+$/.test(version)) {
    throw new GraftFormatError(file, `archive version record is "${version}", expected a number`, { entry: `${prefix}version` });
  }
  const dataName = (s: StorageRef): string => `${prefix}data/${s.key}`;
  for (const s of storages.values()) {
    if (!zip.entry(dataName(s))) {
      throw new GraftFormatError(file, `storage ${s.key} is referenced by data.pkl but has no member ${dataName(s)}`, { entry: dataName(s) });
    }
  }
  return torchCheckpoint("torch-zip", file, found, {
    bigEndian: byteorder === "big",
    storageBytes: (s) => zip.entry(dataName(s))!.uncompressedSize,
    read: (s, start, length) => zip.read(dataName(s), start, length),
    readsInPlace: (s) => zip.entry(dataName(s))!.method === 0,
    readInto: (s, start, length, into, split) => zip.readStoredInto(dataName(s), start, length, into, split),
    locate: async (s, start) => ({ fd: zip.handle.fd, position: (await zip.dataOffset(dataName(s))) + start }),
    close: () => zip.close(),
  });
}
