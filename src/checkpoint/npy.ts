/**
 * NumPy `.npy` (numpy/lib/format.py, format versions 1.0, 2.0, 3.0): magic `\x93NUMPY`, major and
 * minor version bytes, a little-endian header length (u16 in 1.0, u32 in 2.0/3.0), then a Python
 * dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` (latin1 in 1.0/2.0,
 * utf8 in 3.0) padded so the data starts 64-byte aligned; then the raw elements.
 * Fortran-ordered arrays are returned in C order; big-endian (`>`) elements are swapped.
 */
import { open as fsOpen } from "node:fs/promises";
import { basename } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { GraftFormatError } from "./errors";
import { decodeRaw, dtypeSize, toTfjs } from "./_dtype";
import { gatherStrided } from "./_strided";
import { readExactly } from "./_zip";
import type { Checkpoint, OpenOptions, RawTensor, SourceDType } from "./types";

const DESCR: Record<string, SourceDType> = {
  f8: "float64", f4: "float32", f2: "float16", i8: "int64", i4: "int32", i2: "int16", i1: "int8",
  u8: "uint64", u4: "uint32", u2: "uint16", u1: "uint8", b1: "bool",
};
const MAX_HEADER = 1 << 20;

/** A parsed .npy header. */
export interface NpyHeader {
  dtype: SourceDType;
  bigEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Offset of the first element from the start of the .npy bytes. */
  dataOffset: number;
  byteLength: number;
}

/** Bytes needed to know the header's length (magic + version + length field). */
export const NPY_PREAMBLE = 12;

/**
 * Parses an .npy header from the first bytes of the array (at least the whole header).
 * @param head the leading bytes
 * @param file the file, for errors
 * @param entry the npz member, for errors
 * @returns the header, or the total header length needed when `head` is too short
 * @example
 * ```ts
 * const bytes = new Uint8Array(fs.readFileSync("a.npy"));
 * const h = parseNpyHeader(bytes, "a.npy");
 * if ("needed" in h) throw new Error("read more");
 * ```
 */
export function parseNpyHeader(head: Uint8Array, file: string, entry?: string): NpyHeader | { needed: number } {
  const bad = (msg: string, offset?: number): never => {
    throw new GraftFormatError(file, msg, { entry, offset });
  };
  if (head.length < 10) bad(`file truncated: ${head.length} bytes is shorter than an .npy preamble`);
  if (head[0] !== 0x93 || String.fromCharCode(...head.subarray(1, 6)) !== "NUMPY") bad("not an .npy array: magic \\x93NUMPY missing", 0);
  const major = head[6];
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let len: number;
  let start: number;
  if (major === 1) {
    len = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (head.length < 12) return { needed: 12 };
    len = dv.getUint32(8, true);
    start = 12;
  } else {
    return bad(`unsupported .npy format version ${major}.${head[7]} (graft reads 1.0, 2.0, 3.0)`, 6);
  }
  if (len > MAX_HEADER) bad(`.npy header of ${len} bytes is over graft's ${MAX_HEADER}-byte limit`, 8);
  if (head.length < start + len) return { needed: start + len };
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(head.subarray(start, start + len));
  const descr = /'descr'\s*:\s*'([<>|=])([a-zA-Z])(\d*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shapeText) bad(`.npy header is not a {descr, fortran_order, shape} dict: ${JSON.stringify(text.slice(0, 120))}`, start);
  const dtype = DESCR[descr![2] + descr![3]];
  if (!dtype) bad(`unsupported numpy dtype '${descr![1]}${descr![2]}${descr![3]}' (graft reads float16/32/64, int8-64, uint8-64, bool)`, start);
  const dims = shapeText![1].split(",").map((s) => s.trim()).filter((s) => s !== "");
  const shape = dims.map((d) => (/^\d+$/.test(d) ? Number(d) : NaN));
  let numel = 1;
  for (const d of shape) numel *= d;
  if (!shape.every(Number.isSafeInteger) || !Number.isSafeInteger(numel * dtypeSize(dtype!))) bad(`bad shape (${shapeText![1]}) in .npy header`, start);
  return {
    dtype: dtype!,
    bigEndian: descr![1] === ">",
    fortranOrder: fortran![1] === "True",
    shape,
    dataOffset: start + len,
    byteLength: numel * dtypeSize(dtype!),
  };
}

/** Decodes an array's element bytes per its header (Fortran order → C order, endianness). */
export function decodeNpy(bytes: Uint8Array, h: NpyHeader): RawTensor {
  let b = bytes;
  if (h.fortranOrder && h.shape.length > 1) {
    const stride: number[] = [];
    let s = 1;
    for (const d of h.shape) {
      stride.push(s);
      s *= d;
    }
    b = gatherStrided(bytes, h.shape, stride, dtypeSize(h.dtype));
  }
  return { dtype: h.dtype, shape: h.shape.slice(), data: decodeRaw(b, h.dtype, h.bigEndian) };
}

/**
 * Opens a single .npy array as a one-entry checkpoint named after the file (`w.npy` → `w`).
 * @example
 * ```ts
 * const ck = await openNpy("w.npy");
 * const t = await ck.read("w");
 * ```
 */
export async function openNpy(path: string, _opts: OpenOptions = {}): Promise<Checkpoint> {
  const fh = await fsOpen(path, "r");
  try {
    const size = (await fh.stat()).size;
    let head = await readExactly(fh, path, 0, Math.min(size, 4096), ".npy header");
    let h = parseNpyHeader(head, path);
    if ("needed" in h) {
      if (h.needed > size) throw new GraftFormatError(path, `file truncated: the .npy header needs ${h.needed} bytes, the file has ${size}`);
      head = await readExactly(fh, path, 0, h.needed, ".npy header");
      h = parseNpyHeader(head, path);
      if ("needed" in h) throw new GraftFormatError(path, "corrupt .npy header");
    }
    const header = h;
    if (header.dataOffset + header.byteLength !== size) {
      throw new GraftFormatError(
        path,
        `shape [${header.shape}] of ${header.dtype} needs ${header.byteLength} bytes after the ${header.dataOffset}-byte header; the file holds ${size - header.dataOffset}`,
      );
    }
    const name = basename(path).replace(/\.npy$/i, "");
    let closed = false;
    const readRaw = async (n: string): Promise<RawTensor> => {
      if (n !== name) throw new GraftFormatError(path, `no tensor named "${n}"; this .npy holds one array, "${name}"`, { entry: n });
      if (closed) throw new GraftFormatError(path, "checkpoint is closed", { entry: n });
      return decodeNpy(await readExactly(fh, path, header.dataOffset, header.byteLength, name), header);
    };
    return {
      format: "npy",
      path,
      entries: [{ name, shape: header.shape.slice(), dtype: header.dtype, byteLength: header.byteLength }],
      metadata: {},
      readRaw,
      read: async (n: string): Promise<tf.Tensor> => toTfjs(await readRaw(n), path, n),
      close: async () => {
        if (!closed) await fh.close();
        closed = true;
      },
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}
