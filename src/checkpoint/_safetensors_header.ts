/**
 * Parses and validates a safetensors header (huggingface/safetensors README, ARCHITECTURE.md §4) before
 * any tensor byte is touched: 8 bytes N (u64 little endian, read as BigInt), N bytes of JSON
 * starting with `{` and at most 100 MB, then the data. Every entry `{dtype, shape, data_offsets}`
 * must name a known dtype, have `end - begin == prod(shape) * size` (checked in BigInt), and the
 * entries sorted by offset must tile the data with no hole and no overlap, covering it exactly.
 */
import { GraftFormatError } from "./errors";
import { dtypeSize } from "./_dtype";
import type { SourceDType, TensorInfo } from "./types";

/** safetensors dtype spellings → graft's SourceDType. */
export const SAFETENSORS_DTYPES: Readonly<Record<string, SourceDType>> = Object.freeze({
  BOOL: "bool",
  U8: "uint8",
  I8: "int8",
  F8_E5M2: "float8_e5m2",
  F8_E4M3: "float8_e4m3",
  I16: "int16",
  U16: "uint16",
  F16: "float16",
  BF16: "bfloat16",
  I32: "int32",
  U32: "uint32",
  F32: "float32",
  F64: "float64",
  I64: "int64",
  U64: "uint64",
});

/** The largest header graft (like the reference implementation) accepts: 100 MB. */
export const MAX_HEADER_BYTES = 100_000_000;

/** One tensor of a safetensors file: its info and where its bytes are, from the start of the file. */
export interface SafetensorsEntry extends TensorInfo {
  /** Absolute file offset of the first byte. */
  offset: number;
}

/** The parsed header of one file. */
export interface SafetensorsHeader {
  /** Bytes before the data: 8 + N. */
  dataStart: number;
  /** Entries sorted by offset (file order). */
  entries: SafetensorsEntry[];
  /** `__metadata__` (string → string), or {} when absent. */
  metadata: Record<string, string>;
}

/**
 * Reads N from the first 8 bytes and checks it against the limit and the file size.
 * @param first8 the first 8 bytes of the file
 * @param file the file, for errors
 * @param fileSize its size in bytes
 * @returns N, the JSON header length
 * @example
 * ```ts
 * const n = headerLength(new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0]), "a.safetensors", 10); // 2
 * ```
 */
export function headerLength(first8: Uint8Array, file: string, fileSize: number): number {
  if (fileSize < 8) throw new GraftFormatError(file, `file truncated: ${fileSize} bytes is shorter than the 8-byte safetensors header length`, { offset: 0 });
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new GraftFormatError(file, `safetensors header length ${n} is over the ${MAX_HEADER_BYTES}-byte limit; the file is corrupt or not safetensors`, { offset: 0 });
  }
  if (n + 8n > BigInt(fileSize)) {
    throw new GraftFormatError(file, `file truncated: the header says ${n} bytes of JSON follow, but the file has only ${fileSize - 8} after the length`, { offset: 8 });
  }
  if (n < 2n) throw new GraftFormatError(file, `safetensors header length ${n} is too short to hold a JSON object`, { offset: 0 });
  return Number(n);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parses the JSON header and validates every entry against the data section.
 * @param json the N header bytes
 * @param file the file, for errors
 * @param fileSize the whole file's size
 * @returns the entries in file order and the metadata
 * @example
 * ```ts
 * const bytes = new Uint8Array(fs.readFileSync("model.safetensors"));
 * const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
 * const h = parseSafetensorsHeader(bytes.subarray(8, 8 + n), "model.safetensors", bytes.length);
 * h.entries[0]; // { name, dtype, shape, byteLength, offset }
 * ```
 */
export function parseSafetensorsHeader(json: Uint8Array, file: string, fileSize: number): SafetensorsHeader {
  const dataStart = 8 + json.length;
  if (json[0] !== 0x7b) throw new GraftFormatError(file, `safetensors header must be a JSON object starting with "{", got byte 0x${(json[0] ?? 0).toString(16)}`, { offset: 8 });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json));
  } catch (err) {
    throw new GraftFormatError(file, `safetensors header is not valid UTF-8 JSON: ${(err as Error).message}`, { offset: 8, cause: err });
  }
  if (!isPlainObject(parsed)) throw new GraftFormatError(file, "safetensors header must be a JSON object", { offset: 8 });
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (name === "__metadata__") {
      if (!isPlainObject(value)) throw new GraftFormatError(file, `__metadata__ must be an object of strings, got ${JSON.stringify(value)?.slice(0, 80)}`, { entry: name });
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") throw new GraftFormatError(file, `__metadata__.${k} must be a string, got ${JSON.stringify(v)?.slice(0, 80)}`, { entry: name });
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    entries.push(parseEntry(name, value, file, dataStart));
  }
  entries.sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength);
  let expected = dataStart;
  for (const e of entries) {
    if (e.offset !== expected) {
      const what = e.offset < expected ? "overlaps the tensor before it" : `leaves a hole of ${e.offset - expected} bytes before it`;
      throw new GraftFormatError(
        file,
        `data_offsets [${e.offset - dataStart}, ${e.offset - dataStart + e.byteLength}] ${what} (expected it to begin at ${expected - dataStart}); offsets must be contiguous`,
        { entry: e.name, offset: e.offset },
      );
    }
    expected += e.byteLength;
  }
  if (expected !== fileSize) {
    throw new GraftFormatError(
      file,
      expected > fileSize
        ? `file truncated: the tensors need ${expected - dataStart} bytes of data, the file holds ${fileSize - dataStart}`
        : `the tensors cover ${expected - dataStart} bytes of data but the file holds ${fileSize - dataStart}; safetensors data must be covered exactly`,
      { offset: Math.min(expected, fileSize) },
    );
  }
  return { dataStart, entries, metadata };
}

function parseEntry(name: string, value: unknown, file: string, dataStart: number): SafetensorsEntry {
  const bad = (msg: string): never => {
    throw new GraftFormatError(file, msg, { entry: name });
  };
  if (!isPlainObject(value)) return bad(`entry must be an object {dtype, shape, data_offsets}, got ${JSON.stringify(value)?.slice(0, 80)}`);
  const { dtype: tag, shape, data_offsets: offsets } = value;
  if (typeof tag !== "string" || !Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPES, tag)) {
    return bad(`unknown dtype ${JSON.stringify(tag)}; safetensors dtypes are ${Object.keys(SAFETENSORS_DTYPES).join(" ")}`);
  }
  const dtype = SAFETENSORS_DTYPES[tag];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return bad(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)?.slice(0, 80)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    return bad(`data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)?.slice(0, 80)}`);
  }
  const [begin, end] = offsets as number[];
  if (end < begin) return bad(`data_offsets [${begin}, ${end}] end before they begin`);
  let numel = 1n;
  for (const d of shape as number[]) numel *= BigInt(d);
  const need = numel * BigInt(dtypeSize(dtype));
  if (need !== BigInt(end - begin)) {
    return bad(`shape [${shape}] of ${tag} needs ${need} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, dtype, shape: (shape as number[]).slice(), byteLength: end - begin, offset: dataStart + begin };
}
