/**
 * Private: a ZIP writer as PyTorch's (`caffe2/serialize/inline_container.cc`) writes them —
 * members stored, data 64-byte aligned through a padding extra field `FB`, real CRC-32s
 * (miniz checks them on read), ZIP64 fields and end records where sizes or offsets pass 4 GiB.
 * Members are written to the file one at a time; nothing is held but the central directory.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { crc32 } from "node:zlib";

const SAT = 0xffffffff;
const ALIGN = 64;

function u16(n: number): Buffer { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; }
function u32(n: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; }
function u64(n: number): Buffer { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; }

/** An open ZIP being written; call {@link ZipWriter.add} per member, then {@link ZipWriter.close}. */
export class ZipWriter {
  private fd: number;
  private pos = 0;
  private central: Buffer[] = [];
  private count = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  private put(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off, this.pos + off);
    this.pos += b.length;
  }

  /** Appends one stored member holding `data`. */
  add(name: string, data: Uint8Array): void {
    const nameBytes = Buffer.from(name, "utf8");
    const size = data.length;
    const offset = this.pos;
    const big = size >= SAT;
    let extra = big ? Buffer.concat([u16(1), u16(16), u64(size), u64(size)]) : Buffer.alloc(0);
    const start = offset + 30 + nameBytes.length + extra.length + 4;
    const pad = (ALIGN - (start % ALIGN)) % ALIGN;
    extra = Buffer.concat([extra, u16(0x4246), u16(pad), Buffer.alloc(pad)]);
    const crc = crc32(data);
    this.put(Buffer.concat([u32(0x04034b50), u16(45), u16(0), u16(0), u16(0), u16(0x21), u32(crc),
      u32(big ? SAT : size), u32(big ? SAT : size), u16(nameBytes.length), u16(extra.length), nameBytes, extra]));
    this.put(data);
    const z64: Buffer[] = [];
    if (big) z64.push(u64(size), u64(size));
    if (offset >= SAT) z64.push(u64(offset));
    const cextra = z64.length ? Buffer.concat([u16(1), u16(8 * z64.length), ...z64]) : Buffer.alloc(0);
    this.central.push(Buffer.concat([u32(0x02014b50), u16(45), u16(45), u16(0), u16(0), u16(0), u16(0x21), u32(crc),
      u32(big ? SAT : size), u32(big ? SAT : size), u16(nameBytes.length), u16(cextra.length), u16(0), u16(0), u16(0), u32(0),
      u32(offset >= SAT ? SAT : offset), nameBytes, cextra]));
    this.count++;
  }

  /** Writes the central directory and end records and closes the file. */
  close(): void {
    try {
      const cdOffset = this.pos;
      const cd = Buffer.concat(this.central);
      this.put(cd);
      const need64 = cdOffset + cd.length >= SAT || this.count >= 0xffff;
      if (need64) {
        const z64At = this.pos;
        this.put(Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(this.count), u64(this.count), u64(cd.length), u64(cdOffset)]));
        this.put(Buffer.concat([u32(0x07064b50), u32(0), u64(z64At), u32(1)]));
      }
      const n = need64 ? 0xffff : this.count;
      this.put(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(n), u16(n),
        u32(need64 ? SAT : cd.length), u32(need64 ? SAT : cdOffset), u16(0)]));
      ftruncateSync(this.fd, this.pos);
    } finally {
      closeSync(this.fd);
    }
  }

  /** Closes the file without finishing it (the caller deletes it). */
  abort(): void {
    try { closeSync(this.fd); } catch { /* already closed */ }
  }
}
