/**
 * Private: a ZIP writer as PyTorch's (`caffe2/serialize/inline_container.cc`) writes them —
 * members stored, data 64-byte aligned through a padding extra field `FB`, real CRC-32s
 * (miniz checks them on read), ZIP64 fields and end records where sizes or offsets pass 4 GiB.
 * Members go out as positional writes on libuv's threads while the caller prepares the next
 * one; at most `maxInFlight` bytes are queued. The central directory may list members in
 * another order than their bytes (torch takes the archive folder from its first entry).
 */
import { writeSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { crc32 } from "node:zlib";

const SAT = 0xffffffff;
const ALIGN = 64;

function u16(n: number): Buffer { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; }
function u32(n: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; }
function u64(n: number): Buffer { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; }

/** An open ZIP being written: {@link ZipWriter.add} per member, then {@link ZipWriter.close}. */
export class ZipWriter {
  private pos = 0;
  private central: { rank: number; record: Buffer }[] = [];
  private pending: { bytes: number; done: Promise<void> }[] = [];
  private inFlight = 0;

  private constructor(private fh: FileHandle, private maxInFlight: number) {}

  /** Creates (truncates) `path`. */
  static async create(path: string, maxInFlight = 64 << 20): Promise<ZipWriter> {
    return new ZipWriter(await open(path, "w"), maxInFlight);
  }

  private write(b: Uint8Array): Promise<void> {
    const at = this.pos;
    this.pos += b.length;
    const go = async (): Promise<void> => {
      let off = 0;
      while (off < b.length) off += (await this.fh.write(b, off, b.length - off, at + off)).bytesWritten;
    };
    return go();
  }

  /**
   * Queues one stored member; resolves once the queue is under its byte limit again. `data` must
   * not change until {@link close} resolves. `rank` orders the central directory (default: order added).
   * `now`: write it before returning, synchronously (for memory that may move later, as wasm heap views).
   */
  async add(name: string, data: Uint8Array, rank = this.central.length, now = false): Promise<void> {
    const nameBytes = Buffer.from(name, "utf8");
    const size = data.length;
    const offset = this.pos;
    const big = size >= SAT;
    let extra = big ? Buffer.concat([u16(1), u16(16), u64(size), u64(size)]) : Buffer.alloc(0);
    const start = offset + 30 + nameBytes.length + extra.length + 4;
    const pad = (ALIGN - (start % ALIGN)) % ALIGN;
    extra = Buffer.concat([extra, u16(0x4246), u16(pad), Buffer.alloc(pad)]);
    const crc = crc32(data);
    const header = Buffer.concat([u32(0x04034b50), u16(45), u16(0), u16(0), u16(0), u16(0x21), u32(crc),
      u32(big ? SAT : size), u32(big ? SAT : size), u16(nameBytes.length), u16(extra.length), nameBytes, extra]);
    let done: Promise<void>;
    if (now) {
      const at = this.pos;
      this.pos += header.length + size;
      for (const [b, start] of [[header, at], [data, at + header.length]] as const) {
        let off = 0;
        while (off < b.length) off += writeSync(this.fh.fd, b, off, b.length - off, start + off);
      }
      done = Promise.resolve();
    } else {
      done = Promise.all([this.write(header), this.write(data)]).then(() => undefined);
    }
    const z64: Buffer[] = [];
    if (big) z64.push(u64(size), u64(size));
    if (offset >= SAT) z64.push(u64(offset));
    const cextra = z64.length ? Buffer.concat([u16(1), u16(8 * z64.length), ...z64]) : Buffer.alloc(0);
    this.central.push({ rank, record: Buffer.concat([u32(0x02014b50), u16(45), u16(45), u16(0), u16(0), u16(0), u16(0x21), u32(crc),
      u32(big ? SAT : size), u32(big ? SAT : size), u16(nameBytes.length), u16(cextra.length), u16(0), u16(0), u16(0), u32(0),
      u32(offset >= SAT ? SAT : offset), nameBytes, cextra]) });
    const bytes = header.length + size;
    this.inFlight += bytes;
    this.pending.push({ bytes, done });
    done.catch(() => undefined); // surfaced by the await below or by close()
    while (this.inFlight > this.maxInFlight && this.pending.length > 0) {
      const first = this.pending.shift() as { bytes: number; done: Promise<void> };
      await first.done;
      this.inFlight -= first.bytes;
    }
  }

  /** Waits for every member, writes the central directory and end records, closes the file. */
  async close(): Promise<void> {
    try {
      await Promise.all(this.pending.map((p) => p.done));
      this.pending = [];
      const count = this.central.length;
      const cdOffset = this.pos;
      const cd = Buffer.concat([...this.central].sort((a, b) => a.rank - b.rank).map((c) => c.record));
      const tail: Buffer[] = [cd];
      const need64 = cdOffset + cd.length >= SAT || count >= 0xffff;
      if (need64) {
        const z64At = cdOffset + cd.length;
        tail.push(Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(count), u64(count), u64(cd.length), u64(cdOffset)]));
        tail.push(Buffer.concat([u32(0x07064b50), u32(0), u64(z64At), u32(1)]));
      }
      const n = need64 ? 0xffff : count;
      tail.push(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(n), u16(n), u32(need64 ? SAT : cd.length), u32(need64 ? SAT : cdOffset), u16(0)]));
      await this.write(Buffer.concat(tail));
    } finally {
      await this.fh.close();
    }
  }

  /** Closes the file without finishing it (the caller deletes it). */
  async abort(): Promise<void> {
    await Promise.allSettled(this.pending.map((p) => p.done));
    await this.fh.close().catch(() => undefined);
  }
}
