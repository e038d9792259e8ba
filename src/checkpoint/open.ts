/**
 * `open(path)`: one entry point for every checkpoint format, chosen from the file's first bytes
 * (never its name): zip → torch-zip (`data.pkl`), Keras v3 (`config.json` + `model.weights.h5`)
 * or npz (`.npy` members); pickle → torch-legacy; `\x93NUMPY` → npy; HDF5 signature → Keras h5;
 * u64 length + `{` → safetensors; JSON → tfjs `model.json` (`weightsManifest`) or a sharded
 * safetensors index (`weight_map`).
 */
import { open as fsOpen, type FileHandle } from "node:fs/promises";
import { GraftFormatError } from "./errors";
import { ZipReader, readExactly } from "./_zip";
import { torchZipFromReader } from "./torch_zip";
import { openTorchLegacy } from "./torch_legacy";
import { openNpy } from "./npy";
import { openNpz } from "./npz";
import { openSafetensors } from "./safetensors";
import { openTfjs } from "./tfjs";
import { openKerasH5 } from "./keras_h5";
import { openKerasV3 } from "./keras_v3";
import type { Checkpoint, CheckpointFormat, OpenOptions } from "./types";

const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** What the first bytes say the file is; `"zip"` and `"json"` need a closer look. */
function sniffBytes(head: Uint8Array, size: number): CheckpointFormat | "zip" | "json" | undefined {
  const starts = (sig: number[]): boolean => sig.every((b, i) => head[i] === b);
  if (starts([0x50, 0x4b, 0x03, 0x04]) || starts([0x50, 0x4b, 0x05, 0x06])) return "zip";
  if (starts([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return "npy";
  if (starts(HDF5)) return "keras-h5";
  if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return "torch-legacy";
  if (head.length >= 9) {
    const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
    if (n > 0n && n <= BigInt(size - 8) && head[8] === 0x7b) return "safetensors";
  }
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09 || head[i] === 0xef || head[i] === 0xbb || head[i] === 0xbf)) i++;
  if (head[i] === 0x7b) return "json";
  return undefined;
}

/** The zip's format from its member names; the reader is returned open for torch-zip and npz. */
async function sniffZip(path: string, fh: FileHandle, size: number): Promise<{ format: CheckpointFormat; zip?: ZipReader }> {
  const zip = await ZipReader.fromHandle(path, fh, size);
  const names = zip.names;
  if (names.some((n) => /(^|\/)data\.pkl$/.test(n))) return { format: "torch-zip", zip };
  await zip.close();
  if (names.includes("config.json") && names.some((n) => n.endsWith(".weights.h5"))) return { format: "keras-v3" };
  if (names.some((n) => n.endsWith(".npy"))) return { format: "npz" };
  throw new GraftFormatError(path, `zip holds neither a PyTorch data.pkl, a Keras config.json + model.weights.h5, nor .npy arrays (members: ${names.slice(0, 6).join(", ")})`);
}

async function sniffJson(path: string, size: number): Promise<CheckpointFormat> {
  if (size > 100 * 2 ** 20) throw new GraftFormatError(path, `JSON file of ${size} bytes is too large for a model.json or a safetensors index (limit 100 MiB)`);
  const fh = await fsOpen(path, "r");
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await readExactly(fh, path, 0, size, "JSON")));
  } catch (err) {
    if (err instanceof GraftFormatError) throw err;
    throw new GraftFormatError(path, `file starts like JSON but does not parse: ${(err as Error).message}`, { cause: err });
  } finally {
    await fh.close();
  }
  if (json && typeof json === "object" && "weightsManifest" in json) return "tfjs";
  if (json && typeof json === "object" && "weight_map" in json) return "safetensors";
  throw new GraftFormatError(path, "JSON file is neither a tfjs model.json (weightsManifest) nor a safetensors index (weight_map)");
}

/**
 * Which checkpoint format a file holds, from its bytes.
 * @param path the file
 * @returns the format `open` would use
 * @example
 * ```ts
 * assert.equal(await sniffFormat("resnet18.pth"), "torch-zip");
 * ```
 */
export async function sniffFormat(path: string): Promise<CheckpointFormat> {
  const { format, zip } = await sniff(path);
  await zip?.close();
  return format;
}

async function sniff(path: string): Promise<{ format: CheckpointFormat; zip?: ZipReader }> {
  const fh = await fsOpen(path, "r");
  let head: Uint8Array;
  let size: number;
  try {
    size = (await fh.stat()).size;
    head = await readExactly(fh, path, 0, Math.min(size, 16), "file signature");
  } catch (err) {
    await fh.close();
    throw err;
  }
  const kind = sniffBytes(head, size);
  if (kind === "zip") return sniffZip(path, fh, size); // the zip reader keeps the handle (one open per checkpoint)
  await fh.close();
  if (kind === "json") return { format: await sniffJson(path, size) };
  if (kind) return { format: kind };
  const hex = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new GraftFormatError(
    path,
    `unrecognised checkpoint format (first bytes ${hex || "none: empty file"}); graft reads PyTorch (.pt/.pth/.bin), safetensors, tfjs model.json, Keras .h5/.keras, .npy and .npz`,
    { offset: 0 },
  );
}

/**
 * Opens a checkpoint of any supported format lazily: the index now, each tensor on `read`.
 * @param path the file (for tfjs, the model.json; for sharded safetensors, the index.json)
 * @param opts `container` to pick a key path in torch checkpoints; `onProgress`
 * @returns the {@link Checkpoint}; close it when done
 * @example Read one tensor of a torchvision state dict
 * ```ts
 * const ck = await open("resnet18.pth");
 * const w = await ck.read("conv1.weight"); // [64, 3, 7, 7] float32
 * await ck.close();
 * ```
 */
export async function open(path: string, opts: OpenOptions = {}): Promise<Checkpoint> {
  if (typeof path !== "string" || path === "") throw new TypeError(`Cannot open a checkpoint: path must be a non-empty string, got ${String(path)}`);
  const { format, zip } = await sniff(path);
  switch (format) {
    case "torch-zip":
      return torchZipFromReader(zip!, opts);
    case "torch-legacy":
      return openTorchLegacy(path, opts);
    case "npy":
      return openNpy(path, opts);
    case "npz":
      return openNpz(path, opts);
    case "safetensors":
      return openSafetensors(path, opts);
    case "tfjs":
      return openTfjs(path, opts);
    case "keras-h5":
      return openKerasH5(path, opts);
    case "keras-v3":
      return openKerasV3(path, opts);
  }
}
