/**
 * A small random-access ZIP reader (PKWARE APPNOTE 6.3: end of central directory, ZIP64 end
 * locator + record, central directory, local headers; methods 0 = stored and 8 = deflate).
 *
 * Why our own and not a library: JSZip 3.10 cannot open torch zips at all ("expected N records
 * in central dir, got 0") and reads whole files into memory; yauzl/fflate are not
 * dependencies and are stream- or buffer-oriented. Checkpoints are routinely > 4 GiB, so graft
 * needs exactly this: read the central directory once, then `fs.read` only the byte ranges of
 * the tensor asked for. ~250 lines with every size and offset checked against the file size
 * before anything is allocated.
 *
 * Torch aligns tensor data to 64 bytes with a padding extra field in the LOCAL header only, so
 * the data offset comes from the local header (`offset + 30 + name_len + local_extra_len`),
 * never from the central directory's extra length. CRCs are not checked (tensors are sliced).
 */
import { readvSync } from "node:fs";
import { open as fsOpen, type FileHandle } from "node:fs/promises";
import { constants as zlibConstants, inflateRawSync } from "node:zlib";
import { GraftFormatError } from "./errors";
import { readExactly, readInto, SPLIT_MIN } from "./_file_read";

// Readers of other formats take these from here too.
export { readExactly, readInto };

/** One member of the archive, as the central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
/** Refuse archives whose central directory alone is larger than this (a corrupt size). */
const MAX_CENTRAL_DIRECTORY = 1 << 30;
/** Local extra-field bytes a combined header+data read allows for (torch's padding is < 64 + 4). */
const LOCAL_EXTRA_GUESS = 128;
/**
 * Largest member read in one combined header+data system call: longer ones go through
 * `readInto`, which reads them on two threads at once (and yields to the event loop in pieces).
 */
const COMBINED_READ_MAX = SPLIT_MIN - 1;

function u64(view: DataView, at: number, file: string, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GraftFormatError(file, `${what} ${v} is beyond 2^53; the zip is corrupt`);
  return Number(v);
}

/**
 * Random-access reader over one open file. Create with {@link ZipReader.open}; close when done.
 * @example List and read a member
 * ```ts
 * const zip = await ZipReader.open("resnet18.pth");
 * const pkl = await zip.read(zip.names.find((n) => n.endsWith("/data.pkl"))!);
 * await zip.close();
 * ```
 */
export class ZipReader {
  /** Member names in central-directory order. */
  readonly names: string[] = [];
  private readonly byName = new Map<string, ZipEntry>();
  private readonly dataOffsets = new Map<string, number>();

  private constructor(
    readonly path: string,
    readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** Opens `path` and reads its central directory (nothing else). */
  static async open(path: string): Promise<ZipReader> {
    const fh = await fsOpen(path, "r");
    let size: number;
    try {
      size = (await fh.stat()).size;
    } catch (err) {
      await fh.close();
      throw err;
    }
    return ZipReader.fromHandle(path, fh, size);
  }

  /** Reads the central directory over an already open handle of `size` bytes, which the reader now owns: {@link close} closes it, and so does a failure here. */
  static async fromHandle(path: string, fh: FileHandle, size: number): Promise<ZipReader> {
    const zip = new ZipReader(path, fh, size);
    try {
      await zip.readCentralDirectory();
    } catch (err) {
      await fh.close();
      throw err;
    }
    return zip;
  }

  /** The entry called `name`, or undefined. */
  entry(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  private async readCentralDirectory(): Promise<void> {
    const file = this.path;
    if (this.size < 22) throw new GraftFormatError(file, `not a zip: ${this.size} bytes is shorter than an end-of-central-directory record (22)`);
    const tailLen = Math.min(this.size, 22 + 0xffff + 20);
    const tailStart = this.size - tailLen;
    const tail = await readExactly(this.handle, file, tailStart, tailLen, "end of central directory search");
    const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tv.getUint32(i, true) === EOCD_SIG && i + 22 + tv.getUint16(i + 20, true) <= tailLen) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new GraftFormatError(file, "not a zip: no end-of-central-directory record in the last 64 KiB");
    let count = tv.getUint16(eocd + 10, true);
    let cdSize = tv.getUint32(eocd + 12, true);
    let cdOffset = tv.getUint32(eocd + 16, true);
    const eocdPos = tailStart + eocd;
    let cdLimit = eocdPos;
    if (eocd >= 20 && tv.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIG) {
      const recPos = u64(tv, eocd - 20 + 8, file, "ZIP64 end record offset");
      if (recPos + 56 > eocdPos - 20) {
        throw new GraftFormatError(file, `ZIP64 end record offset ${recPos} is beyond the locator at ${eocdPos - 20}`, { offset: eocdPos - 20 });
      }
      const rec = await readExactly(this.handle, file, recPos, 56, "ZIP64 end of central directory record");
      const rv = new DataView(rec.buffer);
      if (rv.getUint32(0, true) !== ZIP64_EOCD_SIG) {
        throw new GraftFormatError(file, `bad ZIP64 end record signature 0x${rv.getUint32(0, true).toString(16)}`, { offset: recPos });
      }
      count = u64(rv, 32, file, "ZIP64 entry count");
      cdSize = u64(rv, 40, file, "ZIP64 central directory size");
      cdOffset = u64(rv, 48, file, "ZIP64 central directory offset");
      cdLimit = recPos;
    }
    if (cdOffset + cdSize > cdLimit || cdSize > MAX_CENTRAL_DIRECTORY) {
      throw new GraftFormatError(
        file,
        `corrupt central directory: ${cdSize} bytes at offset ${cdOffset} run past its end record at ${cdLimit} (file size ${this.size})`,
        { offset: cdOffset },
      );
    }
    if (count > cdSize / 46) {
      throw new GraftFormatError(file, `corrupt central directory: ${count} entries cannot fit in ${cdSize} bytes`, { offset: cdOffset });
    }
    const cd = await readExactly(this.handle, file, cdOffset, cdSize, "central directory");
    this.parseCentralDirectory(cd, cdOffset, count);
  }

  private parseCentralDirectory(cd: Uint8Array, base: number, count: number): void {
    const file = this.path;
    const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
    const decoder = new TextDecoder();
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || v.getUint32(p, true) !== CENTRAL_SIG) {
        throw new GraftFormatError(file, `corrupt central directory: entry ${i} of ${count} has no header at offset ${base + p}`, { offset: base + p });
      }
      const flags = v.getUint16(p + 8, true);
      const method = v.getUint16(p + 10, true);
      let compressedSize = v.getUint32(p + 20, true);
      let uncompressedSize = v.getUint32(p + 24, true);
      const nameLen = v.getUint16(p + 28, true);
      const extraLen = v.getUint16(p + 30, true);
      const commentLen = v.getUint16(p + 32, true);
      let localHeaderOffset = v.getUint32(p + 42, true);
      const end = p + 46 + nameLen + extraLen + commentLen;
      if (end > cd.length) throw new GraftFormatError(file, `corrupt central directory: entry ${i} runs past its end`, { offset: base + p });
      const name = decoder.decode(cd.subarray(p + 46, p + 46 + nameLen));
      // ZIP64 extended information: only the fields whose 32-bit value is saturated, in this order.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = v.getUint16(e, true);
        const len = v.getUint16(e + 2, true);
        if (e + 4 + len > extraEnd) throw new GraftFormatError(file, `corrupt extra field in central directory`, { entry: name, offset: base + e });
        if (id === 0x0001) {
          let q = e + 4;
          const take = (what: string): number => {
            if (q + 8 > e + 4 + len) throw new GraftFormatError(file, `ZIP64 extra field too short for the ${what}`, { entry: name, offset: base + q });
            const val = u64(v, q, file, `${name}: ZIP64 ${what}`);
            q += 8;
            return val;
          };
          if (uncompressedSize === 0xffffffff) uncompressedSize = take("uncompressed size");
          if (compressedSize === 0xffffffff) compressedSize = take("compressed size");
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = take("local header offset");
        }
        e += 4 + len;
      }
      if (flags & 1) throw new GraftFormatError(file, "encrypted zip members are not supported", { entry: name });
      if (method !== 0 && method !== 8) {
        throw new GraftFormatError(file, `unsupported compression method ${method} (graft reads stored and deflate)`, { entry: name });
      }
      if (method === 0 && compressedSize !== uncompressedSize) {
        throw new GraftFormatError(file, `stored member sizes disagree: ${compressedSize} vs ${uncompressedSize}`, { entry: name });
      }
      if (localHeaderOffset + 30 + compressedSize > base) {
        throw new GraftFormatError(
          file,
          `member data (${compressedSize} bytes at offset ${localHeaderOffset}) runs into the central directory at ${base}`,
          { entry: name, offset: localHeaderOffset },
        );
      }
      if (this.byName.has(name)) throw new GraftFormatError(file, `duplicate member name`, { entry: name });
      this.byName.set(name, { name, method, compressedSize, uncompressedSize, localHeaderOffset });
      this.names.push(name);
      p = end;
    }
  }

  private require(name: string): ZipEntry {
    const entry = this.byName.get(name);
    if (!entry) throw new GraftFormatError(this.path, `no member named ${name} in the zip`, { entry: name });
    return entry;
  }

  /** Absolute file offset of the member's data, from its local header (cached). */
  async dataOffset(name: string): Promise<number> {
    const cached = this.dataOffsets.get(name);
    if (cached !== undefined) return cached;
    const entry = this.require(name);
    const h = await readExactly(this.handle, this.path, entry.localHeaderOffset, 30, `local header of ${name}`);
    return this.localHeader(entry, h);
  }

  /** Checks a local header (its first 30 bytes in `h`) and caches the data offset it gives. */
  private localHeader(entry: ZipEntry, h: Uint8Array): number {
    const name = entry.name;
    const hv = new DataView(h.buffer, h.byteOffset, 30);
    if (hv.getUint32(0, true) !== LOCAL_SIG) {
      throw new GraftFormatError(this.path, `bad local header signature at offset ${entry.localHeaderOffset}`, {
        entry: name,
        offset: entry.localHeaderOffset,
      });
    }
    const offset = entry.localHeaderOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
    if (offset + entry.compressedSize > this.size) {
      throw new GraftFormatError(
        this.path,
        `member data (${entry.compressedSize} bytes at offset ${offset}) runs past the end of the file (${this.size} bytes)`,
        { entry: name, offset },
      );
    }
    this.dataOffsets.set(name, offset);
    return offset;
  }

  /**
   * A stored member's bytes [start, start+len) when its local header has not been read yet: one
   * read from the local header on, placed so that file offsets keep their alignment mod 64 in
   * the buffer (torch aligns data to 64 bytes, so tensors come back aligned, without a copy).
   */
  private async readStoredWithHeader(entry: ZipEntry, start: number, len: number): Promise<Uint8Array | undefined> {
    const lho = entry.localHeaderOffset;
    const pad = lho % 64;
    const span = Math.min(this.size - lho, 30 + Buffer.byteLength(entry.name) + LOCAL_EXTRA_GUESS + start + len);
    if (span < 30) return undefined;
    const buf = Buffer.allocUnsafeSlow(pad + span);
    await readInto(this.handle, this.path, buf, pad, lho, span, entry.name);
    const offset = this.localHeader(entry, buf.subarray(pad, pad + 30));
    const from = pad + offset - lho + start;
    if (from + len > buf.length) return undefined;
    return buf.subarray(from, from + len);
  }

  /**
   * Reads a member, or `length` bytes of it from `start` (stored members read only that range;
   * deflated ones are inflated whole, then sliced).
   */
  async read(name: string, start = 0, length?: number): Promise<Uint8Array> {
    const entry = this.require(name);
    const len = length ?? entry.uncompressedSize - start;
    if (start < 0 || len < 0 || start + len > entry.uncompressedSize) {
      throw new GraftFormatError(this.path, `range ${start}+${len} is outside the member's ${entry.uncompressedSize} bytes`, { entry: name });
    }
    if (entry.method === 0 && !this.dataOffsets.has(name) && start < 4096) {
      const bytes = await this.readStoredWithHeader(entry, start, len);
      if (bytes) return bytes;
    }
    const offset = await this.dataOffset(name);
    if (entry.method === 0) return readExactly(this.handle, this.path, offset + start, len, name);
    const packed = await readExactly(this.handle, this.path, offset, entry.compressedSize, name);
    let out: Buffer;
    try {
      out = inflateRawSync(packed, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    } catch (err) {
      throw new GraftFormatError(this.path, `deflate data is corrupt: ${(err as Error).message}`, { entry: name, offset, cause: err });
    }
    if (out.length !== entry.uncompressedSize) {
      throw new GraftFormatError(this.path, `inflated to ${out.length} bytes, the directory says ${entry.uncompressedSize}`, { entry: name });
    }
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.length);
    return start === 0 && len === out.length ? bytes : bytes.slice(start, start + len);
  }

  /**
   * Reads bytes [start, start + length) of a stored member into the buffer `into()` returns
   * (asked again after each yield). When the member's local header has not been read yet,
   * `start` is 0 and the range is under 1 MiB, header and data come in one `readv`: the data is
   * guessed to begin where torch's writer puts it (the first 64-byte boundary after a 4-byte
   * padding field), and the header read alongside says whether it does; when it doesn't, the
   * data is read again from where the header says. One system call per tensor instead of two.
   * Longer ranges go to `readInto`, on two threads unless `split` is
   * false.
   */
  async readStoredInto(name: string, start: number, length: number, into: () => Uint8Array, split = true): Promise<void> {
    const entry = this.require(name);
    if (entry.method !== 0) throw new RangeError(`Cannot read ${name} in place: it is deflated`);
    if (start < 0 || length < 0 || start + length > entry.uncompressedSize) {
      throw new GraftFormatError(this.path, `range ${start}+${length} is outside the member's ${entry.uncompressedSize} bytes`, { entry: name });
    }
    const lho = entry.localHeaderOffset;
    const guess = Math.ceil((lho + 30 + Buffer.byteLength(name) + 4) / 64) * 64;
    if (!this.dataOffsets.has(name) && start === 0 && length > 0 && length <= COMBINED_READ_MAX && guess + length <= this.size) {
      const header = Buffer.allocUnsafe(guess - lho);
      const got = readvSync(this.handle.fd, [header, into().subarray(0, length)], lho);
      if (got >= 30) {
        const offset = this.localHeader(entry, header.subarray(0, 30));
        if (offset === guess && got === header.length + length) return;
      }
    }
    const offset = await this.dataOffset(name);
    await readInto(this.handle, this.path, into, 0, offset + start, length, name, split);
  }

  /**
   * The first `n` bytes of a member (fewer if it is shorter) without inflating all of it:
   * deflated members inflate a growing prefix of their compressed bytes.
   */
  async readPrefix(name: string, n: number): Promise<Uint8Array> {
    const entry = this.require(name);
    const want = Math.min(n, entry.uncompressedSize);
    if (entry.method === 0) return this.read(name, 0, want);
    const offset = await this.dataOffset(name);
    for (let take = Math.min(entry.compressedSize, want + 1024); ; take = Math.min(entry.compressedSize, take * 4)) {
      const packed = await readExactly(this.handle, this.path, offset, take, name);
      let out: Buffer;
      try {
        out = inflateRawSync(packed, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: Math.max(1, entry.uncompressedSize) });
      } catch (err) {
        throw new GraftFormatError(this.path, `deflate data is corrupt: ${(err as Error).message}`, { entry: name, offset, cause: err });
      }
      if (out.length >= want || take === entry.compressedSize) return new Uint8Array(out.buffer, out.byteOffset, Math.min(want, out.length));
    }
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.handle.close();
  }
}
